"""Point-in-time status (kb/status.py) on hand-built dates and relations restating real notices:
2025 No. 57 (signed 2025-10-09, in force 2025-11-08), No. 61 (parts 一（一）/一（二） from 2025-12-01,
一（三） on publication), No. 70 (suspends Nos. 55–58, 61, 62 from 2025-11-07 to 2026-11-10)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kb import query_functions
from kb.schema import load_schema
from kb.status import DocDates, Period, RelationRef, next_day, status_on, status_periods

N57, N61, N70, N55 = "商务部公告2025年第57号", "商务部公告2025年第61号", "商务部公告2025年第70号", "商务部公告2025年第55号"
DOCS = [
    DocDates(N57, "announcement", "2025-10-09", "2025-11-08"),
    DocDates(N61, "announcement", "2025-10-09", None,
             parts=(("一（一）", "2025-12-01"), ("一（二）", "2025-12-01"), ("一（三）", "2025-10-09"))),
    DocDates(N70, "announcement", "2025-11-07", "2025-11-07", only_windows=True),
    DocDates(N55, "announcement", None, None, known_only_by_reference=True),
]
RELATIONS = [
    RelationRef(i, N70, "suspends", target, None, "2025-11-07", "2026-11-10")
    for i, target in enumerate((N55, N57, N61), 1)
]


@pytest.fixture(scope="module")
def periods() -> list[Period]:
    return status_periods(DOCS, RELATIONS)


def at(periods: list[Period], doc: str, date: str, part: str | None = None) -> tuple[str, str | None] | None:
    p = status_on(periods, doc, date, part)
    return (p.status, p.caused_by_document_id) if p else None


def test_no57_published_not_yet_effective_then_suspended_then_in_force(periods: list[Period]) -> None:
    assert at(periods, N57, "2025-10-08") is None
    assert at(periods, N57, "2025-10-20") == ("published_not_effective", N57)
    assert at(periods, N57, "2025-11-07") == ("suspended", N70)
    assert at(periods, N57, "2026-11-10") == ("suspended", N70)  # the printed end day is still suspended
    assert at(periods, N57, "2026-11-11") == ("in_force", N57)


def test_no61_parts_have_their_own_dates(periods: list[Period]) -> None:
    assert at(periods, N61, "2025-10-20", "一（三）") == ("in_force", N61)
    assert at(periods, N61, "2025-10-20", "一（一）") == ("published_not_effective", N61)
    assert at(periods, N61, "2025-10-20") == ("in_force", N61)  # the document: in force in part
    assert at(periods, N61, "2026-01-15", "一（三）") == ("suspended", N70)
    assert at(periods, N61, "2026-01-15", "一（一）") == ("suspended", N70)
    assert at(periods, N61, "2026-12-01", "一（三）") == ("in_force", N61)
    assert at(periods, N61, "2026-12-01", "一（一）") == ("in_force", N61)


def test_reference_only_document_gets_only_what_relations_say(periods: list[Period]) -> None:
    mine = [p for p in periods if p.document_id == N55]
    assert [(p.status, p.start_date, p.end_date) for p in mine] == [("suspended", "2025-11-07", "2026-11-11")]


def test_suspending_notice_expires_after_its_window(periods: list[Period]) -> None:
    assert at(periods, N70, "2026-01-15") == ("in_force", N70)
    assert at(periods, N70, "2026-11-11") == ("expired", N70)


def test_periods_of_a_unit_are_contiguous_and_non_overlapping(periods: list[Period]) -> None:
    units: dict[tuple[str, str | None], list[Period]] = {}
    for p in periods:
        units.setdefault((p.document_id, p.part), []).append(p)
    for unit in units.values():
        for before, after in zip(unit, unit[1:], strict=False):
            assert before.end_date == after.start_date
        assert unit[-1].end_date is None or unit[-1].status == "suspended"


def test_resumes_cuts_a_suspension_short_and_repeal_is_final() -> None:
    a, s, r, x = "A", "S", "R", "X"
    docs = [DocDates(a, "announcement", "2024-01-01", "2024-02-01"), DocDates(s, "announcement", "2024-03-01", "2024-03-01"),
            DocDates(r, "announcement", "2024-05-01", "2024-05-01"), DocDates(x, "announcement", "2024-09-01", "2024-10-01")]
    rels = [RelationRef(1, s, "suspends", a, None, None, "2024-12-31"),
            RelationRef(2, r, "resumes", a, None, None, None),
            RelationRef(3, x, "repeals", a, None, None, None)]
    periods = status_periods(docs, rels)
    assert at(periods, a, "2024-04-01") == ("suspended", s)
    assert at(periods, a, "2024-05-01") == ("in_force", a)
    assert at(periods, a, "2024-09-30") == ("in_force", a)
    assert at(periods, a, "2024-10-01") == ("repealed", x)  # from the repealing notice's effective date
    assert at(periods, a, "2030-01-01") == ("repealed", x)


def test_suspension_of_one_part_leaves_the_rest_in_force() -> None:
    docs = [DocDates("A", "announcement", "2024-01-01", "2024-01-01"), DocDates("S", "announcement", "2024-03-01", "2024-03-01")]
    periods = status_periods(docs, [RelationRef(1, "S", "suspends", "A", "第二款", "2024-03-01", "2024-06-30")])
    assert at(periods, "A", "2024-04-01") == ("in_force", "A")
    assert at(periods, "A", "2024-04-01", "第二款") == ("suspended", "S")
    assert at(periods, "A", "2024-07-01", "第二款") == ("in_force", "A")


def test_faqs_have_no_status_and_next_day_crosses_months() -> None:
    assert status_periods([DocDates("F", "faq", "2024-01-01", None)], []) == []
    assert next_day("2026-11-30") == "2026-12-01"


# -- acceptance over the knowledge base built from the real corpus (real extraction) -------------

def _status_rows(db: Path, date: str, doc: str) -> dict[str | None, tuple[str, str | None]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    query_functions.register(conn)
    try:
        rows = conn.execute(load_schema().queries["status_on"]["sql"], {"date": date}).fetchall()
    finally:
        conn.close()
    return {r["part"]: (r["status"], r["caused_by_document_id"]) for r in rows if r["document_id"] == doc}


def test_corpus_no61_in_force_then_suspended_by_no70_then_in_force_again(built_kb: Path, corpus_dir: Path) -> None:
    assert _status_rows(built_kb, "2025-10-20", N61)["一（三）"] == ("in_force", N61)
    assert _status_rows(built_kb, "2025-10-20", N61)["一（一）"] == ("published_not_effective", N61)
    on_jan15 = _status_rows(built_kb, "2026-01-15", N61)
    assert on_jan15[None] == on_jan15["一（三）"] == ("suspended", N70)
    on_dec1 = _status_rows(built_kb, "2026-12-01", N61)
    assert on_dec1[None] == on_dec1["一（三）"] == on_dec1["一（一）"] == ("in_force", N61)


def test_corpus_no57_published_not_yet_effective(built_kb: Path, corpus_dir: Path) -> None:
    assert _status_rows(built_kb, "2025-10-20", N57) == {None: ("published_not_effective", N57)}
    assert _status_rows(built_kb, "2025-11-10", N57) == {None: ("suspended", N70)}


def test_corpus_suspended_notices_absent_from_the_archive_are_known_by_reference(built_kb: Path, corpus_dir: Path) -> None:
    assert _status_rows(built_kb, "2026-01-15", N55) == {None: ("suspended", N70)}


def test_a_window_with_an_unreadable_end_gives_no_period_rather_than_a_crash() -> None:
    docs = [DocDates("A", "announcement", "2024-01-01", "2024-01-01"), DocDates("S", "announcement", "2024-03-01", "2024-03-01")]
    periods = status_periods(docs, [RelationRef(1, "S", "suspends", "A", None, "2024-03-01", "2024-02-30")])
    assert at(periods, "A", "2024-04-01") == ("in_force", "A")
