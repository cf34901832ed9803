"""Same facts, however printed (issue 11, point 6): each gold document re-printed in the other forms MOFCOM uses
(tests/printed_forms.py) gives the same facts as the document as printed.

Facts are compared as the eval compares them (kb/eval/keys.py: dates as ISO dates, numbers canonical, parties by
name…), and every fact's span by its text: the span read from the re-printed text must be the re-printed form of
the span read from the original (both normalised as the parser normalises text). The gold documents are sampled
so that every form meets every kind of fact (a test below proves the sample still does); the whole run stays
well under 30 s.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from printed_forms import FORMS, Form

from ingest.document import Document
from ingest.parse.text import normalise
from kb import fact_types
from kb.eval.gold import GoldDoc, load_corpus, load_gold_file, record_for
from kb.eval.keys import gold_keys, predicted_keys
from kb.evaluate import parse_record
from kb.facts import DocReference, Facts

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "annotations"
CORPORA = {"first-contact": "entity-list-notices.jsonl"}  # a gold folder's corpus file; others: the notices
# A sample of the gold documents in which every kind of fact occurs (asserted below): codes, HS numbers (10 and 8
# digits), thresholds, items (2025 No. 10, 57), parts in force on their own (No. 61), relations with windows
# (No. 70, the spokesperson's 90 days, 2024 UEL No. 1), dates in Chinese numerals and a 令 (Order 2025 No. 6,
# Decree 792), parties inline (UEL 2023 No. 1, 2025 No. 1) and in an annex (2025 No. 13, 2026 No. 23), FAQ prose.
SAMPLE = (
    "gold/ann-2025-010", "gold/ann-2025-057", "gold/ann-2025-061", "gold/ann-2025-070", "gold/order-2025-006",
    "gold/law-decree-792", "gold/ann-2026-023", "gold/faq-dual-use-list", "gold/faq-dual-use-1-graphite",
    "first-contact/uel-2023-001", "first-contact/uel-2024-001", "first-contact/uel-2025-001",
    "first-contact/ann-2025-013", "first-contact/other-spokesperson-2025-05-14-uel-suspension",
)


@dataclass(frozen=True)
class Printed:
    stem: str
    gold: GoldDoc
    record: dict[str, Any]


@cache
def _sample(corpus_dir: Path) -> tuple[Printed, ...]:
    out = []
    for name in SAMPLE:
        folder, stem = name.split("/")
        corpus_path = corpus_dir / CORPORA.get(folder, "exportcontrol-notices.jsonl")
        gold = load_gold_file(GOLD / folder / f"{stem}.json")
        out.append(Printed(name, gold, record_for(gold, load_corpus(corpus_path), corpus_path)))
    return tuple(out)


@cache
def _extracted(record_json: str) -> tuple[Document, Facts]:
    from kb.extract import extract

    doc = parse_record(json.loads(record_json))
    return doc, extract(doc)


def _run(record: dict[str, Any], text: str | None = None) -> tuple[Document, Facts]:
    return _extracted(json.dumps({**record, **({"text": text} if text is not None else {})}, ensure_ascii=False))


def _canon(text: str) -> str:
    """A span's text as the parser reads it, whitespace aside."""
    return "".join(normalise(text).text.split())


def _spans(facts: Facts, reprint: Any = None) -> Counter[tuple[str, str]]:
    """(fact type, span text) of every fact; with `reprint`, each span text re-printed first (a title's
    spans are never re-printed: only the text is)."""
    out: Counter[tuple[str, str]] = Counter()
    for ft in fact_types.fact_types():
        for record in ft.records(facts):
            printed = record.span.text
            if reprint is not None and not (isinstance(record, DocReference) and record.source == "title"):
                printed = reprint(printed)
            out[(ft.name, _canon(printed))] += 1
    return out


def _differences(printed: Printed, form: Form) -> Iterator[str]:
    text = str(printed.record["text"])
    reprinted = form.reprint(text)
    if reprinted == text:
        return
    _doc, before = _run(printed.record)
    doc, after = _run(printed.record, reprinted)
    keys_before, keys_after = predicted_keys(before), predicted_keys(after)
    for metric, keys in keys_before.items():
        if keys != keys_after[metric]:
            yield (f"{printed.stem} {metric}: lost {sorted(map(str, keys - keys_after[metric]))[:5]}, "
                   f"gained {sorted(map(str, keys_after[metric] - keys))[:5]}")
    for ft in fact_types.fact_types():
        for record in ft.records(after):
            s = record.span
            source = doc.title if isinstance(record, DocReference) and record.source == "title" else doc.text
            if source[s.start : s.end] != s.text:
                yield f"{printed.stem} {ft.name}: span {s} does not slice the re-printed text"
    if form.same_spans:
        expected, got = _spans(before, form.reprint), _spans(after)
        if expected != got:
            yield (f"{printed.stem} spans: lost {sorted(expected - got)[:4]}, gained {sorted(got - expected)[:4]}")


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_the_same_facts_however_printed(form: Form, corpus_dir: Path) -> None:
    sample = _sample(corpus_dir)
    applied = [p.stem for p in sample if form.reprint(str(p.record["text"])) != p.record["text"]]
    assert applied, f"{form.name} re-prints none of the sampled documents"
    differences = [d for p in sample for d in _differences(p, form)]
    assert differences == [], "\n".join(differences)


# forms that only apply where the text prints what they change (a year in 〔〕, a short heading line)
_NARROW_FORMS = {"number_brackets", "full_width_number_brackets", "spaced_headings"}


def test_every_form_meets_every_kind_of_fact(corpus_dir: Path) -> None:
    """The sample is broad enough: each form that re-prints characters in place re-prints documents holding
    every kind of fact the gold records (narrow forms: some); each list form re-prints documents with parties."""
    sample = _sample(corpus_dir)
    everything = {m for p in sample for m, keys in gold_keys(p.gold.facts).items() if keys}
    assert everything >= {"doc_numbers", "dates", "control_codes", "hs_codes", "relations.window", "thresholds",
                          "clause_effective", "law_references", "entities.full"}
    for form in FORMS:
        touched = [p for p in sample if form.reprint(str(p.record["text"])) != p.record["text"]]
        kinds = {m for p in touched for m, keys in gold_keys(p.gold.facts).items() if keys}
        if not form.same_spans:
            assert "entities.full" in kinds, f"{form.name} re-prints no document with parties"
        elif form.name in _NARROW_FORMS:
            assert touched, f"{form.name} re-prints nothing"
        else:
            assert kinds == everything, f"{form.name} never meets {sorted(everything - kinds)}"
