"""Labelled spans: gold spans (offsets into the record's raw text) against extracted ones.

Extracted offsets refer to Document.text, gold offsets to the record's raw text. When the
parser normalised the text, extracted spans are carried back through the normaliser's own
character map (`ingest.parse.text.normalise`: each clean character knows the raw one it came
from). Only if the normaliser no longer reproduces Document.text does a span fall back to
the raw occurrence of its text nearest its offset (a span whose text is absent cannot match).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ingest.parse.text import normalise
from kb import fact_types
from kb.facts import Facts

ToRaw = Callable[[int, int], "tuple[int, int] | None"]



def labels() -> tuple[str, ...]:
    """The span labels scored, from the fact types that declare one (kb/fact_types.yml)."""
    return fact_types.span_labels()


@dataclass(frozen=True, order=True)
class LabelledSpan:
    label: str
    start: int
    end: int
    text: str = ""

    def overlaps(self, other: LabelledSpan) -> bool:
        return self.label == other.label and max(self.start, other.start) < min(self.end, other.end)


def gold_spans(spans: list[dict]) -> list[LabelledSpan]:
    return sorted({LabelledSpan(s["label"], int(s["start"]), int(s["end"]), s.get("text", "")) for s in spans})


def raw_mapper(doc_text: str, raw_text: str) -> ToRaw:
    """(start, end) in Document.text → (start, end) in the raw text, or None when it cannot be placed."""
    if doc_text == raw_text:
        return lambda start, end: (start, end)
    clean = normalise(raw_text)
    if clean.text == doc_text:
        return lambda start, end: clean.original_span(start, end) if 0 <= start < end <= len(doc_text) else None

    def nearest(start: int, end: int) -> tuple[int, int] | None:
        piece = doc_text[start:end]
        best: int | None = None
        at = raw_text.find(piece) if piece else -1
        while at != -1:
            if best is None or abs(at - start) < abs(best - start):
                best = at
            at = raw_text.find(piece, at + 1)
        return None if best is None else (best, best + len(piece))

    return nearest


def predicted_spans(facts: Facts, doc_text: str, raw_text: str) -> list[LabelledSpan]:
    """Each labelled fact type's records, and for ITEM also each control's printed item name (found after its code)."""
    to_raw = raw_mapper(doc_text, raw_text)
    found: set[LabelledSpan] = set()

    def add(label: str, start: int, end: int) -> None:
        placed = to_raw(start, end)
        if placed is not None:
            found.add(LabelledSpan(label, placed[0], placed[1], raw_text[placed[0] : placed[1]]))

    for ft in fact_types.fact_types():
        if ft.span_label:
            for record in ft.records(facts):
                add(ft.span_label, record.span.start, record.span.end)
    if not any(c.kind == "item" for c in facts.clauses):
        for control in facts.controls:
            at = doc_text.find(control.item, control.span.start) if control.item else -1
            if control.item and at != -1:
                add("ITEM", at, at + len(control.item))
    return sorted(found)


def match_exact(gold: list[LabelledSpan], pred: list[LabelledSpan]) -> tuple[int, list, list]:
    """(true positives, missed gold spans, false predicted spans) with identical label and offsets."""
    g = {(s.label, s.start, s.end) for s in gold}
    p = {(s.label, s.start, s.end) for s in pred}
    return len(g & p), [s for s in gold if (s.label, s.start, s.end) not in p], [
        s for s in pred if (s.label, s.start, s.end) not in g
    ]


def match_overlap(gold: list[LabelledSpan], pred: list[LabelledSpan]) -> tuple[int, list, list]:
    """One-to-one matching of same-label spans that share at least one character (greedy, in text order)."""
    used: set[int] = set()
    missed = []
    for g in gold:
        hit = next((i for i, p in enumerate(pred) if i not in used and g.overlaps(p)), None)
        if hit is None:
            missed.append(g)
        else:
            used.add(hit)
    return len(used), missed, [p for i, p in enumerate(pred) if i not in used]
