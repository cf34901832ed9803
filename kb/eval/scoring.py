"""Counting and scoring: micro-averaged precision, recall and F1 over documents.

A metric with no gold and no predicted facts in the evaluated documents has no score
(None), so it neither passes nor fails a floor. Precision with no predictions is 0 when
gold facts exist; recall with no gold facts is 0 when something was predicted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.eval.keys import Key
from kb.eval.spans import LabelledSpan, match_exact, match_overlap


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "support": self.support,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class Error:
    doc: str  # gold stem
    metric: str
    kind: str  # "miss" (gold, not extracted) or "false" (extracted, not gold)
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "metric": self.metric, "kind": self.kind, "value": self.value}


@dataclass
class Scores:
    metrics: dict[str, Counts] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def counts(self, metric: str) -> Counts:
        return self.metrics.setdefault(metric, Counts())

    def add_keys(self, doc: str, metric: str, gold: set[Key], pred: set[Key]) -> None:
        self.counts(metric).add(len(gold & pred), len(pred - gold), len(gold - pred))
        self.errors += [Error(doc, metric, "miss", _plain(k)) for k in sorted(gold - pred, key=repr)]
        self.errors += [Error(doc, metric, "false", _plain(k)) for k in sorted(pred - gold, key=repr)]

    def add_spans(self, doc: str, label: str, gold: list[LabelledSpan], pred: list[LabelledSpan]) -> None:
        for mode, match in (("exact", match_exact), ("overlap", match_overlap)):
            metric = f"spans.{label}.{mode}"
            tp, missed, false = match(gold, pred)
            self.counts(metric).add(tp, len(false), len(missed))
            self.errors += [Error(doc, metric, "miss", _span(s)) for s in missed]
            self.errors += [Error(doc, metric, "false", _span(s)) for s in false]

    def f1(self) -> dict[str, float | None]:
        return {name: c.f1 for name, c in self.metrics.items()}

    def to_json(self, errors: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"documents": self.documents,
                               "metrics": {name: c.to_json() for name, c in self.metrics.items()}}
        if errors:
            out["errors"] = [e.to_json() for e in self.errors]
        return out


def _plain(key: Key) -> Any:
    return key[0] if len(key) == 1 else list(key)


def _span(span: LabelledSpan) -> list[Any]:
    return [span.start, span.end, span.text]
