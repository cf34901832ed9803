"""Every fact the pipeline reads from the real corpus, as one digest (bench/extract_golden.py's dump): a change
meant only to make extraction faster must leave it as it is. A change meant to change facts updates it with
`pytest tests/test_extract_golden.py --update-golden` (then the eval and the dump's diff say what changed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bench.extract_golden import corpus_documents, fact_lines

DIGEST = Path(__file__).parent / "golden" / "extract" / "corpus-facts.json"


def test_corpus_facts_are_unchanged(corpus_dir: Path, update_golden: bool) -> None:
    lines = list(fact_lines(corpus_documents(corpus_dir)))
    found = {"documents": len(lines), "sha256": hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()}
    if update_golden:
        DIGEST.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    assert DIGEST.exists() and json.loads(DIGEST.read_text(encoding="utf-8")) == found, (
        "the facts of the corpus changed: if meant, run `pytest tests/test_extract_golden.py --update-golden`; "
        "`python -m bench.extract_golden dump/compare` shows which document and field")
