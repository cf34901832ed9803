"""A catalogue PDF as a Document (doc_type "catalogue"): its rows, and a text made of them.

The text holds one line per heading, row and note, so kb/ can search and cite it like any other
document; `meta["row_lines"]` maps each row to its line's character range in that text."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from ingest.catalogue.datasets import kind_of
from ingest.catalogue.errors import NoCatalogueTableError
from ingest.catalogue.reader import read_catalogue
from ingest.catalogue.table import CatalogueTable, Heading
from ingest.document import CatalogueRow, Document

SOURCE = "catalogue"


def row_line(row: CatalogueRow) -> str:
    cells = (row.seq, row.control_code, row.name, row.reference_name, " ".join(row.hs_codes), row.unit)
    return "\t".join(cell or "" for cell in cells)


def table_text(table: CatalogueTable) -> tuple[str, list[tuple[int, int]]]:
    """The table as text, and each row's (start, end) offsets in it."""
    headings: dict[int, list[Heading]] = {}
    for heading in table.headings:
        headings.setdefault(heading.first_row, []).append(heading)
    lines: list[str] = list(table.preamble)
    spans = []
    offset = sum(len(line) + 1 for line in lines)
    for index in range(len(table.rows) + 1):
        for heading in headings.get(index, ()):
            for line in (heading.text, *heading.notes):
                lines.append(line)
                offset += len(line) + 1
        if index == len(table.rows):
            break
        row = table.rows[index]
        line = row_line(row)
        spans.append((offset, offset + len(line)))
        lines.append(line)
        offset += len(line) + 1
        for note in (row.notes or "").splitlines():
            lines.append(note)
            offset += len(note) + 1
    return "\n".join(lines), spans


def catalogue_document(
    data: bytes,
    *,
    url: str,
    sha256: str,
    source: str = SOURCE,
    title: str | None = None,
    posted_date: dt.date | None = None,
) -> Document:
    """Parse a catalogue PDF's bytes (raises a CatalogueError naming `url`) into a Document: a control
    list or licence catalogue (its rows), else the technology catalogue or an amendment of it (its
    entries in meta["technology"], each with the amendment's action and its line in the text)."""
    provenance = PurePosixPath(urlparse(url).path).name or url
    try:
        table = read_catalogue(data, url)
    except NoCatalogueTableError:
        from ingest.catalogue import technology

        try:
            tech = technology.read_table(data, url)
        except NoCatalogueTableError:
            raise NoCatalogueTableError(url, "no page has a catalogue header row (序号 / 管制编码 / 物项名称及描述 …, "
                                             "or 序号 / 技术名称 / 编号 / 控制要点)") from None
        text, spans = table_text(tech)
        entries = [{**dataclasses.asdict(entry), "action": action, "line": list(span)}
                   for (action, entry), span in zip(technology.entries_of(tech), spans, strict=True)]
        edition = {"kind": "technology_catalogue", "provenance": provenance,
                   "amendment": any(e["action"] for e in entries)}
        doc = table_document(tech, url=url, sha256=sha256, source=source, title=title, posted_date=posted_date,
                             edition=edition)
        # its entries are technologies, not control-list rows: no CatalogueRows (no controls facts)
        return dataclasses.replace(doc, rows=(), meta={**doc.meta, "technology": entries})
    edition = {"kind": kind_of(title, *table.preamble[:3], *(h.text for h in table.headings[:1])),
               "provenance": provenance}
    return table_document(table, url=url, sha256=sha256, source=source, title=title, posted_date=posted_date,
                          edition=edition)


def table_document(
    table: CatalogueTable,
    *,
    url: str,
    sha256: str,
    source: str = SOURCE,
    title: str | None = None,
    posted_date: dt.date | None = None,
    edition: dict[str, Any] | None = None,
) -> Document:
    """A catalogue table (from a PDF or a dataset file) as a Document; `edition` says what it is an
    edition of (kind, provenance, and what its source states: effective date, issuing notice)."""
    text, spans = table_text(table)
    meta: dict[str, Any] = {"pages": table.pages, "row_lines": spans}
    if edition:
        meta["edition"] = {k: v for k, v in edition.items() if v is not None}
    return Document(
        doc_id=f"{source}:{sha256[:16]}",
        doc_type="catalogue",
        title=title or (table.preamble[0] if table.preamble else PurePosixPath(urlparse(url).path).name),
        text=text,
        original_text=text,
        source=source,
        posted_date=posted_date,
        source_urls=(url,),
        rows=table.rows,
        raw_sha256=sha256,
        meta=meta,
    )
