"""Document + Facts → table rows (pure). Every fact row points at a `spans` row, the exact
text it came from. Fact rows get their integer ids later, in build, after a global sort, so
the same archive always yields the same ids."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ingest.document import Document
from ingest.parse.document_builder import doc_type as type_from_number
from ingest.parse.numbers import find_numbers
from kb import fact_types
from kb.fact_types import FactType
from kb.facts import Facts, Span

Row = dict[str, Any]
Rows = dict[str, list[Row]]

# Facts' date roles that name the signing date, best first.
SIGNED_ROLES = ("signed", "header")


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def span_id(doc_id: str, span: Span) -> str:
    page = f"p{span.page}" if span.page is not None else ""
    return f"{doc_id}@{span.start}-{span.end}{page}"


def number_parts(doc_number: str | None) -> tuple[str | None, int | None, int | None]:
    """(kind, year, number) of a canonical document number, as the parser reads it."""
    if not doc_number:
        return None, None, None
    found = find_numbers(doc_number)
    if not found:
        return None, None, None
    match = found[0]
    return match.kind, match.year, match.number or None


def signed_date(doc: Document, facts: Facts) -> str | None:
    if doc.signed_date:
        return doc.signed_date.isoformat()
    for role in SIGNED_ROLES:
        dates = sorted(d.date for d in facts.dates if d.role == role and d.part is None)
        if dates:
            return dates[-1] if role == "signed" else dates[0]
    return None


def effective_date(facts: Facts, signed: str | None) -> str | None:
    if facts.effective_date:
        return facts.effective_date
    return signed if facts.effective_on_publication else None


def document_row(doc: Document, facts: Facts) -> Row:
    _kind, year, number = number_parts(doc.doc_number)
    signed = signed_date(doc, facts)
    return {
        "id": doc.doc_id,
        "doc_number": doc.doc_number,
        "doc_number_printed": doc.doc_number_printed,
        "doc_type": doc.doc_type,
        "title": doc.title,
        "issuers": _json(doc.issuers),
        "signed_date": signed,
        "posted_date": doc.posted_date.isoformat() if doc.posted_date else None,
        "effective_date": effective_date(facts, signed),
        "effective_on_publication": int(facts.effective_on_publication),
        "source_url": doc.source_urls[0] if doc.source_urls else None,
        "source_urls": _json(doc.source_urls),
        "source": doc.source,
        "column_name": doc.column,
        "year": year,
        "number": number,
        "text": doc.text,
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        "known_only_by_reference": 0,
        "cited_by_count": 0,
        "attachment_of": doc.meta.get("attachment_of"),
        "is_sample": int(doc.is_sample),
    }


def reference_row(doc_number: str) -> Row:
    """A document cited by others but not in the archive: what its number tells."""
    _kind, year, number = number_parts(doc_number)
    found = find_numbers(doc_number)
    doc_type = type_from_number(found[0] if found else None, "", None)  # the parser's own number → type table
    return {
        "id": doc_number, "doc_number": doc_number, "doc_number_printed": None, "doc_type": doc_type,
        "title": None, "issuers": "[]", "signed_date": None, "posted_date": None, "effective_date": None,
        "effective_on_publication": 0, "source_url": None, "source_urls": "[]", "source": None,
        "column_name": None, "year": year, "number": number, "text": None, "text_sha256": None,
        "known_only_by_reference": 1, "cited_by_count": 0, "attachment_of": None, "is_sample": 0,
    }


def _column_value(ft: FactType, column: str, record: Any) -> Any:
    value = ft.value(column)
    if value.converter == "const":
        return value.arg
    raw = getattr(record, value.arg)
    if value.converter == "json":
        return _json(raw)
    if value.converter == "int":
        return int(raw)
    if value.converter == "root":
        return raw.split(".")[0]
    return raw


def record_row(ft: FactType, doc_id: str, record: Any, span_ref: str) -> Row:
    """One record of a fact type as a row of its table, by the registry's `values`."""
    row: Row = {ft.document_column: doc_id}
    row.update({column: _column_value(ft, column, record) for column in ft.columns})
    row["span_id"] = span_ref
    return row


def _relation_rows(ft: FactType, doc: Document, facts: Facts, cite: Callable[[Span], str]) -> list[Row]:
    """Typed relations, then plain citations as `references` relations, once per target, when no typed
    relation says more. A notice restating its own number is no relation."""
    out: list[Row] = []
    typed_targets = set()
    for r in ft.records(facts):
        if r.target_number == doc.doc_number:
            continue
        typed_targets.add(r.target_number)
        out.append(record_row(ft, doc.doc_id, r, cite(r.span)))
    first_citation: dict[str, Span] = {}
    for ref in sorted(facts.references, key=lambda x: (x.span.start, x.span.end)):
        if ref.target_number not in typed_targets and ref.target_number != doc.doc_number:
            first_citation.setdefault(ref.target_number, ref.span)
    for number, span in first_citation.items():
        out.append({
            "source_document_id": doc.doc_id, "relation": "references", "target_number": number,
            "target_document_id": number, "part": None, "start_date": None, "end_date": None,
            "span_id": cite(span)})
    return out


# Row builders an entry names with `rows:` when one field's records are not the whole table.
ROW_BUILDERS: dict[str, Callable[[FactType, Document, Facts, Callable[[Span], str]], list[Row]]] = {
    "relations": _relation_rows,
}


def fact_rows(doc: Document, facts: Facts) -> Rows:
    """Every fact of one document as rows (without ids), plus the spans they cite: one table per
    registered fact type (kb/fact_types.yml)."""
    doc_id = doc.doc_id
    rows: Rows = defaultdict(list)
    spans: dict[str, Row] = {}

    def cite(span: Span) -> str:
        sid = span_id(doc_id, span)
        spans.setdefault(sid, {"id": sid, "document_id": doc_id, "start": span.start, "end": span.end,
                               "page": span.page, "text": span.text})
        return sid

    for ft in fact_types.tables():
        assert ft.table is not None
        if ft.rows is not None:
            builder = ROW_BUILDERS.get(ft.rows)
            if builder is None:
                raise fact_types.FactTypeError(f"{ft.source}: fact type {ft.name!r}: no row builder {ft.rows!r} "
                                               f"(known: {', '.join(ROW_BUILDERS)})")
            built = builder(ft, doc, facts, cite)
        else:
            built = [record_row(ft, doc_id, r, cite(r.span)) for r in ft.records(facts)]
        if built:
            rows[ft.table].extend(built)
    rows["spans"] = list(spans.values())
    return dict(rows)


def sort_key(row: Row) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def number_rows(rows: list[Row]) -> list[Row]:
    """Sort fact rows deterministically and give them ids 1..n."""
    ordered = sorted(rows, key=lambda r: (r.get("document_id") or r.get("source_document_id") or "", sort_key(r)))
    return [{"id": i, **row} for i, row in enumerate(ordered, 1)]


def merge_rows(per_document: Iterable[Rows]) -> Rows:
    merged: Rows = defaultdict(list)
    for rows in per_document:
        for table, table_rows in rows.items():
            merged[table].extend(table_rows)
    return dict(merged)


def add_reference_documents(documents: list[Row], relations: list[Row]) -> list[Row]:
    """Documents rows for every cited number not in the archive; cited_by_count for all."""
    by_id = {d["id"]: d for d in documents}
    by_number = {d["doc_number"]: d["id"] for d in documents if d["doc_number"]}
    cited: dict[str, set[str]] = defaultdict(set)
    for rel in relations:
        target = by_number.get(rel["target_number"])
        if target is None:
            target = rel["target_number"]
            if target not in by_id:
                by_id[target] = reference_row(target)
        rel["target_document_id"] = target
        cited[target].add(rel["source_document_id"])
    for doc_id, sources in cited.items():
        by_id[doc_id]["cited_by_count"] = len(sources)
    return [by_id[k] for k in sorted(by_id)]
