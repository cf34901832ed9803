"""Chinese full-text search over documents, controls, HS numbers and listed entities.

SQLite's FTS5 tokenizers find nothing in Chinese (unicode61 sees a run of Han characters as one
word) and trigram misses 1- and 2-character queries. So the text indexed in `search_fts` is
pre-tokenised here: every CJK character becomes its own token, ASCII words stay whole
(1C902.a → `1c902` `a`; 2805301910 one token). A query becomes FTS5 *phrases* over the same
tokens, so 镓 and 稀土 match as exact substrings, 1C902 matches 1C902.a and 1C902.b, and an
HS prefix (28053019) matches the 10-digit numbers under it. Longer Chinese queries also match
when their jieba words occur apart: 稀土出口 → "稀 土 出 口" OR ("稀 土" AND "出 口").

Datasette (or any SQLite client) uses it as:

    SELECT s.kind, s.ref_id, s.document_id, s.title, bm25(search_fts, 10.0, 1.0) AS score
    FROM search_fts JOIN search_index s ON s.id = search_fts.rowid
    WHERE search_fts MATCH kb_fts_query(:q)
    ORDER BY score            -- bm25: lower is better; title hits weigh 10× body hits

after `register(conn)` has added the SQL function kb_fts_query (a Datasette plugin does it in
`prepare_connection`). Without it, pass `fts_query(q)` as the MATCH parameter.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kb.schema import load_schema

FTS_TABLE = "search_fts"
INDEX_TABLE = "search_index"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(f"[{_CJK}]|[0-9A-Za-z\u00c0-\u024f]+")
_DIGITS = re.compile(r"[0-9]{4,}")


class SearchQueryError(ValueError):
    """A query with nothing searchable in it."""


def normalise(text: str) -> str:
    # NFKC folds full-width forms (１Ｃ９０２．ａ) into ASCII, as the extractor prints codes. Most texts
    # are NFKC already (the parser normalises them): the quick check is a hundred times cheaper.
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


# Characters whose lowercase is not one character of the same class as theirs (İ → i + U+0307, Ɓ → ɓ outside
# the word class, ẞ → ß inside it…): lowercasing a whole text containing one would cut or make tokens that
# lowercasing each token does not, so such a text takes the per-token path. tests/test_search_tokens.py
# recomputes this set from Unicode.
_CASE_UNSAFE = re.compile(
    "[\u0130\u0181\u0186\u0189\u018a\u018f\u0190\u0193\u0194\u0196\u0197\u019c\u019d\u019f\u01a6"
    "\u01a9\u01ae\u01b1\u01b2\u01b7\u023a\u023e\u0244\u0245\u1e9e\u212a\u212b\u2c7e\u2c7f]")
# A run of CJK characters, or an ASCII/Latin word: as _TOKEN, without one match per character.
_RUN = re.compile(f"[{_CJK}]+|[0-9A-Za-z\u00c0-\u024f]+")


def tokens(text: str | None) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(normalise(text or ""))]


def runs(text: str | None) -> list[str]:
    """The text's tokens grouped: each CJK run (consecutive CJK tokens, whatever non-token characters lie
    between them) one string, each word one string, in order, lowercased. "".join(run) for a CJK run and
    the words are exactly `tokens(text)` (the index builders' fast path)."""
    text = normalise(text or "")
    pieces = tokens(text) if _CASE_UNSAFE.search(text) else _RUN.findall(text.lower())
    out: list[str] = []
    for piece in pieces:
        if out and piece[0] >= "\u3400" and out[-1][0] >= "\u3400":  # CJK after CJK: the same run
            out[-1] += piece
        else:
            out.append(piece)
    return out


def tokenize(text: str | None) -> str:
    """The indexed form of a text: one token per CJK character, ASCII words whole."""
    return " ".join(" ".join(run) if run[0] >= "\u3400" else run for run in runs(text))


def untokenize(text: str) -> str:
    """Undo `tokenize` spacing between CJK characters (for snippets shown to readers)."""
    return re.sub(f"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _phrase(toks: list[str], prefix: bool = False) -> str:
    return '"' + " ".join(toks) + '"' + ("*" if prefix else "")


def _term_query(term: str) -> str | None:
    toks = tokens(term)
    if not toks:
        return None
    whole = _phrase(toks, prefix=len(toks) == 1 and bool(_DIGITS.fullmatch(toks[0])))
    cjk = "".join(t for t in toks if _CJK_CHAR.fullmatch(t))
    if len(toks) <= 2 or len(cjk) != len(toks):
        return whole
    words = [w for w in _jieba().lcut(term) if tokens(w)]
    if len(words) < 2:
        return whole
    return f"({whole} OR ({' AND '.join(_phrase(tokens(w)) for w in words)}))"


def fts_query(user_query: str) -> str:
    """A user's query (Chinese, control codes, HS numbers, English names) → an FTS5 MATCH expression
    over search_fts. Whitespace-separated terms must all match."""
    parts = [q for q in (_term_query(term) for term in normalise(user_query).split()) if q]
    if not parts:
        raise SearchQueryError(f"search query {user_query!r} has no searchable characters")
    return " AND ".join(parts)


def register(conn: sqlite3.Connection) -> None:
    """Add kb_fts_query(q) to a connection (Datasette: in a prepare_connection plugin hook)."""
    conn.create_function("kb_fts_query", 1, fts_query, deterministic=True)


# -- building the index ------------------------------------------------------------------

def _join(*values: Any) -> str:
    return " ".join(str(v) for v in values if v)


def index_entries(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """search_index rows (kind, ref_id, document_id, title, body) for documents, controls,
    HS numbers and listed entities, in a stable order."""
    entries: list[dict[str, Any]] = []
    for d in tables.get("documents", []):
        entries.append({"kind": "document", "ref_id": d["id"], "document_id": d["id"],
                        "title": d["title"] or d["doc_number"] or d["id"],
                        "body": _join(d["doc_number"], d["doc_number_printed"], d["text"])})
    for c in tables.get("controls", []):
        entries.append({"kind": "control", "ref_id": str(c["id"]), "document_id": c["document_id"],
                        "title": _join(c["control_code"], c["item"]), "body": _join(c["part"], c["hs_codes"])})
    for h in tables.get("hs_codes", []):
        entries.append({"kind": "hs_code", "ref_id": str(h["id"]), "document_id": h["document_id"],
                        "title": h["hs_code"], "body": _join(h["control_code"], h["item"])})
    for e in tables.get("listed_entities", []):
        entries.append({"kind": "entity", "ref_id": str(e["id"]), "document_id": e["document_id"],
                        "title": _join(e["name_zh"], e["name_en"]),
                        "body": _join(e["list_name"], e["aliases"], e["address"], e["country"])})
    return [{"id": i, **entry} for i, entry in enumerate(entries, 1)]


def entry_forms(entry: dict[str, Any]) -> tuple[int, str, str]:
    """An index entry's search_fts row: its id, title and body tokenised."""
    return entry["id"], tokenize(entry["title"]), tokenize(entry["body"])


def insert_entries(conn: sqlite3.Connection, rows: Sequence[dict[str, Any]],
                   forms: Iterable[tuple[int, str, str]]) -> None:
    """search_index rows and their search_fts rows (`forms`: entry_forms of each, computed elsewhere: the
    build's over both cores)."""
    conn.executemany(
        f"INSERT INTO {INDEX_TABLE} (id, kind, ref_id, document_id, title, body) "
        "VALUES (:id, :kind, :ref_id, :document_id, :title, :body)", rows)
    conn.executemany(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (?, ?, ?)", forms)


# -- querying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: str
    document_id: str
    title: str
    score: float


def _weights() -> str:
    weights = load_schema().fts[FTS_TABLE]["rank_weights"]
    return ", ".join(str(float(w)) for w in weights)


def search(conn: sqlite3.Connection, query: str, limit: int = 20) -> list[Hit]:
    sql = (
        f"SELECT s.kind, s.ref_id, s.document_id, s.title, bm25({FTS_TABLE}, {_weights()}) AS score "
        f"FROM {FTS_TABLE} JOIN {INDEX_TABLE} s ON s.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH ? ORDER BY score, s.id LIMIT ?"
    )
    return [Hit(*row) for row in conn.execute(sql, (fts_query(query), limit))]


def search_documents(conn: sqlite3.Connection, query: str, limit: int = 10) -> list[str]:
    """Document ids ranked by how well the document itself matches; documents reached only through
    a fact row (a reference-only notice's control, say) follow."""
    # bm25() cannot sit inside an aggregate: rank the hits first, then take each document's best.
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT s.document_id, bm25({FTS_TABLE}, {_weights()}) "
        f"+ (CASE s.kind WHEN 'document' THEN 0 ELSE 1000 END) AS score "
        f"FROM {FTS_TABLE} JOIN {INDEX_TABLE} s ON s.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH ?) "
        f"SELECT document_id, min(score) AS best FROM hits GROUP BY document_id ORDER BY best, document_id LIMIT ?"
    )
    return [row[0] for row in conn.execute(sql, (fts_query(query), limit))]
