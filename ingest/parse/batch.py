"""A batch of saved files (article pages, Office attachments, catalogue PDFs) → parsed results
and typed failures. One bad file never stops the batch; each failure names its file.

The kind of a file is read from its bytes, not its name: %PDF → ingest.catalogue, a ZIP or OLE2
container → ingest.office, anything else → an article page (ingest.parse.article).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.document import CatalogueRow, Document
from ingest.office import OLE2, ZIP, OfficeText, read_office
from ingest.parse.article import article_document
from ingest.parse.errors import CorruptFileError, ParseError

Parsed = Document | OfficeText | list[CatalogueRow]


@dataclass(frozen=True)
class BatchFailure:
    source: str  # the file
    error: str  # the error's class name, e.g. EncodingError
    reason: str
    typed: bool = True  # False: an unexpected exception (a parser bug), still contained


@dataclass
class BatchResult:
    parsed: dict[str, Parsed] = field(default_factory=dict)  # by file path, in input order
    failures: list[BatchFailure] = field(default_factory=list)


def file_kind(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((ZIP, OLE2)):
        return "office"
    return "page"


def parse_file(path: Path, *, source: str = "files") -> Parsed:
    name = str(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CorruptFileError(name, f"cannot read the file ({exc.strerror})") from exc
    kind = file_kind(content[:8])
    if kind == "pdf":
        from ingest.catalogue.reader import parse_catalogue  # the catalogue teammate's parser

        return parse_catalogue(content, name)
    if kind == "office":
        return read_office(path)
    return article_document(content, name, source=source)


def parse_files(paths: Iterable[Path], *, source: str = "files") -> BatchResult:
    result = BatchResult()
    for path in paths:
        try:
            result.parsed[str(path)] = parse_file(path, source=source)
        except ParseError as exc:
            result.failures.append(BatchFailure(exc.source, type(exc).__name__, exc.reason))
        except Exception as exc:  # a parser bug must not stop the batch either; reported as untyped
            result.failures.append(BatchFailure(str(path), type(exc).__name__, str(exc), typed=False))
    return result
