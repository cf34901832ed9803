"""Search snippets cut from the text as printed (documents.text, never the lower-cased index form), with
every occurrence of the query's terms marked. Pure: returns segments; the page escapes and marks them."""

from __future__ import annotations

import re
from typing import NamedTuple

from kb import search as kb_search

WIDTH = 48  # characters shown on each side of the first hit


class Piece(NamedTuple):
    text: str
    hit: bool


def terms(query: str) -> list[str]:
    """What to look for in the text: each whitespace-separated term of the query, and the words jieba
    cuts a long Chinese term into (a hit may match them apart: kb.search.fts_query)."""
    out: list[str] = []
    for term in kb_search.normalise(query).split():
        out.append(term)
        if len(term) > 2 and all(kb_search._CJK_CHAR.fullmatch(ch) for ch in term):
            out += [w for w in kb_search._jieba().lcut(term) if len(w) > 1 or kb_search._CJK_CHAR.fullmatch(w)]
    return sorted(set(out), key=len, reverse=True)  # longest first, so 稀土 wins over 土 in the regex


def hit_pattern(query: str) -> re.Pattern[str] | None:
    found = [t for t in terms(query) if t.strip()]
    if not found:
        return None
    return re.compile("|".join(re.escape(t) for t in found), re.IGNORECASE)


def snippet(text: str | None, query: str, width: int = WIDTH) -> list[Piece]:
    """About 2 × `width` characters around the first hit of the query in `text`, every hit inside marked;
    [] when the text holds no hit (the document matched through one of its facts)."""
    if not text:
        return []
    pattern = hit_pattern(query)
    first = pattern.search(text) if pattern else None
    if pattern is None or first is None:
        return []
    start, end = max(0, first.start() - width), min(len(text), first.end() + width)
    window = " ".join(text[start:end].split())  # one line: the text's line breaks would only clutter a list
    pieces: list[Piece] = [Piece("…", False)] if start > 0 else []
    at = 0
    for m in pattern.finditer(window):
        if m.start() > at:
            pieces.append(Piece(window[at:m.start()], False))
        pieces.append(Piece(m.group(0), True))
        at = m.end()
    if at < len(window):
        pieces.append(Piece(window[at:], False))
    if end < len(text):
        pieces.append(Piece("…", False))
    return pieces
