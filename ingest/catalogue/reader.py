"""Read catalogue PDFs: bytes → pages of words and rules (pdfplumber) → CatalogueTable.

The edge of the package: the only module that opens files and PDFs. Every failure becomes a
typed CatalogueError naming the file; a batch goes on past a bad file."""

from __future__ import annotations

import contextlib
import io
import math
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFStream, resolve1
from pdfplumber.utils.exceptions import PdfminerException

from ingest.catalogue.errors import (
    CatalogueError,
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    NoCatalogueTableError,
    NotPdfError,
    PdfLimitError,
    TruncatedPdfError,
)
from ingest.catalogue.header import (
    RULE_TOLERANCE,
    TableFrame,
    find_headers,
    frame_from_header,
    table_bottom,
    table_top,
)
from ingest.catalogue.page import HRule, PageContent, Rule, Word, group_lines
from ingest.catalogue.table import CatalogueTable, Layout, TableReader, load_layout
from ingest.document import CatalogueRow
from ingest.limits import LimitError, check_page_count, check_pdf, limits, read_bounded

Source = str | os.PathLike[str] | bytes
# pdfplumber merges characters closer than this into one word; table cells are further apart.
X_TOLERANCE = 2.0
MIN_RULE_LENGTH = 4.0  # points: shorter vertical strokes are glyph parts, not table borders
EOF_WINDOW = 1024  # readers accept %%EOF anywhere in the last KB (trailing junk is common)


@dataclass(frozen=True)
class CatalogueBatch:
    tables: dict[str, CatalogueTable]  # by file name, in input order
    failures: list[CatalogueError]

    @property
    def rows(self) -> dict[str, list[CatalogueRow]]:
        return {name: list(table.rows) for name, table in self.tables.items()}


def parse_catalogue(source: Source, name: str | None = None, *, password: str = "") -> list[CatalogueRow]:
    """The rows of a catalogue PDF (a path or its bytes), in printed order, each with its start page."""
    return list(read_catalogue(source, name, password=password).rows)


def read_catalogue(source: Source, name: str | None = None, *, password: str = "",
                   layout_file: Path | None = None) -> CatalogueTable:
    """The catalogue table of a PDF: rows plus the section headings between them. `layout_file`: another
    table shape (the technology catalogue's, technology_layout.json) read into the same row slots."""
    data, name = _load(source, name)
    layout = load_layout(layout_file) if layout_file else load_layout()
    reader = TableReader(layout)
    frame: TableFrame | None = None
    preamble: list[str] = []
    for page in iter_pages(data, name, password=password):
        lines = group_lines(list(page.words))
        started = frame is not None
        segments = page_segments(page, lines, frame, layout)
        if segments:
            frame = segments[-1][0]
        if not started and segments:
            # Above the first header row: the title (preamble), then any section headings opening the table.
            above = [line for line in lines if line[0].bottom <= segments[0][0].header_top]
            texts = [" ".join(w.text for w in line) for line in above]
            first = next((i for i, t in enumerate(texts) if any(p.match(t) for p in layout.headings)), len(texts))
            preamble += texts[:first]
            reader.read_headings(page.number, above[first:], segments[0][0])
        for segment_frame, segment_lines in segments:
            reader.read_page(page.number, segment_lines, segment_frame, page.hrules, page.rules)
    if frame is None:
        titles = " / ".join(dict.fromkeys(layout.titles))
        raise NoCatalogueTableError(name, f"no page has the catalogue header row ({titles[:60]} …)")
    return replace(reader.finish(), preamble=tuple(preamble))


def parse_catalogues(sources: Iterable[str | os.PathLike[str]], *, password: str = "") -> CatalogueBatch:
    """Parse each file; a file that fails is reported in `failures` and the others still parse."""
    tables: dict[str, CatalogueTable] = {}
    failures: list[CatalogueError] = []
    for source in sources:
        try:
            tables[str(source)] = read_catalogue(source, password=password)
        except CatalogueError as exc:
            failures.append(exc)
    return CatalogueBatch(tables, failures)


def page_segments(
    page: PageContent, lines: list[list[Word]], previous: TableFrame | None, layout: Layout
) -> list[tuple[TableFrame, list[list[Word]]]]:
    """The page cut at each header row: (frame, lines) per table part, header lines left out.

    Lines above the page's first header row go on with the previous page's table (its columns);
    each header row opens a table with its own columns (the column order may differ), which runs
    down to the next header row or the bottom of the page's ruling."""
    headers = find_headers(page.words, layout.titles)
    tops = [min(c.top for c in cells) for cells in headers] + [math.inf]
    segments: list[tuple[TableFrame, list[list[Word]]]] = []
    if previous is not None:
        body_top = table_top(page.rules)
        bottom = tops[0] - RULE_TOLERANCE if headers else table_bottom(page.rules, body_top)
        segments.append((previous.on_page(body_top, bottom), _between(lines, body_top, bottom)))
    for cells, next_top in zip(headers, tops[1:], strict=True):
        header_bottom = max(c.bottom for c in cells)
        under = _between(lines, header_bottom, next_top)
        frame = frame_from_header(cells, page.rules, [w for line in under for w in line])
        if next_top != math.inf:
            frame = replace(frame, body_bottom=next_top - RULE_TOLERANCE)
        segments.append((frame, [line for line in under if line[0].top <= frame.body_bottom]))
    return segments


def _between(lines: list[list[Word]], top: float, bottom: float) -> list[list[Word]]:
    return [line for line in lines if top <= line[0].top <= bottom]


def iter_pages(data: bytes, name: str, *, password: str = "") -> Iterator[PageContent]:
    """Words and vertical rules of each page; pdfminer's failures become typed errors."""
    _check_envelope(data, name)
    try:
        check_pdf(data, name)  # stream sizes and page count, before pdfminer inflates anything
    except LimitError as exc:
        raise PdfLimitError(exc.source, exc.reason) from exc
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password=password)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedPdfError(name, "password-protected PDF (no or wrong password)") from exc
        raise CorruptPdfError(name, f"unreadable PDF structure: {_describe(cause)}") from exc
    except Exception as exc:  # e.g. unreadable metadata, which pdfplumber resolves at open
        raise CorruptPdfError(name, f"unreadable PDF: {_describe(exc)}") from exc
    with _closing(pdf):
        try:
            check_page_count(name, declared_pages(pdf))
        except LimitError as exc:
            raise PdfLimitError(exc.source, exc.reason) from exc
        count = 0
        for number, page in enumerate(_lazy_pages(pdf, name), 1):
            count = number
            try:
                _check_content_streams(page.page_obj, name, number)
                words = page.extract_words(x_tolerance=X_TOLERANCE, y_tolerance=X_TOLERANCE)
                edges = page.edges
            except CatalogueError:
                raise
            except Exception as exc:  # damaged content streams raise anything from zlib to KeyError
                raise CorruptPdfError(name, f"page {number}: {_describe(exc)}") from exc
            content = PageContent(
                number=number,
                words=tuple(Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in words),
                rules=tuple(
                    Rule((e["x0"] + e["x1"]) / 2, e["top"], e["bottom"])
                    for e in edges
                    if e["orientation"] == "v" and e["bottom"] - e["top"] >= MIN_RULE_LENGTH
                ),
                hrules=tuple(
                    HRule(e["top"], e["x0"], e["x1"])
                    for e in edges
                    if e["orientation"] == "h" and e["x1"] - e["x0"] >= MIN_RULE_LENGTH
                ),
            )
            del words, edges
            _release(pdf, page)
            yield content
        if not count:
            raise EmptyPdfError(name, "PDF has no pages")


def _lazy_pages(pdf: pdfplumber.PDF, name: str) -> Iterator[pdfplumber.page.Page]:
    """The pages one at a time (pdfplumber's `pdf.pages` builds and keeps every page up front)."""
    pages = PDFPage.create_pages(pdf.doc)
    number = 0
    while True:
        try:
            page_obj = next(pages)
        except StopIteration:
            return
        except Exception as exc:  # pdfminer raises many types on a damaged page tree
            raise CorruptPdfError(name, f"unreadable page tree: {_describe(exc)}") from exc
        number += 1
        yield pdfplumber.page.Page(pdf, page_obj, page_number=number)


def _release(pdf: pdfplumber.PDF, page: pdfplumber.page.Page) -> None:
    """Drop what a read page leaves behind, so memory stays flat on long catalogues: pdfplumber's
    per-page caches, and the page's content streams in pdfminer's object cache (fonts and other
    shared resources stay cached: every page uses them)."""
    page.close()
    contents = page.page_obj.attrs.get("Contents")
    cache = getattr(pdf.doc, "_cached_objs", None)
    if cache is None:
        return
    cache.pop(page.page_obj.pageid, None)  # the page's own dictionary
    for ref in contents if isinstance(contents, list) else [contents]:
        objid = getattr(ref, "objid", None)
        if objid is not None:
            cache.pop(objid, None)


@contextlib.contextmanager
def _closing(pdf: pdfplumber.PDF) -> Iterator[pdfplumber.PDF]:
    """Close the PDF afterwards without letting close() mask the error being raised: pdfplumber's
    close() builds every page again, and a damaged page tree raises there too."""
    try:
        yield pdf
    finally:
        with contextlib.suppress(Exception):
            pdf.close()


def _check_content_streams(page: PDFPage, name: str, number: int) -> None:
    """Raise on a page whose Flate-compressed content does not inflate: pdfminer would read it as
    empty (no words, no rows) without a word."""
    contents = resolve1(page.attrs.get("Contents"))
    for ref in contents if isinstance(contents, list) else [contents]:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream) or stream.rawdata is None:
            continue  # already decoded, or no content at all (a blank page)
        if not any(f in LITERALS_FLATE_DECODE for f, _ in stream.get_filters()[:1]):
            continue
        data = stream.rawdata
        if stream.decipher and stream.objid is not None and stream.genno is not None:
            data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
        limit = limits().pdf_stream_bytes
        try:
            inflated = zlib.decompressobj().decompress(data, limit + 1)  # bounded: never the whole bomb
        except zlib.error as exc:
            raise CorruptPdfError(name, f"page {number}: damaged content stream ({exc})") from exc
        if len(inflated) > limit:
            raise PdfLimitError(name, f"page {number}: content stream inflates beyond {limit} bytes")


def _load(source: Source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, name or "<bytes>"
    path = Path(source)
    return read_bounded(path), name or str(path)


def declared_pages(pdf: pdfplumber.PDF) -> int:
    """The page count the page tree declares (/Count), read before any page is built."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
    except Exception:  # a damaged tree: pdf.pages reports it below
        return 0
    return count if isinstance(count, int) else 0


def _check_envelope(data: bytes, name: str) -> None:
    if not data.strip():
        raise EmptyPdfError(name, "empty file (0 bytes)" if not data else "file holds only whitespace")
    if b"%PDF-" not in data[:EOF_WINDOW]:
        raise NotPdfError(name, f"not a PDF (starts with {data[:16]!r})")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise TruncatedPdfError(name, f"truncated PDF: no %%EOF in its last {EOF_WINDOW} bytes ({len(data)} bytes)")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
