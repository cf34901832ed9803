"""A code printed after its item, in a bracket naming it (…相关技术及其载体；（管制编码：1E902.a）), is a control with
that item's text; technologies and their carriers are controls like goods (issue 11, point 4).

The 2025 No. 62 case reads a team-written restatement (tests/fixtures/codes-after-items.jsonl); the other forms
are team-written sentences in the shapes MOFCOM prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.evaluate import parse_record
from kb.extract import extract
from kb.facts import Facts

FIXTURE = Path(__file__).parent / "fixtures" / "codes-after-items.jsonl"
URL = "https://example.invalid/test/codes-after-items.html"


def _facts(text: str, title: str = "商务部公告 关于对某物项实施出口管制的公告") -> Facts:
    return extract(parse_record({"source_url": URL, "title": title, "text": text, "posted": "2025-01-02",
                                 "column": "", "attachments": []}))


def _controls(facts: Facts) -> list[tuple[str, str, str | None]]:
    return [(c.control_code, c.role, c.item) for c in facts.controls]


def test_1E902a_is_a_control_with_its_item() -> None:
    record = json.loads(FIXTURE.read_text(encoding="utf-8").splitlines()[0])
    doc = parse_record(record)
    facts = extract(doc)
    assert _controls(facts) == [
        ("1E902.a", "control", "稀土开采、冶炼分离、金属冶炼、磁材制造、二次资源回收利用相关技术及其载体"),
        ("1E902.b", "control", "稀土生产线的装配、调试、维护、维修、升级相关技术"),
    ]
    first = facts.controls[0]
    assert first.part == "一（一）"
    assert doc.text[first.span.start : first.span.end] == "1E902.a"
    items = [c.span for c in facts.clauses if c.kind == "item"]
    assert [doc.text[s.start : s.end] for s in items] == [c.item for c in facts.controls]
    assert facts.records("extraction_checks") == ()  # every printed code read: nothing left to check


@pytest.mark.parametrize(
    ("printed", "item"),
    [
        ("（一）某种高纯材料；（管制编码：1C999.a）", "某种高纯材料"),  # semicolon, then the bracket
        ("（一）某种高纯材料（管制编码：1C999.a）；", "某种高纯材料"),  # the bracket, then the semicolon
        ("（一）某种高纯材料。(管制编码: 1C999.a)", "某种高纯材料"),  # half-width bracket and colon, a period
        ("（一）某种高纯材料【编码：1C999.a】。", "某种高纯材料"),
        ("（一）某种高纯材料〔物项编码：1C999.a〕", "某种高纯材料"),
        ("（一）某种高纯材料[管制编码：1C999.a]", "某种高纯材料"),
        ("（一）某种高纯材料（参考海关商品编号：2805301910）；（管制编码：1C999.a）", "某种高纯材料"),
        ("（一）生产某种材料的技术及其载体；（管制编码：1E999.a）", "生产某种材料的技术及其载体"),
    ],
)
def test_a_code_after_its_item_in_any_bracket(printed: str, item: str) -> None:
    text = f"商务部公告\n决定对以下物项实施出口管制，未经许可不得出口：\n{printed}\n商务部\n2025年1月2日"
    facts = _facts(text)
    code = "1E999.a" if "1E999.a" in printed else "1C999.a"
    assert _controls(facts) == [(code, "control", item)]
    assert [h.control_code for h in facts.hs_codes] == ([code] if "2805301910" in printed else [])


def test_one_bracket_naming_two_codes_gives_two_controls_with_the_item() -> None:
    facts = _facts("决定对下列物项实施出口管制：\n1.某种合金及其制品（管制编码：1C999.a、1C999.b）。\n商务部\n2025年1月2日")
    assert _controls(facts) == [("1C999.a", "control", "某种合金及其制品"), ("1C999.b", "control", "某种合金及其制品")]


def test_items_run_together_on_one_line_keep_their_own_codes() -> None:
    # some pages print the whole list as one paragraph: an item stops at its neighbour's bracket
    facts = _facts("一、以下物项未经许可不得出口：（一）甲技术及其载体；（管制编码：1E999.a）（二）乙技术；（管制编码：1E999.b）")
    assert _controls(facts) == [("1E999.a", "control", "甲技术及其载体"), ("1E999.b", "control", "乙技术")]


def test_codes_cited_in_prose_stay_mentions() -> None:
    facts = _facts("（一）非1C226项下管制的碳化钨；\n说明：管制编码的具体含义见《清单》，1C909.a.2项所管制的合金不在此列。")
    assert {c.control_code: c.role for c in facts.controls} == {"1C226": "mention", "1C909.a.2": "mention"}


def test_codes_after_items_read_the_same_however_printed() -> None:
    from printed_forms import FORMS

    from ingest.parse.text import normalise

    record = json.loads(FIXTURE.read_text(encoding="utf-8").splitlines()[0])

    def controls(text: str, reprint: object = None) -> list[tuple[str, str, str]]:
        facts = extract(parse_record({**record, "text": text}))
        fix = reprint if callable(reprint) else (lambda s: s)
        return [(c.control_code, c.role, "".join(normalise(fix(c.item or "")).text.split())) for c in facts.controls]

    original = record["text"]
    for form in FORMS:
        if form.same_spans and form.reprint(original) != original:
            assert controls(form.reprint(original)) == controls(original, form.reprint), form.name
