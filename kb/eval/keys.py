"""Comparable keys per fact type, from a gold file's `facts` and from an extracted `Facts`, as each
type's `eval` entry in kb/fact_types.yml declares them.

Each metric compares two SETS of keys for one document (gold files list each fact once; an
extractor that finds a fact twice is not rewarded or punished for the repeat). What a key
holds — and so what counts as "the same fact" — is the definition of the metric, written once in the
registry (e.g. thresholds: s(control_code), raw(operator), num(value), s(unit)).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from kb import fact_types
from kb.fact_types import KeyPart
from kb.facts import Facts

Key = tuple[Any, ...]


def _s(value: Any) -> str | None:
    if value is None:
        return None
    text = "".join(str(value).split())
    return text or None


def _law(name: Any) -> str | None:
    text = _s(name)
    return f"《{text.strip('《》')}》" if text else None


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def _raw(value: Any) -> Any:
    return value


NORMALISERS: dict[str, Callable[[Any], Any]] = {"raw": _raw, "s": _s, "num": _num, "bool": bool, "law": _law}


def metric_names() -> tuple[str, ...]:
    """Every metric, in registry order (kb/fact_types.yml)."""
    return fact_types.metrics()


def _gold_key(parts: tuple[KeyPart, ...], item: Any) -> Key:
    if not isinstance(item, dict):  # a plain string stands for the key's first part
        return (NORMALISERS[parts[0].norm](item),)
    return tuple(NORMALISERS[p.norm](item.get(p.gold)) for p in parts)


def _record_key(parts: tuple[KeyPart, ...], record: Any) -> Key:
    return tuple(NORMALISERS[p.norm](getattr(record, p.attr)) for p in parts)


def gold_keys(facts: dict[str, Any]) -> dict[str, set[Key]]:
    """Keys of a gold file's `facts` object."""
    out: dict[str, set[Key]] = {}
    for ft in fact_types.fact_types():
        if ft.eval is None:
            continue
        items = facts.get(ft.eval.gold, [])
        for metric, parts in ft.eval.metrics.items():
            out[metric] = {_gold_key(parts, item) for item in items}
    return out


def predicted_keys(facts: Facts) -> dict[str, set[Key]]:
    """Keys of an extracted Facts record."""
    out: dict[str, set[Key]] = {}
    for ft in fact_types.fact_types():
        if ft.eval is None:
            continue
        if ft.eval.predicted:
            module, _, name = ft.eval.predicted.partition(":")
            out.update(getattr(importlib.import_module(module), name)(facts))
            continue
        records = ft.records(facts)
        for metric, parts in ft.eval.metrics.items():
            out[metric] = {_record_key(parts, r) for r in records}
    return out


def document_numbers(facts: Facts) -> dict[str, set[Key]]:
    """Numbers: the document's own, every reference, every relation target that is a number (a law
    repealed by its title, 《…条例》, is a relation, not a document number)."""
    numbers = {facts.doc_number} | {r.target_number for r in facts.references} | {
        r.target_number for r in facts.relations if not r.target_number.startswith("《")
    }
    return {"doc_numbers": {(_s(n),) for n in numbers if n}}
