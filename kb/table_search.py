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


def build(conn: sqlite3.Connection, mapper: ChunkMapper = in_process, chunk: int = 1000,
          skip: Iterable[str] = ()) -> dict[str, int]:
    """Create and fill every <table>_fts (but those of `skip`: built apart) from its table's rows, `chunk`
    rows at a time (`mapper` computes the indexed forms: the build's runs over both cores while this process
    inserts what is done, so chunks are small enough to overlap); returns the rows indexed per table."""
    conn.create_function("kb_index_form", 1, index_form, deterministic=True)  # incremental builds use it
    counts: dict[str, int] = {}
    order: list[str] = []  # the table of each chunk handed to the mapper, in order
    chosen = {t: cols for t, cols in tables().items() if t not in set(skip)}

    def chunks() -> Iterator[list[Any]]:
        for table, columns in chosen.items():
            conn.execute(ddl(table, columns))
            counts[table] = 0
            cursor = conn.execute(f"SELECT rowid, {', '.join(f'[{c}]' for c in columns)} FROM [{table}] ORDER BY rowid")
            while rows := cursor.fetchmany(chunk):
                order.append(table)
                yield rows

    inserts = {table: f"INSERT INTO [{fts_name(table)}] (rowid, {', '.join(f'[{c}]' for c in columns)}) "
                      f"VALUES ({', '.join('?' * (len(columns) + 1))})" for table, columns in chosen.items()}
    for done, forms in mapper(row_forms, chunks()):
        table = order.pop(0)
        conn.executemany(inserts[table], forms)
        counts[table] += len(done)
    for table in chosen:
        conn.execute(f"INSERT INTO [{fts_name(table)}]([{fts_name(table)}]) VALUES ('optimize')")
    return counts


# FTS5's tables behind <table>_fts (external content: no _content): copied whole, they are the index.
SHADOWS = ("data", "idx", "docsize", "config")


class ApartBuild:
    """One <table>_fts built in another process, into a file of its own, while this one goes on writing
    the database (SQLite has one writer per file; the FTS inserts are C time in the writer, the longest
    serial stretch of a full build). `start` takes the table's rows (final by then) and forks; `finish`
    waits and copies the index's shadow tables in. The same inserts in the same order, then 'optimize':
    the index holds exactly what `build` would have put there."""

    def __init__(self, table: str, side: Path, process: Any) -> None:
        self.table, self.side, self.process = table, side, process

    @classmethod
    def start(cls, conn: sqlite3.Connection, table: str, side: Path, chunk: int = 1000) -> ApartBuild:
        import multiprocessing

        columns = tables()[table]
        rows = conn.execute(f"SELECT rowid, {', '.join(f'[{c}]' for c in columns)} FROM [{table}] "
                            "ORDER BY rowid").fetchall()
        side.unlink(missing_ok=True)
        # Forked: the child has the rows without pickling; it never touches this process's connection.
        process = multiprocessing.get_context("fork").Process(target=_build_apart, args=(side, table, rows, chunk),
                                                              daemon=True)
        process.start()
        return cls(table, side, process)

    def finish(self, conn: sqlite3.Connection) -> None:
        """Outside a transaction (ATTACH needs that): the index in, the side file gone."""
        self.process.join()
        try:
            if self.process.exitcode != 0:
                raise sqlite3.OperationalError(f"{self.side}: building {fts_name(self.table)} apart failed "
                                               f"(exit code {self.process.exitcode})")
            fts = fts_name(self.table)
            conn.execute("ATTACH DATABASE ? AS apart", (str(self.side),))
            try:
                conn.execute("BEGIN")
                conn.execute(ddl(self.table, tables()[self.table]))
                for shadow in SHADOWS:
                    conn.execute(f"DELETE FROM main.[{fts}_{shadow}]")
                    conn.execute(f"INSERT INTO main.[{fts}_{shadow}] SELECT * FROM apart.[{fts}_{shadow}]")
                conn.execute("COMMIT")
            finally:
                conn.execute("DETACH DATABASE apart")
        finally:
            self.side.unlink(missing_ok=True)

    def abandon(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.side.unlink(missing_ok=True)


def _build_apart(side: Path, table: str, rows: list[tuple[Any, ...]], chunk: int) -> None:
    conn = sqlite3.connect(side, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file, copied then deleted
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        columns = tables()[table]
        conn.execute(ddl(table, columns))
        insert = (f"INSERT INTO [{fts_name(table)}] (rowid, {', '.join(f'[{c}]' for c in columns)}) "
                  f"VALUES ({', '.join('?' * (len(columns) + 1))})")
        for i in range(0, len(rows), chunk):
            conn.executemany(insert, [row_forms(row) for row in rows[i:i + chunk]])
        conn.execute(f"INSERT INTO [{fts_name(table)}]([{fts_name(table)}]) VALUES ('optimize')")
        conn.execute("COMMIT")
    finally:
        conn.close()
