"""From an annotated spaCy Doc and its Document to the Facts record (pure)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from spacy.tokens import Doc

from ingest.document import Document
from kb.extract.clauses import LABEL_KINDS, category_of
from kb.extract.components import fact_span
from kb.extract.controls import Linked, link_controls
from kb.extract.entities import find_entities
from kb.extract.part_index import Structure
from kb.extract.references import find_references
from kb.extract.timeline import build_timeline
from kb.fact_types import fact_types
from kb.facts import Clause, Control, DocReference, Facts, HsCode, LawReference, Span


def _doc_date(doc: Doc, document: Document) -> tuple[str | None, str | None]:
    """(date of issue used for 即日/公布之日, signed date printed at the foot)."""
    signed = next((d._.value["date"] for d in doc.spans["dates"] if d._.value["context"] == "signed"), None)
    header = next((d._.value["date"] for d in doc.spans["dates"] if d._.value["context"] == "header"), None)
    adopted = next((d._.value["date"] for d in doc.spans["dates"] if d._.value["context"] == "adopted"), None)
    issued = document.signed_date.isoformat() if document.signed_date else signed or header or adopted
    return issued, signed or (document.signed_date.isoformat() if document.signed_date else header)


@dataclass
class RowFacts:
    controls: list[Control] = field(default_factory=list)
    hs_codes: list[HsCode] = field(default_factory=list)
    items: list[Span] = field(default_factory=list)
    lines: list[tuple[int, int, str | None]] = field(default_factory=list)  # row line start, end, control code


def _within_line(text: str, line: tuple[int, int], needle: str | None, page: int) -> Span:
    start, end = line
    pos = text.find(needle, start, end) if needle else -1
    if pos < 0:
        return Span(start, end, text[start:end], page)
    return Span(pos, pos + len(needle or ""), needle or "", page)


def _row_facts(document: Document) -> RowFacts:
    """Catalogue rows (the parser's authoritative reading of the table): controls, HS numbers and
    item names, each cited by its offsets in the row's line of text and its PDF page."""
    out = RowFacts()
    lines = [(int(a), int(b)) for a, b in document.meta.get("row_lines", [])]
    text = document.text
    for i, row in enumerate(document.rows):
        line = lines[i] if i < len(lines) else (0, len(text))  # no line offsets: search the whole text
        out.lines.append((line[0], line[1], row.control_code))
        if row.control_code:
            span = _within_line(text, line, row.control_code, row.page)
            out.controls.append(Control(row.control_code, span, row.name or None, row.seq, row.hs_codes))
        for hs in row.hs_codes:
            out.hs_codes.append(HsCode(hs, len(hs), _within_line(text, line, hs, row.page), row.control_code,
                                       row.reference_name or row.name or None, row.seq))
        if row.name and (item := _within_line(text, line, row.name, row.page)).text == row.name:
            out.items.append(item)
    return out


def _paged(value: Any, page_starts: list[int]) -> Any:
    """Every Span inside `value` with the PDF page its start falls on (1-based)."""
    if isinstance(value, Span):
        return replace(value, page=value.page or bisect.bisect_right(page_starts, value.start))
    if isinstance(value, DocReference) and value.source == "title":
        return value  # offsets into the title, not the PDF text
    if isinstance(value, tuple):
        return tuple(_paged(v, page_starts) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _paged(getattr(value, f.name), page_starts) for f in fields(value)
                                 if f.name != "meta"})
    return value


def registered_records(doc: Doc, document: Document, structure: Structure, facts: Facts) -> dict[str, tuple[Any, ...]]:
    """Records of fact types registered with a `rule` (kb/fact_types.yml), by their field. Each rule gets the
    facts assembled so far (the built-in types, below, and the records of rules registered before it), so a rule
    that checks or links other facts reads them instead of extracting them again."""
    extra: dict[str, list[Any]] = {}
    for ft in fact_types():
        rule = ft.rule_function()
        if rule is not None:
            so_far = replace(facts, extra={name: tuple(records) for name, records in extra.items()})
            extra.setdefault(ft.field, []).extend(rule(doc, document, structure, so_far))
    return {name: tuple(records) for name, records in extra.items()}


def assemble(doc: Doc, document: Document, version: str) -> Facts:
    structure = Structure.of(document)
    linked = link_controls(doc, structure)
    rows = _row_facts(document)
    if document.rows:  # a catalogue: the rows are the table; text matches would only repeat them
        def row_code(pos: int) -> str | None:
            return next((code for start, end, code in rows.lines if start <= pos < end), None)

        linked = Linked(
            rows.controls, rows.hs_codes,
            [replace(t, control_code=row_code(t.span.start)) for t in linked.thresholds],
            linked.flags, rows.items,
        )
    issued, signed = _doc_date(doc, document)
    own = document.doc_number
    timeline = build_timeline(doc, issued, own, faq=document.doc_type == "faq")
    references = [
        DocReference(r._.value["canonical"], fact_span(r), "text", r._.value["abbreviated"]) for r in doc.spans["doc_numbers"]
    ]
    references += [
        DocReference(r.canonical, Span(r.start, r.end, r.printed), "title", r.abbreviated)
        for r in find_references(document.title)
    ]
    own_title = f"《{document.title}》"  # a law's own title is not a reference to it
    laws = [
        LawReference(law._.value["law"], fact_span(law), article)
        for law in doc.spans["laws"]
        for article in law._.value["articles"]
        if law._.value["law"] != own_title
    ]
    # kind from the label: spaCy keys span extensions by offsets only, so two labels on one span share ._.value
    found = {(c.start_char, c.end_char, LABEL_KINDS[c.label_]): c for c in doc.spans.get("clauses", [])}
    clauses = [
        Clause(kind, span.text, span, structure.path_at(span.start), category_of(span.text, kind))
        for (_s, _e, kind), c in found.items()
        if (span := fact_span(c))
    ]
    clauses += [  # items named beside codes and HS numbers, read by rule
        Clause("item", s.text, s, structure.path_at(s.start)) for s in linked.items if (s.start, s.end, "item") not in found
    ]
    clauses.sort(key=lambda c: (c.span.start, c.span.end))
    facts = Facts(
        doc_id=document.doc_id,
        doc_number=own,
        signed_date=signed,
        effective_date=timeline.effective_date,
        effective_on_publication=timeline.on_publication,
        controls=tuple(linked.controls),
        hs_codes=tuple(linked.hs_codes),
        thresholds=tuple(linked.thresholds),
        dates=tuple(timeline.dates),
        references=tuple(references),
        relations=tuple(timeline.relations),
        clause_effective=tuple(timeline.clause_effective),
        law_references=tuple(laws),
        entities=tuple(find_entities(document.text, document.title)),
        clauses=tuple(clauses),
        emails=tuple(fact_span(s) for s in doc.spans["emails"]),
        urls=tuple(fact_span(s) for s in doc.spans["urls"]),
        flags=tuple(linked.flags),
        meta={"pipeline_version": version},
    )
    facts = replace(facts, extra=registered_records(doc, document, structure, facts))
    page_starts = document.meta.get("page_starts")
    return _paged(facts, list(page_starts)) if page_starts else facts
