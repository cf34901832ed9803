"""Office attachments → text and tables: DOCX (python-docx), DOC and WPS (Debian `catdoc`),
XLS (xlrd), XLSX (openpyxl).

The format is read from the bytes (ZIP containers are told apart by their parts, OLE2 files by
trying the spreadsheet reader first); a name that lies (a PDF called .doc) is an error, not a
guess. Every failure is a ParseError subclass naming the file; a missing reader library or
binary raises ReaderMissingError saying what to install.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from ingest.limits import check_zip, read_bounded
from ingest.parse.errors import (
    CorruptFileError,
    EmptyInputError,
    EncodingError,
    ParseError,
    ReaderMissingError,
    UnsupportedFormatError,
)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
CATDOC_TIMEOUT_S = 60
OFFICE_SUFFIXES = (".doc", ".docx", ".wps", ".xls", ".xlsx", ".et")

Table = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class OfficeText:
    source: str  # the file's path or name
    format: str  # docx | doc | xls | xlsx
    text: str  # paragraphs and table rows, one per line (cells joined by a tab)
    tables: tuple[Table, ...] = ()  # DOCX tables and spreadsheet sheets, row by row
    sheet_names: tuple[str, ...] = ()


def _module(name: str, source: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ReaderMissingError(
            source, f"the {package} library is not installed (pip install {package})"
        ) from exc


def sniff_format(content: bytes, source: str) -> str:
    """docx, xlsx, ole2 (DOC or XLS), or an error naming the file."""
    if not content.strip():
        raise EmptyInputError(source, "empty file")
    if content.startswith(ZIP):
        try:
            names = set(check_zip(content, source).namelist())  # the directory is checked before inflating
        except zipfile.BadZipFile as exc:
            raise CorruptFileError(source, f"damaged ZIP container ({exc})") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnsupportedFormatError(source, "a ZIP file that is neither DOCX nor XLSX")
    if content.startswith(OLE2):
        return "ole2"
    if content.startswith(b"%PDF"):
        raise UnsupportedFormatError(
            source, "a PDF, not an Office file (catalogue PDFs go to ingest.catalogue)"
        )
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise UnsupportedFormatError(
            source, "an HTML page, not an Office file (an error page saved as the download?)"
        )
    raise UnsupportedFormatError(source, "not an Office file (no DOCX/XLSX/DOC/XLS signature)")


@contextlib.contextmanager
def _damage_as(source: str, library: str) -> Iterator[None]:
    """A reader library meeting damaged bytes raises anything (struct.error, KeyError, zlib.error…),
    at open or later, row by row: each becomes a CorruptFileError naming the file."""
    try:
        yield
    except ParseError:
        raise
    except Exception as exc:
        raise CorruptFileError(source, f"{library} cannot read it ({type(exc).__name__}: {exc})"[:300]) from exc


def _cell(value: object) -> str:
    """Spreadsheet cells: 2841801000.0 (an HS number stored as a float) → '2841801000'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _lines(tables: tuple[Table, ...], names: tuple[str, ...]) -> str:
    out: list[str] = []
    for name, table in zip(names, tables, strict=True):
        out.append(name)
        out.extend("\t".join(row) for row in table if any(row))
    return "\n".join(out)


def _read_docx(content: bytes, source: str) -> OfficeText:
    docx = _module("docx", source, "python-docx")
    with _damage_as(source, "python-docx"):
        return _docx_text(docx, docx.Document(io.BytesIO(content)), source)


def _docx_text(docx: ModuleType, document: object, source: str) -> OfficeText:
    lines: list[str] = []
    tables: list[Table] = []
    table_type = docx.table.Table
    paragraph_type = docx.text.paragraph.Paragraph
    for block in document.element.body.iterchildren():  # type: ignore[attr-defined]  # body order: paragraphs and tables interleaved
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = paragraph_type(block, document).text.strip()
            if text:
                lines.append(text)
        elif tag == "tbl":
            table = tuple(
                tuple(cell.text.strip() for cell in row.cells) for row in table_type(block, document).rows
            )
            tables.append(table)
            lines.extend("\t".join(row) for row in table if any(row))
    return OfficeText(source, "docx", "\n".join(lines), tuple(tables))


def _read_xlsx(content: bytes, source: str) -> OfficeText:
    openpyxl = _module("openpyxl", source, "openpyxl")
    with _damage_as(source, "openpyxl"):  # read_only: rows are parsed as they are iterated
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            names = tuple(book.sheetnames)
            tables = tuple(
                tuple(tuple(_cell(v) for v in row) for row in book[name].iter_rows(values_only=True))
                for name in names
            )
        finally:
            book.close()
    return OfficeText(source, "xlsx", _lines(tables, names), tables, names)


def _read_xls(content: bytes, source: str) -> OfficeText | None:
    """None when the OLE2 file is not a workbook (then it is a Word/WPS document)."""
    xlrd = _module("xlrd", source, "xlrd")
    with _damage_as(source, "xlrd"):
        try:
            # xlrd writes warnings to its logfile (stdout by default): never into our output
            book = xlrd.open_workbook(file_contents=content, on_demand=True, logfile=io.StringIO())
        except xlrd.biffh.XLRDError as exc:
            if "workbook" in str(exc).lower() or "BOF" in str(exc):  # an OLE2 file without a Workbook stream
                return None
            raise
        names = tuple(book.sheet_names())
        tables = tuple(
            tuple(tuple(_cell(v) for v in sheet.row_values(r)) for r in range(sheet.nrows))
            for sheet in (book.sheet_by_name(n) for n in names)
        )
    return OfficeText(source, "xls", _lines(tables, names), tables, names)


def _read_doc(path: Path, source: str) -> OfficeText:
    catdoc = shutil.which("catdoc")
    if catdoc is None:
        raise ReaderMissingError(source, "the catdoc binary is missing (apt-get install catdoc)")
    try:
        done = subprocess.run(
            [catdoc, "-d", "utf-8", "-w", str(path)],
            capture_output=True,
            timeout=CATDOC_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptFileError(source, f"catdoc took longer than {CATDOC_TIMEOUT_S}s") from exc
    if done.returncode != 0:
        raise CorruptFileError(
            source, f"catdoc failed: {done.stderr.decode('utf-8', 'replace').strip()[:200]}"
        )
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError(source, "catdoc's output is not UTF-8") from exc
    lines = [line.strip() for line in text.replace("\r", "\n").replace("\f", "\n").split("\n")]
    return OfficeText(source, "doc", "\n".join(line for line in lines if line))


def read_office(path: Path) -> OfficeText:
    """Read one Office file from disk."""
    source = str(path)
    try:
        content = read_bounded(path)
    except OSError as exc:
        raise CorruptFileError(source, f"cannot read the file ({exc.strerror})") from exc
    kind = sniff_format(content, source)
    if kind == "docx":
        return _read_docx(content, source)
    if kind == "xlsx":
        return _read_xlsx(content, source)
    sheet = _read_xls(content, source)
    return sheet if sheet is not None else _read_doc(path, source)
