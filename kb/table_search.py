"""Full-text search the way Datasette and sqlite-utils expect it: `<table>_fts` beside each table
named in table_search.yml, so `?_search=` on the table pages, `dclient rows --search` and
`sqlite-utils search` find 1- and 2-character Chinese queries (镓, 稀土) and English names.

Both tools send the user's words to FTS5 as quoted phrases, and FTS5's unicode61 tokenizer sees a run
of Chinese characters as one word. So the indexed text is rewritten here: each CJK character is a
token and so is each pair of adjacent characters (稀土物项 → 稀 土 物 项 稀土 土物 物项), ASCII words
stay whole (1C902.a → 1c902 a). A query of one or two characters is then one token of the index. The
FTS tables are external-content (content=[documents]): what they return is the original row, and
both tools detect them from that declaration. For longer Chinese queries Datasette is given
`escape_fts` from `escape_query` (a run of 3+ characters becomes its adjacent pairs, all required);
`sqlite-utils search` sends them as they are and finds only 1–2 character words.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kb.search import runs

CONFIG = Path(__file__).with_name("table_search.yml")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]{3,}")
TOKENIZE = "unicode61 remove_diacritics 2"
# (function, chunks) → (chunk, its results) per chunk, in order: kb.extract_pool.map_chunks, or in_process.
ChunkMapper = Callable[[Callable[[Any], Any], Iterable[Sequence[Any]]], Iterator[tuple[Sequence[Any], list[Any]]]]


@cache
def tables() -> dict[str, list[str]]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {str(t): [str(c) for c in cols] for t, cols in data.items()}


def fts_name(table: str) -> str:
    return f"{table}_fts"


def index_form(text: str | None) -> str:
    """The indexed form: CJK characters and adjacent pairs as tokens, ASCII words whole."""
    out: list[str] = []
    for run in runs(text):
        if run[0] >= "\u3400":  # a CJK run: its characters, then its adjacent pairs
            out.extend(run)
            out.extend(map(str.__add__, run, run[1:]))
        else:
            out.append(run)
    return " ".join(out)


def pairs(run: str) -> str:
    return " ".join(a + b for a, b in zip(run, run[1:], strict=False))


def escape_query(query: str) -> str:
    """Datasette's escape_fts, with each Chinese run of 3+ characters split into its adjacent pairs
    (each a phrase, all required): 稀土物项 → "稀土" "土物" "物项"."""
    from datasette.utils import escape_fts

    return str(escape_fts(_CJK_RUN.sub(lambda m: pairs(m.group(0)), query)))


def ddl(table: str, columns: list[str]) -> str:
    cols = ", ".join(f"[{c}]" for c in columns)
    return f"CREATE VIRTUAL TABLE [{fts_name(table)}] USING fts5({cols}, content=[{table}], tokenize='{TOKENIZE}')"


def row_forms(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """(rowid, column values…) → (rowid, their indexed forms…)."""
    return (row[0], *(index_form(v) for v in row[1:]))


def in_process(function: Callable[[Any], Any], chunks: Iterable[Sequence[Any]]) -> Iterator[tuple[Sequence[Any], list[Any]]]:
    """A ChunkMapper in this process (kb.extract_pool.map_chunks is the build's, over both cores)."""
    for chunk in chunks:
        yield chunk, [function(item) for item in chunk]


def build(conn: sqlite3.Connection, mapper: ChunkMapper = in_process, chunk: int = 1000) -> dict[str, int]:
    """Create and fill every <table>_fts from its table's rows, `chunk` rows at a time (`mapper` computes
    the indexed forms: the build's runs over both cores while this process inserts what is done, so chunks
    are small enough to overlap); returns the rows indexed per table."""
    conn.create_function("kb_index_form", 1, index_form, deterministic=True)  # incremental builds use it
    counts: dict[str, int] = {}
    order: list[str] = []  # the table of each chunk handed to the mapper, in order

    def chunks() -> Iterator[list[Any]]:
        for table, columns in tables().items():
            conn.execute(ddl(table, columns))
            counts[table] = 0
            cursor = conn.execute(f"SELECT rowid, {', '.join(f'[{c}]' for c in columns)} FROM [{table}] ORDER BY rowid")
            while rows := cursor.fetchmany(chunk):
                order.append(table)
                yield rows

    inserts = {table: f"INSERT INTO [{fts_name(table)}] (rowid, {', '.join(f'[{c}]' for c in columns)}) "
                      f"VALUES ({', '.join('?' * (len(columns) + 1))})" for table, columns in tables().items()}
    for done, forms in mapper(row_forms, chunks()):
        table = order.pop(0)
        conn.executemany(inserts[table], forms)
        counts[table] += len(done)
    for table in tables():
        conn.execute(f"INSERT INTO [{fts_name(table)}]([{fts_name(table)}]) VALUES ('optimize')")
    return counts
