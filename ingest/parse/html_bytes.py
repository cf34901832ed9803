"""HTML bytes → text, decoded by us (never by an HTTP library's guess).

Order: a byte-order mark; strict UTF-8 when the bytes are valid UTF-8 (a GBK page read as UTF-8
fails loudly, while UTF-8 read as GBK silently yields mojibake); the charset declared in the
Content-Type header or a <meta> tag (GB2312/GBK read as their superset GB18030); GB18030.
Bytes that none of these read cleanly raise EncodingError naming the input.
"""

from __future__ import annotations

import codecs
import re

from ingest.parse.errors import EmptyInputError, EncodingError, UnsupportedFormatError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_NOT_HTML = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")


def declared_charset(content: bytes, content_type: str | None = None) -> str | None:
    """The charset the server or the page declares, lower-cased, GB family as gb18030."""
    found = _HEADER_CHARSET.search(content_type or "")
    name = found.group(1) if found else None
    if name is None:
        meta = _META_CHARSET.search(content[:4096])
        name = meta.group(1).decode("ascii") if meta else None
    if name is None:
        return None
    name = name.lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None  # an unknown label is no declaration


def decode_html(content: bytes, source: str, content_type: str | None = None) -> str:
    if not content.strip():
        raise EmptyInputError(source, "empty page (0 bytes or whitespace only)")
    if content.startswith(_NOT_HTML):
        raise UnsupportedFormatError(source, "binary file (PDF, Office, image), not an HTML page")
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    if b"\x00" in content[:2048]:
        raise EncodingError(source, "NUL bytes in the page: UTF-16 without a byte-order mark, or not text")
    declared = declared_charset(content, content_type)
    tried = tuple(dict.fromkeys(("utf-8", declared or "gb18030", "gb18030")))
    for encoding in tried:
        try:
            return content.decode(encoding, errors="strict")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and exc.start >= len(content) - 4:
                # a page cut inside its last character: decode what arrived; the caller judges the rest
                return content[: exc.start].decode(encoding)
        except LookupError:
            continue
    raise EncodingError(
        source, f"bytes readable in none of {', '.join(tried)} (declared: {declared or 'none'})"
    )
