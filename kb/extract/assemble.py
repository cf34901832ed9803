"""From an annotated spaCy Doc and its Document to the Facts record (pure)."""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from ingest.document import Document
from kb.extract.clauses import LABEL_KINDS, category_of
from kb.extract.controls import link_controls
from kb.extract.entities import find_entities
from kb.extract.references import find_references
from kb.extract.structure import Structure
from kb.extract.timeline import build_timeline
from kb.facts import Clause, Control, DocReference, Facts, HsCode, LawReference, Span


def _span(s: SpacySpan) -> Span:
    return Span(s.start_char, s.end_char, s.text)


def _doc_date(doc: Doc, document: Document) -> tuple[str | None, str | None]:
    """(date of issue used for 即日/公布之日, signed date printed at the foot)."""
    signed = next((d._.value["date"] for d in doc.spans["dates"] if d._.value["context"] == "signed"), None)
    header = next((d._.value["date"] for d in doc.spans["dates"] if d._.value["context"] == "header"), None)
    issued = document.signed_date.isoformat() if document.signed_date else signed or header
    return issued, signed or (document.signed_date.isoformat() if document.signed_date else header)


def _row_facts(document: Document) -> tuple[list[Control], list[HsCode]]:
    """Catalogue rows: controls and HS numbers cited by the row's PDF page (and text offsets when found)."""
    controls: list[Control] = []
    hs_codes: list[HsCode] = []
    for row in document.rows:
        anchor = row.control_code or (row.hs_codes[0] if row.hs_codes else row.name)
        start = document.text.find(anchor) if anchor else -1
        span = Span(max(start, 0), max(start, 0) + (len(anchor) if start >= 0 else 0), anchor or "", row.page)
        if row.control_code:
            controls.append(Control(row.control_code, span, row.name or None, row.seq, row.hs_codes))
        for hs in row.hs_codes:
            hs_codes.append(HsCode(hs, len(hs), span, row.control_code, row.reference_name or row.name or None, row.seq))
    return controls, hs_codes


def assemble(doc: Doc, document: Document, version: str) -> Facts:
    structure = Structure.of(document)
    linked = link_controls(doc, structure)
    row_controls, row_hs = _row_facts(document)
    issued, signed = _doc_date(doc, document)
    own = document.doc_number
    timeline = build_timeline(doc, issued, own, faq=document.doc_type == "faq")
    references = [
        DocReference(r._.value["canonical"], _span(r), "text", r._.value["abbreviated"]) for r in doc.spans["doc_numbers"]
    ]
    references += [
        DocReference(r.canonical, Span(r.start, r.end, r.printed), "title", r.abbreviated)
        for r in find_references(document.title)
    ]
    own_title = f"《{document.title}》"  # a law's own title is not a reference to it
    laws = [
        LawReference(law._.value["law"], _span(law), article)
        for law in doc.spans["laws"]
        for article in law._.value["articles"]
        if law._.value["law"] != own_title
    ]
    # kind from the label: spaCy keys span extensions by offsets only, so two labels on one span share ._.value
    found = {(c.start_char, c.end_char, LABEL_KINDS[c.label_]): c for c in doc.spans.get("clauses", [])}
    clauses = [
        Clause(kind, c.text, _span(c), structure.path_at(c.start_char), category_of(c.text, kind))
        for (_s, _e, kind), c in found.items()
    ]
    clauses += [  # items named beside codes and HS numbers, read by rule
        Clause("item", s.text, s, structure.path_at(s.start)) for s in linked.items if (s.start, s.end, "item") not in found
    ]
    clauses.sort(key=lambda c: (c.span.start, c.span.end))
    return Facts(
        doc_id=document.doc_id,
        doc_number=own,
        signed_date=signed,
        effective_date=timeline.effective_date,
        effective_on_publication=timeline.on_publication,
        controls=tuple(linked.controls + row_controls),
        hs_codes=tuple(linked.hs_codes + row_hs),
        thresholds=tuple(linked.thresholds),
        dates=tuple(timeline.dates),
        references=tuple(references),
        relations=tuple(timeline.relations),
        clause_effective=tuple(timeline.clause_effective),
        law_references=tuple(laws),
        entities=tuple(find_entities(document.text, document.title)),
        clauses=tuple(clauses),
        emails=tuple(_span(s) for s in doc.spans["emails"]),
        urls=tuple(_span(s) for s in doc.spans["urls"]),
        flags=tuple(linked.flags),
        meta={"pipeline_version": version},
    )
