"""Typed errors for catalogue PDFs. Each names the file (ParseError.source) and subclasses the
generic parse error of its kind, so a batch report can treat a PDF like any other input."""

from __future__ import annotations

from ingest.limits import LimitError
from ingest.parse.errors import CorruptFileError, EmptyInputError, ParseError, UnsupportedFormatError


class CatalogueError(ParseError):
    """A catalogue PDF that could not be parsed into rows."""


class EmptyPdfError(CatalogueError, EmptyInputError):
    """Zero bytes, or a PDF with no pages."""


class NotPdfError(CatalogueError, UnsupportedFormatError):
    """Bytes that do not start with the %PDF- signature (an HTML error page, a DOC, …)."""


class CorruptPdfError(CatalogueError, CorruptFileError):
    """A PDF whose structure or content streams the reader cannot decode."""


class TruncatedPdfError(CorruptPdfError):
    """A PDF cut short: no %%EOF marker at its end (an interrupted download)."""


class EncryptedPdfError(CatalogueError):
    """A password-protected PDF and no (or the wrong) password."""


class NoCatalogueTableError(CatalogueError):
    """A readable PDF in which no page carries the catalogue's header row (序号 / 管制编码 / …)."""


class PdfLimitError(CatalogueError, LimitError):
    """A PDF over a bound of ingest/limits.yml (a stream that inflates too far, too many pages)."""
