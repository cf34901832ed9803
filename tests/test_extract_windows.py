"""Every way one text changes another: any document type, the target in any printed form, the window as
dates or as a duration computed to its last day (kb/extract/timeline.py, patterns.yaml `relation`).

Texts are team-written restatements of MOFCOM's forms, parsed the way a snapshot record is.
"""

from __future__ import annotations

import pytest

from kb.evaluate import parse_record
from kb.extract import extract
from kb.extract.timeline import _plus


def _relations(title: str, text: str) -> set[tuple[str, str, str | None, str | None]]:
    doc = parse_record({"source_url": "https://www.mofcom.gov.cn/test/sample.html", "title": title, "text": text,
                        "posted": "2025-05-14", "column": "", "attachments": []})
    return {(r.relation, r.target_number, r.start_date, r.end_date) for r in extract(doc).relations}


def test_spokesperson_answer_suspends_two_notices_one_for_90_days() -> None:
    text = ("有记者问：请问有什么考虑？\n答： 根据《不可靠实体清单规定》及有关规定，为落实会谈共识，自2025年5月14日起，"
            "暂停4月4日公告（不可靠实体清单工作机制〔2025〕7号）相关措施90天，"
            "暂停4月9日公告（不可靠实体清单工作机制〔2025〕8号）相关措施。")
    assert _relations("商务部新闻发言人就暂停有关措施答记者问", text) == {
        ("suspends", "不可靠实体清单工作机制公告2025年第7号", "2025-05-14", "2025-08-12"),
        ("suspends", "不可靠实体清单工作机制公告2025年第8号", "2025-05-14", None),
    }


def test_an_order_suspends_an_order_for_one_year() -> None:
    text = ("中华人民共和国商务部令\n二〇二五年 第9号\n经国家反外国制裁工作协调机制批准，自2025年11月10日起，"
            "暂停商务部令二〇二五年第6号所列相关措施一年。\n部长 王文涛\n2025年11月5日")
    assert _relations("中华人民共和国商务部令二〇二五年第9号", text) == {
        ("suspends", "商务部令2025年第6号", "2025-11-10", "2026-11-10"),
    }


def test_a_printed_end_date_wins_over_any_duration() -> None:
    text = "商务部公告2025年第70号\n自2025年11月10日起至2026年11月10日，暂停实施商务部公告2025年第61号。\n商务部\n2025年11月7日"
    assert ("suspends", "商务部公告2025年第61号", "2025-11-10", "2026-11-10") in _relations("商务部公告2025年第70号", text)


@pytest.mark.parametrize(("start", "n", "unit", "last"), [
    ("2025-05-14", 90, "天", "2025-08-12"),
    ("2025-11-10", 1, "年", "2026-11-10"),
    ("2024-02-29", 1, "年", "2025-02-28"),
    ("2025-08-31", 6, "个月", "2026-02-28"),
    ("2025-12-31", 1, "日", "2026-01-01"),
])
def test_duration_last_day(start: str, n: int, unit: str, last: str) -> None:
    assert _plus(start, n, unit) == last
