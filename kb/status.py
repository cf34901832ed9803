"""Point-in-time status of documents and their dated parts (pure).

Periods are half-open [start_date, end_date): end_date is EXCLUSIVE, None = still so. A relation
window printed 自即日起至2026年11月10日 therefore suspends until 2026-11-11 (exclusive).

For each unit — a document (part None), or a part with its own entry into force (No. 61's 一（一）) —
the base status is published_not_effective from signing until the effective date, then in_force.
Other documents' relations overlay it: `suspends` (within its window; `resumes` cuts a window short)
and `repeals` / `supersedes` (from the acting document's effective date, final). A document whose only
operative content is suspension windows expires when its last window ends.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from kb.intervals import change_points, top_stretches

STATUSES = ("published_not_effective", "in_force", "suspended", "repealed", "expired")
ENDING_RELATIONS = ("repeals", "supersedes")
# Documents that have legal force; FAQs and news get no status periods.
INSTRUMENT_TYPES = ("announcement", "order", "decree", "uel_notice", "law", "regulation", "catalogue")


@dataclass(frozen=True)
class DocDates:
    id: str
    doc_type: str
    signed_date: str | None
    effective_date: str | None
    parts: tuple[tuple[str, str | None], ...] = ()  # (part, its effective date)
    known_only_by_reference: bool = False
    only_windows: bool = False  # its only content is suspension windows (No. 70): expires after them


@dataclass(frozen=True)
class RelationRef:
    id: int
    source_id: str
    relation: str
    target_id: str
    part: str | None
    start_date: str | None
    end_date: str | None  # inclusive, as printed


@dataclass(frozen=True)
class Period:
    document_id: str
    part: str | None
    status: str
    start_date: str
    end_date: str | None
    caused_by_document_id: str | None
    relation_id: int | None
    basis: str

    def covers(self, date: str) -> bool:
        return self.start_date <= date and (self.end_date is None or date < self.end_date)


def next_day(date: str) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class _Layer:
    status: str
    start: str
    end: str | None
    caused_by: str | None
    relation_id: int | None
    basis: str


def _base_layers(doc: DocDates, part: str | None, part_date: str | None) -> list[_Layer]:
    if doc.known_only_by_reference or doc.doc_type not in INSTRUMENT_TYPES:
        return []
    signed = doc.signed_date
    if part is None:
        effective = doc.effective_date or min((d for _, d in doc.parts if d), default=None)
        basis = "effective_date" if doc.effective_date else "earliest part_effective"
    else:
        effective, basis = part_date or doc.effective_date, "part_effective"
    if effective is None and signed is not None:
        effective, basis = signed, "signed_date (no effective date found)"
    if effective is None:
        return []
    layers = []
    if signed and signed < effective:
        layers.append(_Layer("published_not_effective", signed, effective, doc.id, None, "signed_date"))
    layers.append(_Layer("in_force", effective, None, doc.id, None, basis))
    return layers


def _acting_date(rel: RelationRef, docs: dict[str, DocDates]) -> str | None:
    source = docs.get(rel.source_id)
    if rel.start_date:
        return rel.start_date
    if source is None:
        return None
    return source.effective_date or source.signed_date


def _applies(rel: RelationRef, part: str | None) -> bool:
    """A relation on the whole document reaches every part; one on a part reaches that part and below."""
    if rel.part is None:
        return True
    return part is not None and part.startswith(rel.part)


def _overlays(doc_id: str, part: str | None, rels: list[RelationRef], docs: dict[str, DocDates]) -> list[_Layer]:
    layers: list[_Layer] = []
    resumes = sorted(d for r in rels if r.relation == "resumes" and _applies(r, part) and (d := _acting_date(r, docs)))
    for rel in rels:
        if not _applies(rel, part):
            continue
        start = _acting_date(rel, docs)
        if start is None:
            continue
        if rel.relation == "suspends":
            try:
                end = next_day(rel.end_date) if rel.end_date else None
            except ValueError:
                continue  # a window end that is no date: no period rather than a wrong one
            cut = next((d for d in resumes if d > start and (end is None or d < end)), None)
            end = cut or end
            layers.append(_Layer("suspended", start, end, rel.source_id, rel.id, f"suspends ({rel.source_id})"))
        elif rel.relation in ENDING_RELATIONS:
            layers.append(_Layer("repealed", start, None, rel.source_id, rel.id, f"{rel.relation} ({rel.source_id})"))
    return layers


def _expiry(doc: DocDates, own: list[RelationRef]) -> list[_Layer]:
    windows = [r for r in own if r.relation == "suspends"]
    if not doc.only_windows or not windows or any(r.end_date is None for r in windows):
        return []
    end = next_day(max(r.end_date for r in windows if r.end_date))
    return [_Layer("expired", end, None, doc.id, None, "its suspension windows ended")]


# Precedence where layers overlap: a repeal ends everything; a suspension hides the base status.
_RANK = {"repealed": 4, "expired": 3, "suspended": 2, "in_force": 1, "published_not_effective": 1}


def _flatten(doc_id: str, part: str | None, layers: list[_Layer]) -> list[Period]:
    periods: list[Period] = []
    for start, end, top in top_stretches(layers, _RANK, change_points(layers)):
        prev = periods[-1] if periods else None
        if (prev and prev.end_date == start and prev.status == top.status
                and prev.caused_by_document_id == top.caused_by and prev.relation_id == top.relation_id):
            periods[-1] = Period(doc_id, part, prev.status, prev.start_date, end, prev.caused_by_document_id,
                                 prev.relation_id, prev.basis)
        else:
            periods.append(Period(doc_id, part, top.status, start, end, top.caused_by, top.relation_id, top.basis))
    return periods


def status_periods(docs: list[DocDates], relations: list[RelationRef]) -> list[Period]:
    by_id = {d.id: d for d in docs}
    incoming: dict[str, list[RelationRef]] = defaultdict(list)
    outgoing: dict[str, list[RelationRef]] = defaultdict(list)
    for rel in relations:
        if rel.source_id != rel.target_id:
            incoming[rel.target_id].append(rel)
            outgoing[rel.source_id].append(rel)
    out: list[Period] = []
    for doc in sorted(docs, key=lambda d: d.id):
        rels = sorted(incoming.get(doc.id, []), key=lambda r: r.id)
        part_dates = dict(doc.parts)
        rel_parts = {r.part for r in rels if r.part}
        units: list[str | None] = [None, *sorted(set(part_dates) | rel_parts)]
        for part in units:
            layers = _base_layers(doc, part, part_dates.get(part) if part else None)
            layers += _overlays(doc.id, part, rels, by_id)
            if part is None:
                layers += _expiry(doc, outgoing.get(doc.id, []))
            out.extend(_flatten(doc.id, part, layers))
    return out


def status_on(periods: list[Period], document_id: str, date: str, part: str | None = None) -> Period | None:
    """The period of a document (or of one of its parts) covering a date."""
    for period in periods:
        if period.document_id == document_id and period.part == part and period.covers(date):
            return period
    return None


def inputs_from_rows(tables: dict[str, list[dict[str, Any]]]) -> tuple[list[DocDates], list[RelationRef]]:
    """The dates and relations status needs, from the built tables' rows."""
    parts: dict[str, list[tuple[str, str | None]]] = {}
    documents_by_id = {d["id"]: d for d in tables["documents"]}
    for p in tables.get("part_effective_dates", []):
        signed = documents_by_id[p["document_id"]]["signed_date"]
        parts.setdefault(p["document_id"], []).append((p["part"], p["effective_date"] or (signed if p["on_publication"] else None)))
    relations = [
        RelationRef(r["id"], r["source_document_id"], r["relation"], r["target_document_id"], r["part"],
                           r["start_date"], r["end_date"])
        for r in tables.get("document_relations", [])
    ]
    with_rules = {r["document_id"] for t in ("controls", "hs_codes", "listed_entities", "thresholds")
                  for r in tables.get(t, [])}
    own_kinds: dict[str, set[str]] = {}
    for r in relations:
        own_kinds.setdefault(r.source_id, set()).add(r.relation)
    docs = [
        DocDates(
            id=d["id"], doc_type=d["doc_type"], signed_date=d["signed_date"], effective_date=d["effective_date"],
            parts=tuple(sorted(parts.get(d["id"], []), key=lambda p: p[0])),
            known_only_by_reference=bool(d["known_only_by_reference"]),
            only_windows=d["id"] not in with_rules and own_kinds.get(d["id"], set()) <= {"suspends", "references"}
            and "suspends" in own_kinds.get(d["id"], set()),
        )
        for d in tables["documents"]
    ]
    return docs, relations


def inherit_from_parents(periods: list[Period], parents: dict[str, str]) -> list[Period]:
    """An attachment (a catalogue PDF, an annex) is in force exactly when its notice is: it takes the
    notice's whole-document periods in place of its own. One whose notice has none keeps its own."""
    whole: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        if period.part is None:
            whole[period.document_id].append(period)
    out = [p for p in periods if p.document_id not in parents or not whole.get(parents[p.document_id])]
    for child, parent in sorted(parents.items()):
        out.extend(
            replace(p, document_id=child, basis=f"attachment of {parent}: {p.basis}") for p in whole.get(parent, [])
        )
    return sorted(out, key=lambda p: (p.document_id, p.part or "", p.start_date))


def period_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """document_status_periods rows, numbered in a stable order."""
    parents = {d["id"]: d["attachment_of"] for d in tables["documents"] if d.get("attachment_of")}
    periods = inherit_from_parents(status_periods(*inputs_from_rows(tables)), parents)
    return [
        {"id": i, "document_id": p.document_id, "part": p.part, "status": p.status, "start_date": p.start_date,
         "end_date": p.end_date, "caused_by_document_id": p.caused_by_document_id, "relation_id": p.relation_id,
         "basis": p.basis}
        for i, p in enumerate(periods, 1)
    ]
