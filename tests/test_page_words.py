"""The pure pieces behind the pages: causes in words and inclusive last days (kb/status_words.py), parts in
printed order and annexes held or missing (kb/document_outline.py), changes in a date range (kb/changes.py),
snippets cut from the printed text (kb/search_snippet.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import changes, document_outline, search_snippet, status_words

N61, N70 = "商务部公告2025年第61号", "商务部公告2025年第70号"
LABEL = {N70: "2025年第70号"}.get


def label(doc_id: str) -> str:
    return LABEL(doc_id) or doc_id


PERIODS = [  # 2025 No. 61 as the corpus build has it (exclusive ends)
    {"part": None, "status": "in_force", "start_date": "2025-10-09", "end_date": "2025-11-07",
     "caused_by_document_id": N61, "basis": "earliest part_effective"},
    {"part": None, "status": "suspended", "start_date": "2025-11-07", "end_date": "2026-11-11",
     "caused_by_document_id": N70, "basis": f"suspends ({N70})"},
    {"part": None, "status": "in_force", "start_date": "2026-11-11", "end_date": None,
     "caused_by_document_id": N61, "basis": "earliest part_effective"},
    {"part": "一（二）", "status": "published_not_effective", "start_date": "2025-10-09", "end_date": "2025-11-07",
     "caused_by_document_id": N61, "basis": "signed_date"},
    {"part": "一（一）", "status": "published_not_effective", "start_date": "2025-10-09", "end_date": "2025-11-07",
     "caused_by_document_id": N61, "basis": "signed_date"},
]


def test_last_day_is_the_day_before_the_exclusive_end() -> None:
    assert status_words.last_day("2026-11-11") == "2026-11-10"
    assert status_words.last_day("2025-03-01") == "2025-02-28"
    assert status_words.last_day(None) is None


def test_causes_in_words_link_the_causing_document() -> None:
    cause = status_words.cause_segments(f"suspends ({N70})", label)
    assert cause["en"] == [{"text": "suspended by "}, {"doc": N70, "text": "2025年第70号"}]
    assert status_words.flat(cause["zh"]) == "被 2025年第70号 暂停实施"
    nested = status_words.cause_segments(f"attachment of {N61}: suspends ({N70})", label)
    assert [s.get("doc") for s in nested["en"] if s.get("doc")] == [N61, N70]
    # a numberless notice's id holds a colon (snapshot:<sha>): still read as the notice, not printed raw
    numberless = status_words.cause_segments("attachment of snapshot:a6ab35ca: effective_date", label)
    assert [s.get("doc") for s in numberless["en"] if s.get("doc")] == ["snapshot:a6ab35ca"]
    assert "attachment of" not in status_words.flat(numberless["en"])
    assert status_words.cause_segments("something new", label)["en"] == [{"text": "something new"}]


@pytest.mark.parametrize("basis", ["effective_date", "earliest part_effective", "part_effective", "signed_date",
                                   "signed_date (no effective date found)", "its suspension windows ended"])
def test_every_basis_kb_status_writes_has_words(basis: str) -> None:
    words = status_words.cause_segments(basis, label)
    assert status_words.flat(words["en"]) != basis and "_" not in status_words.flat(words["en"])


def test_status_line_today_and_on_a_date() -> None:
    after = status_words.status_line(PERIODS, "2026-12-02", label)
    assert after["status"] == "in_force"
    assert after["en"] == "On 2026-12-02: in force since 2026-11-11 (the suspension ordered by 2025年第70号 ended)"
    during = status_words.status_line(PERIODS, "2026-11-10", label)  # the last day printed: still suspended
    assert during["status"] == "suspended" and during["whole"]["last_day"] == "2026-11-10"
    before = status_words.status_line(PERIODS, "2025-10-20", label, document_outline.part_order(None))
    assert [p["part"] for p in before["parts"]] == ["一（一）", "一（二）"]  # differing clauses, printed order
    assert before["parts"][0]["status"] == "published_not_effective"
    assert status_words.status_line(PERIODS, "2020-01-01", label)["status"] is None


def test_parse_day_names_the_parameter() -> None:
    assert status_words.parse_day("on", "", dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert status_words.parse_day("on", "2025-02-28", dt.date(2026, 1, 1)) == dt.date(2025, 2, 28)
    for bad in ("2026-13-45", "2025-2-3", "tomorrow", "20250203", "2025-W01-1", "20250101xx"):
        with pytest.raises(status_words.DateError, match=r"parameter on="):
            status_words.parse_day("on", bad, dt.date(2026, 1, 1))


TEXT = """商务部公告2025年第99号
一、样例物项
（一）第一项。
（三）第三项。
（二）第二项。
二、其他
附件：1.物项列表.pdf
2.告知书（样例）.pdf
商务部
2025年10月9日
附件1
物项列表
1C999 样例。
"""


def test_parts_in_printed_order_even_when_numbered_out_of_order() -> None:
    key = document_outline.part_order(TEXT)
    assert sorted(["二", "一（二）", None, "一（三）", "一（一）"], key=key) == [None, "一（一）", "一（三）", "一（二）", "二"]
    assert sorted(["第十二条", "第二条", "第三条（一）"], key=document_outline.part_order(None)) == [
        "第二条", "第三条（一）", "第十二条"]


def test_annexes_held_inline_archived_or_missing() -> None:
    found = document_outline.annexes(TEXT, [{"id": "snapshot:1", "title": "告知书"}])
    assert [(a["name"], a["held"]) for a in found] == [("物项列表.pdf", "inline"), ("告知书（样例）.pdf", "document")]
    assert found[1]["document_id"] == "snapshot:1"
    missing = document_outline.annexes(TEXT.split("商务部\n")[0], [])
    assert [a["held"] for a in missing] == ["missing", "missing"]


def test_changes_say_what_changed() -> None:
    rows = [
        {"event": "status", "document_id": N61, "doc_number": N61, "title": "t", "doc_type": "announcement",
         "part": None, "date": "2026-11-11", "status": "in_force", "previous_status": "suspended",
         "caused_by_document_id": N61, "caused_by_number": N61, "end_date": None},
        {"event": "status", "document_id": N61, "doc_number": N61, "title": "t", "doc_type": "announcement",
         "part": "一（一）", "date": "2026-11-11", "status": "in_force", "previous_status": "suspended",
         "caused_by_document_id": N61, "caused_by_number": N61, "end_date": None},
        {"event": "published", "document_id": N70, "doc_number": N70, "title": "t", "doc_type": "announcement",
         "part": None, "date": "2025-11-07", "status": None, "previous_status": None,
         "caused_by_document_id": None, "caused_by_number": None, "end_date": None},
        {"event": "status", "document_id": N70, "doc_number": N70, "title": "t", "doc_type": "announcement",
         "part": None, "date": "2025-11-07", "status": "published_not_effective", "previous_status": None,
         "caused_by_document_id": N70, "caused_by_number": N70, "end_date": "2025-11-08"},
    ]
    events = changes.change_events(rows)
    assert [(e["document_id"], e["part"], e["what_en"]) for e in events] == [
        (N61, None, "back in force"), (N70, None, "published")]
    with pytest.raises(ValueError, match="after"):
        changes.window(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_snippet_comes_from_the_printed_text_with_every_hit_marked() -> None:
    text = "前言" * 40 + "对Ｔｅｒｒａ Drone及稀土、稀土永磁实施管制" + "后文" * 40
    pieces = search_snippet.snippet(text, "稀土")
    assert [p.text for p in pieces if p.hit] == ["稀土", "稀土"]
    assert pieces[0].text == "…" and pieces[-1].text == "…"
    assert "Ｔｅｒｒａ" in "".join(p.text for p in pieces)  # as printed, never the folded index form
    assert [p.text for p in search_snippet.snippet("A terra drone", "Terra") if p.hit] == ["terra"]
    assert search_snippet.snippet("没有", "稀土") == []
    assert search_snippet.snippet(None, "稀土") == []
