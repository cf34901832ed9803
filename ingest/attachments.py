"""Attachments (PDF, DOC/DOCX, XLS/XLSX) downloaded beside their article → Documents.

A catalogue PDF (the control list, a licence catalogue) becomes a `catalogue` Document with
its rows and their pages; any other attachment becomes an `annex` of its parent notice with
its text (and, for PDFs, the offset where each page starts, so facts can cite a page).
An attachment never takes its parent's number: it is cited as the parent's annex.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pdfplumber

from ingest.archive import Record
from ingest.catalogue.document import catalogue_document
from ingest.catalogue.errors import NoCatalogueTableError
from ingest.catalogue.reader import declared_pages
from ingest.document import Document
from ingest.limits import LimitError, check_page_count, check_pdf
from ingest.office import read_office
from ingest.parse.document_builder import PageFields, build_document
from ingest.parse.errors import CorruptFileError, EmptyInputError, ParseError
from ingest.sample_marks import is_sample_host

PDF_MAGIC = b"%PDF"


def attachment_name(record: Record) -> str:
    """The file name as linked (?fileName=…), else the URL's last path segment."""
    if record.name:
        return record.name
    query = parse_qs(urlparse(record.url).query)
    if query.get("fileName"):
        return unquote(query["fileName"][0])
    return PurePosixPath(urlparse(record.url).path).name or record.url


def attachment_id(record: Record) -> str:
    return f"attachment:{record.sha256[:16]}"


def _pdf_text(data: bytes, source: str) -> tuple[str, list[int]]:
    """Plain text of a PDF and the offset where each page's text starts."""
    pieces: list[str] = []
    starts: list[int] = []
    offset = 0
    check_pdf(data, source)  # stream sizes and page count, before pdfminer inflates anything
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            check_page_count(source, declared_pages(pdf))
            for page in pdf.pages:
                text = page.extract_text() or ""
                starts.append(offset)
                pieces.append(text)
                offset += len(text) + 1
    except LimitError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise CorruptFileError(source, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    return "\n".join(pieces), starts


def _office_text(data: bytes, name: str, source: str) -> str:
    suffix = PurePosixPath(name).suffix or ".bin"
    with tempfile.TemporaryDirectory(prefix="mofcom-kb-") as tmp:
        path = Path(tmp) / f"attachment{suffix}"
        path.write_bytes(data)
        # catdoc reads from a path; the error names the URL, not the scratch file.
        try:
            return read_office(path).text
        except ParseError as exc:
            raise type(exc)(source, exc.reason) from exc


def parse_attachment(data: bytes, record: Record, parent: Document | None) -> Document:
    """Parse one archived attachment; raises a ParseError subclass naming its URL."""
    source = record.url
    if not data.strip():
        raise EmptyInputError(source, "empty attachment")
    name = attachment_name(record)
    parent_title = parent.title if parent else None
    title = f"{parent_title} 附件：{name}" if parent_title else name
    meta: dict[str, Any] = {"attachment_of": parent.doc_id if parent else None, "file_name": name}
    sample = (parent.is_sample if parent else False) or is_sample_host(source)  # a sample's annex is a sample
    if data.startswith(PDF_MAGIC):
        try:
            doc = catalogue_document(
                data, url=source, sha256=record.sha256, source=record.source, title=title,
                posted_date=parent.posted_date if parent else None,
            )
        except NoCatalogueTableError:
            pass  # a PDF without the catalogue table: read as an annex below
        else:
            return dataclasses.replace(
                doc, doc_id=attachment_id(record), meta={**doc.meta, **meta},
                signed_date=parent.signed_date if parent else None, is_sample=sample,
            )
        text, page_starts = _pdf_text(data, source)
        meta["page_starts"] = page_starts
    else:
        text = _office_text(data, name, source)
    doc = build_document(PageFields(
        title=title, text=text, source=record.source, source_urls=(source,),
        posted_date=parent.posted_date if parent else None, raw_sha256=record.sha256, meta=meta,
        is_sample=sample,
    ))
    # The annex cites numbers (often its parent's); it is not the publication they name.
    return dataclasses.replace(
        doc, doc_id=attachment_id(record), doc_number=None, doc_number_printed=None,
        doc_type="annex",
        signed_date=doc.signed_date or (parent.signed_date if parent else None),
    )
