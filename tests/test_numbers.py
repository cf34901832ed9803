"""Document numbers: every printed form seen in MOFCOM texts → the canonical form."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.parse.numbers import canonical_number, find_numbers, header_number, leading_number

PRINTED_TO_CANONICAL = [
    ("商务部公告2025年第61号", "商务部公告2025年第61号"),
    ("商务部公告2025第61号", "商务部公告2025年第61号"),
    ("商务部 海关总署公告2025年第10号", "商务部公告2025年第10号"),
    ("商务部、海关总署公告2025年第70号", "商务部公告2025年第70号"),
    ("商务部 工业和信息化部 海关总署 国家密码局公告2024年第51号", "商务部公告2024年第51号"),
    ("商务部、国家密码管理局和海关总署2020年第63号公告", "商务部公告2020年第63号"),
    ("商务部、海关总署2024年第67号公告", "商务部公告2024年第67号"),
    ("2023年第39号公告", "商务部公告2023年第39号"),  # “上述2023年第39号公告” in a FAQ
    ("中华人民共和国商务部\n\n中华人民共和国海关总署\n\n公 告\n\n2023年 第66号", "商务部公告2023年第66号"),
    ("商务部公告２０２５年第６１号", "商务部公告2025年第61号"),
    ("商务部令二〇二五年第7号", "商务部令2025年第7号"),
    ("中华人民共和国商务部令\n\n 二〇二五年 第6号", "商务部令2025年第6号"),
    ("商务部令2025年第7号", "商务部令2025年第7号"),
    ("商务部、海关总署2005年第29号令", "商务部令2005年第29号"),
    ("不可靠实体清单工作机制公告〔2025〕7号", "不可靠实体清单工作机制公告2025年第7号"),
    ("不可靠实体清单工作机制〔2025〕10号", "不可靠实体清单工作机制公告2025年第10号"),
    ("不 可 靠 实 体 清 单 工 作 机 制 公 告 2025年 第10号", "不可靠实体清单工作机制公告2025年第10号"),
    ("不可靠实体清单工作机制公告2025年第10号", "不可靠实体清单工作机制公告2025年第10号"),
    ("国务院令〔2024〕792号", "国务院令第792号"),
    ("中华人民共和国国务院令\n 第792号", "国务院令第792号"),
    ("国务院令第792号", "国务院令第792号"),
    ("中华人民共和国主席令\n 第五十八号", "主席令第58号"),
]


@pytest.mark.parametrize(("printed", "canonical"), PRINTED_TO_CANONICAL)
def test_printed_forms_normalise_to_the_canonical_number(printed: str, canonical: str) -> None:
    found = find_numbers(f"根据{printed}的规定")
    assert [m.canonical for m in found] == [canonical]
    assert found[0].printed == printed
    assert f"根据{printed}的规定"[found[0].start : found[0].end] == printed


def test_abbreviated_list_yields_every_number_with_offsets() -> None:
    text = "暂停实施商务部、海关总署公告2025年第55号、56号、57号、58号及商务部公告2025年第61号、62号的决定"
    found = find_numbers(text)
    assert [m.canonical for m in found] == [f"商务部公告2025年第{n}号" for n in (55, 56, 57, 58, 61, 62)]
    assert [m.in_list for m in found] == [False, True, True, True, False, True]
    assert [text[m.start : m.end] for m in found][1:4] == ["56号", "57号", "58号"]
    assert found[0].issuers == ("商务部", "海关总署")
    assert found[4].issuers == ("商务部",)


def test_list_with_repeated_di_and_conjunction() -> None:
    found = find_numbers("公告2025年第55号、第56号和57号")
    assert [m.number for m in found] == [55, 56, 57]


def test_kinds_and_issuers() -> None:
    kinds = {
        m.canonical: (m.kind, m.issuers)
        for m in find_numbers(
            "商务部令2025年第7号；国务院令第792号；不可靠实体清单工作机制〔2025〕10号；海关总署公告2023年第5号"
        )
    }
    assert kinds == {
        "商务部令2025年第7号": ("order", ("商务部",)),
        "国务院令第792号": ("decree", ("国务院",)),
        "不可靠实体清单工作机制公告2025年第10号": ("uel_notice", ("不可靠实体清单工作机制",)),
        "海关总署公告2023年第5号": ("other_announcement", ("海关总署",)),
    }


@pytest.mark.parametrize(
    "text",
    [
        "一般不属于18号公告管制范围",  # no year: cannot be made canonical
        "自2025年12月1日起实施",
        "参考税则号列：28053019",
        "地址：日本东京都港区虎之门1-7-12，5号楼",
        "公告1899年第3号",  # not a plausible year
    ],
)
def test_non_numbers_are_not_found(text: str) -> None:
    assert find_numbers(text) == []


def test_header_and_leading_numbers() -> None:
    text = "【发布单位】安全与管制局\n【发布文号】商务部公告2025年第70号\n【发文日期】2025年11月07日\n经批准"
    found = header_number(text)
    assert found is not None and found.canonical == "商务部公告2025年第70号"
    assert text[found.start : found.end] == "商务部公告2025年第70号"
    assert canonical_number("中华人民共和国商务部令二〇二五年第6号 关于") == "商务部令2025年第6号"
    assert leading_number("商务部 海关总署关于发布…的公告") is None
    assert leading_number("为反制商务部公告2025年第1号") is None
    lead = leading_number("  商务部公告2026年第1号 关于加强")
    assert lead is not None and lead.canonical == "商务部公告2026年第1号"


def test_traditional_script_numbers_read_as_simplified_canonical() -> None:
    found = find_numbers("根據商務部 海關總署公告2025年第10號及國務院令第792號")
    assert [(m.canonical, m.issuers) for m in found] == [
        ("商务部公告2025年第10号", ("商务部", "海关总署")),
        ("国务院令第792号", ("国务院",)),
    ]
    assert (
        canonical_number("不可靠實體清單工作機制公告〔2025〕7號") == "不可靠实体清单工作机制公告2025年第7号"
    )


# The scan tries each pattern only where its match can start (numbers._finditer). It must find exactly
# what the regex's own finditer finds, on real texts and on strings made of the patterns' characters.
_NUMBER_ALPHABET = (
    "商务部海关总署工业和信息化国家密码管理局中华人民共和国务院主席令公告不可靠实体清单工作机制"
    "商務總華國實體單號第年号令告、，,和及与〔〕［］[]【】（）()0123456789０１２〇零一二三十百 \n\u3000x"
)


def _plain_and_scanned(text: str) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    from ingest.parse.numbers import _finditer, _rules

    plain, scanned = [], []
    for pattern in _rules().patterns:
        plain += [(m.start(), m.end(), pattern.kind) for m in pattern.regex.finditer(text)]
        scanned += [(m.start(), m.end(), pattern.kind) for m in _finditer(pattern, text)]
    return plain, scanned


def test_every_pattern_is_scanned_from_its_first_characters() -> None:
    from ingest.parse.numbers import _rules

    assert all(pattern.starts is not None for pattern in _rules().patterns)


def test_scan_finds_what_finditer_finds_on_the_corpus(corpus_notices: list[dict]) -> None:
    for record in corpus_notices:
        for text in (record.get("text") or "", record.get("title") or ""):
            plain, scanned = _plain_and_scanned(text)
            assert scanned == plain, record.get("source_url")


def test_scan_finds_what_finditer_finds_on_printed_forms() -> None:
    for printed, _ in PRINTED_TO_CANONICAL:
        for text in (printed, f"根据{printed}、56号和57号，", f"（{printed}）\n{printed}"):
            plain, scanned = _plain_and_scanned(text)
            assert scanned == plain and plain, text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_NUMBER_ALPHABET, max_size=80))
def test_scan_finds_what_finditer_finds_on_any_string(text: str) -> None:
    plain, scanned = _plain_and_scanned(text)
    assert scanned == plain
