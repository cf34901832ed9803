"""Dates in every form MOFCOM prints, with spans; header dates; non-dates left alone."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.parse.dates import find_dates, header_date, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("2025年11月07日", D(2025, 11, 7)),
        ("2025年11月7日", D(2025, 11, 7)),
        ("2023年 12 月 29 日", D(2023, 12, 29)),
        ("２０２５年１１月７日", D(2025, 11, 7)),
        ("二〇二五年十二月一日", D(2025, 12, 1)),
        ("二〇二五年10月9日", D(2025, 10, 9)),  # a Chinese-numeral year with a month and day in digits
        ("二○二四年九月三十日", D(2024, 9, 30)),
        ("二〇二六年十一月二十七日", D(2026, 11, 27)),
        ("2025-11-07", D(2025, 11, 7)),
        ("2025/1/6", D(2025, 1, 6)),
        ("2025.10.09", D(2025, 10, 9)),
    ],
)
def test_printed_dates_are_read_with_their_span(printed: str, expected: dt.date) -> None:
    text = f"自{printed}起实施"
    found = find_dates(text)
    assert [d.date for d in found] == [expected]
    assert text[found[0].start : found[0].end] == printed == found[0].printed


def test_several_dates_in_order() -> None:
    text = "自即日起至2026年11月10日，……本公告自2025年12月1日起实施。\n商务部\n2025年10月9日"
    assert [d.date for d in find_dates(text)] == [D(2026, 11, 10), D(2025, 12, 1), D(2025, 10, 9)]


@pytest.mark.parametrize(
    "text",
    [
        "参考税则号列：28053019",  # an 8-digit HS number is not a date
        "参考海关商品编号：2841801000",
        "2026年度《两用物项和技术进出口许可证管理目录》",
        "2025年2月30日",  # impossible day
        "2025年13月1日",
        "2026年11月",  # no day
        "3C001.a.2025.11.07x",  # numbers inside a code
        "12025-11-07",
    ],
)
def test_non_dates(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("【发文日期】2025年11月07日", D(2025, 11, 7)),
        ("【发文日期】20251009", D(2025, 10, 9)),  # xkzj: no separators
        ("【发文日期】 2024-09-30", D(2024, 9, 30)),
    ],
)
def test_header_date(header: str, expected: dt.date) -> None:
    text = f"【发布单位】安全与管制局\n【发布文号】商务部公告2025年第70号\n{header}\n经批准，自2025年1月1日起"
    found = header_date(text)
    assert found is not None and found.date == expected
    assert text[found.start : found.end] == found.printed
    assert not found.printed.startswith("【")


def test_compact_date_only_after_the_label() -> None:
    assert [d.date for d in find_dates("【发文日期】20251009")] == [D(2025, 10, 9)]
    assert header_date("没有表头的正文 20251009") is None


def test_parse_date_needs_exactly_one() -> None:
    assert parse_date("2025年10月9日") == D(2025, 10, 9)
    assert parse_date("2025年10月9日至2026年11月10日") is None
    assert parse_date("无日期") is None
