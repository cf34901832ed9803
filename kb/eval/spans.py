"""Labelled spans: gold spans (offsets into the record's raw text) against extracted ones.

Extracted offsets refer to Document.text. When the parser normalised the text, each
extracted span is carried back to the raw text by finding its own text there, at the
occurrence nearest its offset; a span whose text is not in the raw text cannot match.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.facts import Facts

LABELS = ("ITEM", "END_USE", "EXEMPTION", "OBLIGATION")
CLAUSE_LABELS = {"item": "ITEM", "end_use": "END_USE", "exemption": "EXEMPTION", "obligation": "OBLIGATION"}


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


def _to_raw(start: int, text: str, doc_text: str, raw_text: str) -> int | None:
    if doc_text == raw_text:
        return start
    best: int | None = None
    at = raw_text.find(text)
    while at != -1 and text:
        if best is None or abs(at - start) < abs(best - start):
            best = at
        at = raw_text.find(text, at + 1)
    return best


def predicted_spans(facts: Facts, doc_text: str, raw_text: str) -> list[LabelledSpan]:
    """Clauses by kind, and for ITEM also each control's printed item name (found after its code)."""
    found: set[LabelledSpan] = set()
    for clause in facts.clauses:
        label = CLAUSE_LABELS.get(clause.kind)
        span_text = doc_text[clause.span.start : clause.span.end]
        start = _to_raw(clause.span.start, span_text, doc_text, raw_text) if label else None
        if label and start is not None:
            found.add(LabelledSpan(label, start, start + len(span_text), span_text))
    if not any(c.kind == "item" for c in facts.clauses):
        for control in facts.controls:
            if not control.item:
                continue
            at = doc_text.find(control.item, control.span.start)
            start = _to_raw(at, control.item, doc_text, raw_text) if at != -1 else None
            if start is not None:
                found.add(LabelledSpan("ITEM", start, start + len(control.item), control.item))
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
