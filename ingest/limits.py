"""Bounds on untrusted input (limits.yml beside this module), and the checks that enforce them
before the expensive step: a ZIP's directory before inflating it, a PDF's streams inflated only up
to the bound, a file's size before reading it. Each violation is a LimitError naming the input."""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.parse.errors import ParseError

LIMITS_FILE = Path(__file__).with_name("limits.yml")
LIMITS_ENV = "MOFCOM_KB_LIMITS"


class LimitError(ParseError):
    """An input over one of the bounds of limits.yml (too big, too deep, too slow)."""


@dataclass(frozen=True)
class Limits:
    response_bytes: int
    file_bytes: int
    record_bytes: int
    document_text_chars: int
    zip_uncompressed_bytes: int
    zip_ratio: float
    zip_members: int
    pdf_stream_bytes: int
    pdf_pages: int
    html_depth: int
    document_seconds: float


@cache
def _load(override: str | None) -> Limits:
    data: dict[str, Any] = yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8"))
    if override:
        data.update(yaml.safe_load(Path(override).read_text(encoding="utf-8")) or {})
    names = {f.name for f in fields(Limits)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{override or LIMITS_FILE}: unknown limits {', '.join(unknown)}")
    missing = sorted(names - set(data))
    if missing:
        raise ValueError(f"{LIMITS_FILE}: missing limits {', '.join(missing)}")
    return Limits(**data)


def limits() -> Limits:
    return _load(os.environ.get(LIMITS_ENV) or None)


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{int(n)} bytes"


def check_size(source: str | Path, size: int, limit: int, what: str = "file") -> None:
    if size > limit:
        raise LimitError(source, f"{what} of {_mib(size)} is over the {_mib(limit)} limit")


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, refused before reading when it is over `limit` (default: file_bytes)."""
    limit = limits().file_bytes if limit is None else limit
    check_size(path, path.stat().st_size, limit)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)  # the file may have grown since stat
    check_size(path, len(data), limit)
    return data


def check_text(source: str | Path, text: str) -> None:
    limit = limits().document_text_chars
    if len(text) > limit:
        raise LimitError(source, f"text of {len(text):,} characters is over the {limit:,}-character limit")


def check_zip(content: bytes, source: str | Path) -> zipfile.ZipFile:
    """Open a ZIP container after checking its directory (sizes as declared, before inflating
    anything): member count, total uncompressed size, compression ratio."""
    bounds = limits()
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = archive.infolist()
    if len(members) > bounds.zip_members:
        raise LimitError(source, f"ZIP of {len(members)} members is over the {bounds.zip_members}-member limit")
    total = sum(m.file_size for m in members)
    check_size(source, total, bounds.zip_uncompressed_bytes, "ZIP content (uncompressed)")
    ratio = total / max(1, len(content))
    if ratio > bounds.zip_ratio:
        raise LimitError(source, f"ZIP inflates {ratio:.0f}x ({_mib(total)} from {_mib(len(content))}), "
                                 f"over the {bounds.zip_ratio:g}x ratio limit (a zip bomb?)")
    return archive


_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_END = re.compile(rb"endstream")
_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")


def inflate_bounded(data: bytes, limit: int) -> int | None:
    """Bytes `data` inflates to, reading at most limit+1 of them; None when it is not zlib data."""
    inflater = zlib.decompressobj()
    total = 0
    chunk = data
    try:
        while chunk and total <= limit:
            out = inflater.decompress(chunk, limit + 1 - total)
            total += len(out)
            chunk = inflater.unconsumed_tail
    except zlib.error:
        return None if total == 0 else total
    return total


def check_pdf(content: bytes, source: str | Path) -> None:
    """Scan a PDF's raw bytes before any reader opens it: every Flate stream inflated only up to
    pdf_stream_bytes (a 1 MB file may hold a 1 GiB stream), and the page count its page trees declare."""
    bounds = limits()
    pos = 0
    while m := _STREAM.search(content, pos):
        end = _END.search(content, m.end())
        stop = end.start() if end else len(content)
        size = inflate_bounded(content[m.end():stop], bounds.pdf_stream_bytes)
        if size is not None and size > bounds.pdf_stream_bytes:
            raise LimitError(source, f"a PDF stream at byte {m.end()} inflates beyond the "
                                     f"{_mib(bounds.pdf_stream_bytes)} limit")
        pos = stop + 1
    counts = [int(a or b) for a, b in _PAGES.findall(content)]
    if counts and max(counts) > bounds.pdf_pages:
        raise LimitError(source, f"PDF of {max(counts)} pages is over the {bounds.pdf_pages}-page limit")


def check_page_count(source: str | Path, pages: int) -> None:
    limit = limits().pdf_pages
    if pages > limit:
        raise LimitError(source, f"PDF of {pages} pages is over the {limit}-page limit")
