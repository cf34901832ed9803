"""Comparable keys per fact type, from a gold file's `facts` and from an extracted `Facts`.

Each metric compares two SETS of keys for one document (gold files list each fact once; an
extractor that finds a fact twice is not rewarded or punished for the repeat). What a key
holds — and so what counts as "the same fact" — is the definition of the metric:

  doc_numbers            canonical number
  dates                  (date, role)        dates.date_only: date
  control_codes          code
  hs_codes               (hs, control code)  hs_codes.hs_only: hs
  thresholds             (control code, operator, value, unit)
  relations              (relation, target)  relations.window: + (start_date, end_date)
  clause_effective       (part, date, on_publication)
  entities               name_zh
  entities.full          (list, action, name_zh, name_en): the right party, on the right list, doing the right thing
  law_references         (law, article)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.facts import Facts

Key = tuple[Any, ...]
METRICS = (
    "doc_numbers",
    "dates",
    "dates.date_only",
    "control_codes",
    "hs_codes",
    "hs_codes.hs_only",
    "thresholds",
    "relations",
    "relations.window",
    "clause_effective",
    "entities",
    "entities.full",
    "law_references",
)


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


def _keys(rows: Iterable[Key]) -> set[Key]:
    return set(rows)


def gold_keys(facts: dict[str, Any]) -> dict[str, set[Key]]:
    """Keys of a gold file's `facts` object."""
    dates = facts.get("dates", [])
    hs = facts.get("hs_codes", [])
    rels = facts.get("relations", [])
    return {
        "doc_numbers": _keys((_s(n),) for n in facts.get("doc_numbers", [])),
        "dates": _keys((d["date"], d["role"]) for d in dates),
        "dates.date_only": _keys((d["date"],) for d in dates),
        "control_codes": _keys((_s(c),) for c in facts.get("control_codes", [])),
        "hs_codes": _keys((_s(h["hs_code"]), _s(h.get("control_code"))) for h in hs),
        "hs_codes.hs_only": _keys((_s(h["hs_code"]),) for h in hs),
        "thresholds": _keys(
            (_s(t.get("control_code")), t["operator"], _num(t["value"]), _s(t.get("unit")))
            for t in facts.get("thresholds", [])
        ),
        "relations": _keys((r["relation"], _s(r["target"])) for r in rels),
        "relations.window": _keys(
            (r["relation"], _s(r["target"]), r.get("start_date"), r.get("end_date")) for r in rels
        ),
        "clause_effective": _keys(
            (_s(c["part"]), c.get("date"), bool(c.get("on_publication"))) for c in facts.get("clause_effective", [])
        ),
        "entities": _keys((_s(e["name_zh"]),) for e in facts.get("entities", [])),
        "entities.full": _keys(
            (e["list_name"], e["action"], _s(e["name_zh"]), _s(e.get("name_en"))) for e in facts.get("entities", [])
        ),
        "law_references": _keys((_law(r["law"]), _s(r.get("article"))) for r in facts.get("law_references", [])),
    }


def predicted_keys(facts: Facts) -> dict[str, set[Key]]:
    """Keys of an extracted Facts record. Numbers: the document's own, every reference, every relation target
    that is a number (a law repealed by its title, 《…条例》, is a relation, not a document number)."""
    numbers = {facts.doc_number} | {r.target_number for r in facts.references} | {
        r.target_number for r in facts.relations if not r.target_number.startswith("《")
    }
    return {
        "doc_numbers": _keys((_s(n),) for n in numbers if n),
        "dates": _keys((d.date, d.role) for d in facts.dates),
        "dates.date_only": _keys((d.date,) for d in facts.dates),
        "control_codes": _keys((_s(c.control_code),) for c in facts.controls),
        "hs_codes": _keys((_s(h.hs_code), _s(h.control_code)) for h in facts.hs_codes),
        "hs_codes.hs_only": _keys((_s(h.hs_code),) for h in facts.hs_codes),
        "thresholds": _keys(
            (_s(t.control_code), t.operator, _num(t.value), _s(t.unit)) for t in facts.thresholds
        ),
        "relations": _keys((r.relation, _s(r.target_number)) for r in facts.relations),
        "relations.window": _keys(
            (r.relation, _s(r.target_number), r.start_date, r.end_date) for r in facts.relations
        ),
        "clause_effective": _keys((_s(c.part), c.date, c.on_publication) for c in facts.clause_effective),
        "entities": _keys((_s(e.name_zh),) for e in facts.entities),
        "entities.full": _keys((e.list_name, e.action, _s(e.name_zh), _s(e.name_en)) for e in facts.entities),
        "law_references": _keys((_law(r.law), _s(r.article)) for r in facts.law_references),
    }
