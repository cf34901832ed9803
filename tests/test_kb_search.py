"""Chinese full-text search (kb/search.py): the query transformation, and the ranking over the
session's built knowledge base (samples, team-written kb samples and, when present, the corpus)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb import search
from kb.search import SearchQueryError, fts_query, tokenize, untokenize


@pytest.fixture(scope="module")
def conn(built_kb: Path) -> Iterator[sqlite3.Connection]:
    c = sqlite3.connect(built_kb)
    yield c
    c.close()


@pytest.fixture(scope="module")
def samples_conn(samples_kb: Path) -> Iterator[sqlite3.Connection]:
    """The samples-only build: the only one printing 镓 in a title, 1C902, 锂电池 and 2805301910 (the corpus
    build leaves samples out, so these terms are tested where they are)."""
    c = sqlite3.connect(samples_kb)
    yield c
    c.close()


def titles(conn: sqlite3.Connection, query: str, n: int = 3) -> list[str]:
    ids = search.search_documents(conn, query, limit=n)
    return [conn.execute("SELECT coalesce(title, id) FROM documents WHERE id = ?", (i,)).fetchone()[0] for i in ids]


def test_tokenize_splits_han_characters_and_keeps_codes_whole() -> None:
    assert tokenize("对镓、锗实施1C902.a管制（２８０５３０１９１０）") == "对 镓 锗 实 施 1c902 a 管 制 2805301910"
    assert untokenize("对 镓 锗 实 施 1c902 a") == "对镓锗实施 1c902 a"


@pytest.mark.parametrize(("query", "expected"), [
    ("镓", '"镓"'),
    ("稀土", '"稀 土"'),
    ("1C902", '"1c902"'),
    ("１Ｃ９０２．ａ", '"1c902 a"'),
    ("2805301910", '"2805301910"*'),  # digits: an HS prefix matches the longer numbers under it
    ("Terra Drone", '"terra" AND "drone"'),
    ('稀土"', '"稀 土"'),  # a stray quote cannot break the MATCH syntax
])
def test_fts_query(query: str, expected: str) -> None:
    assert fts_query(query) == expected


def test_long_chinese_query_also_matches_its_words_apart() -> None:
    assert fts_query("稀土出口管制") == '("稀 土 出 口 管 制" OR ("稀 土" AND "出 口" AND "管 制"))'


def test_query_with_nothing_searchable_is_a_typed_error() -> None:
    with pytest.raises(SearchQueryError, match="、。"):
        fts_query("、。")


def test_one_character_query_finds_the_gallium_notice_first(samples_conn: sqlite3.Connection) -> None:
    assert "镓" in titles(samples_conn, "镓")[0]


def test_two_character_query_ranks_rare_earth_titles_first(conn: sqlite3.Connection) -> None:
    top = titles(conn, "稀土", 3)
    assert len(top) == 3 and all("稀土" in t for t in top)


def test_three_character_query_finds_the_lithium_battery_notice(samples_conn: sqlite3.Connection) -> None:
    assert "锂电池" in titles(samples_conn, "锂电池")[0]


def test_control_code_and_hs_number_find_the_notice_that_prints_them(samples_conn: sqlite3.Connection) -> None:
    assert "2025年第18号" in titles(samples_conn, "1C902")[0]
    assert "2025年第18号" in titles(samples_conn, "2805301910")[0]
    assert titles(samples_conn, "1C999") == []


def test_the_corpus_build_finds_no_sample_only_term(conn: sqlite3.Connection, corpus_dir: Path) -> None:
    """With real texts in the archive the samples are left out, so what only they print is not found."""
    assert conn.execute("select count(*) from documents where is_sample = 1").fetchone()[0] == 0
    assert titles(conn, "锂电池") == [] and titles(conn, "样例") == []  # printed by samples only
    # 2805301910 is printed by a sample and by the real 2026 licence catalogue: only the real one is found
    hits = search.search_documents(conn, "2805301910", limit=20)
    assert hits and all(conn.execute("select is_sample from documents where id = ?", (d,)).fetchone()[0] == 0
                        for d in hits)


def test_common_term_search_works_across_the_corpus(conn: sqlite3.Connection, corpus_dir: Path) -> None:
    assert len(search.search_documents(conn, "出口", limit=100)) >= 40
    assert "稀土" in titles(conn, "稀土 出口")[0]


def test_entity_english_name_finds_its_list_notice(conn: sqlite3.Connection, corpus_dir: Path) -> None:
    assert "2026年第28号" in titles(conn, "Terra Drone")[0]
    assert "2026年第23号" in titles(conn, "Red Cat Holdings")[0]


def test_documented_sql_pattern_with_the_registered_function(samples_conn: sqlite3.Connection) -> None:
    search.register(samples_conn)
    rows = samples_conn.execute(
        "SELECT s.kind, s.document_id, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts "
        "JOIN search_index s ON s.id = search_fts.rowid WHERE search_fts MATCH kb_fts_query(?) ORDER BY score",
        ("锂电池",)).fetchall()
    assert rows and rows[0][1] == "商务部公告2025年第58号"


def test_plain_fts5_would_miss_two_character_chinese(tmp_path: Path) -> None:
    """Why the index is pre-tokenised: unicode61 sees a Han run as one word, trigram needs 3 characters."""
    c = sqlite3.connect(tmp_path / "t.db")
    c.execute("CREATE VIRTUAL TABLE plain USING fts5(body)")
    c.execute("CREATE VIRTUAL TABLE tri USING fts5(body, tokenize='trigram')")
    c.execute("CREATE VIRTUAL TABLE ours USING fts5(body)")
    text = "对部分中重稀土相关物项实施出口管制"
    for table, body in (("plain", text), ("tri", text), ("ours", tokenize(text))):
        c.execute(f"INSERT INTO {table} VALUES (?)", (body,))
    assert c.execute("SELECT count(*) FROM plain WHERE plain MATCH '稀土'").fetchone()[0] == 0
    assert c.execute("SELECT count(*) FROM tri WHERE tri MATCH '稀土'").fetchone()[0] == 0
    assert c.execute("SELECT count(*) FROM ours WHERE ours MATCH ?", (fts_query("稀土"),)).fetchone()[0] == 1
