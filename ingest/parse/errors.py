"""Typed parse errors. Every error names its input (a file path or a URL) so a batch
report says which input failed and why; the batch itself goes on with the rest.

The catalogue PDF parser (ingest/catalogue/) subclasses ParseError for its own cases.
"""

from __future__ import annotations

from pathlib import Path


class ParseError(ValueError):
    """An input that could not be parsed. `source` is the file path or URL."""

    def __init__(self, source: str | Path, reason: str) -> None:
        self.source = str(source)
        self.reason = reason
        super().__init__(f"{self.source}: {reason}")


class EmptyInputError(ParseError):
    """Zero bytes, or only whitespace."""


class EncodingError(ParseError):
    """Bytes that no declared or detected encoding reads cleanly (or text mangled to '?')."""


class BrokenHtmlError(ParseError):
    """HTML that is truncated or lacks the elements its layout must have."""


class NotFoundPageError(ParseError):
    """A 404 page served with HTTP 200 (抱歉，您访问的页面不存在！)."""


class UnknownLayoutError(ParseError):
    """HTML that matches none of the known MOFCOM page layouts (e.g. a bare JavaScript frame)."""


class UnsupportedFormatError(ParseError):
    """A file whose content is not the format its name or media type claims."""


class ReaderMissingError(ParseError):
    """The library or binary needed to read this format is not installed."""


class CorruptFileError(ParseError):
    """A file of the right format that its reader cannot open (truncated, damaged)."""
