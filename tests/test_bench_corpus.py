"""The scale benches' generated corpus looks like MOFCOM's: an annex never prints one party twice.

The real lists print a few parties in two spellings (`SYNEXXUS, Inc.` / `SYNEXXUS,Inc.`); the generator
once rotated both into one annex, and every such notice raised an `entity_count` check in the bench
builds (63 at 1k, 647 at 10k) that said nothing about the extractor.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.corpus import _ENTITY_LINE, generate, load_entities


def test_one_entry_per_chinese_name(corpus_dir: Path) -> None:
    names = [zh for zh, _ in load_entities(corpus_dir)]
    assert names and len(names) == len(set(names))


def test_no_annex_prints_a_party_twice(corpus_dir: Path) -> None:
    annexes = 0
    for record in generate(200, corpus_dir):
        printed = [m.group(3).strip() for m in _ENTITY_LINE.finditer(record["text"])]
        if printed:
            annexes += 1
            assert len(printed) == len(set(printed)), record["source_url"]
            # the en names too: one party, one spelling
            english = [re.sub(r"\s+", "", m.group(4)) for m in _ENTITY_LINE.finditer(record["text"])]
            assert len(english) == len(set(english)), record["source_url"]
    assert annexes >= 10  # the corpus's entity-list templates, over three copies
