"""Normalisation keeps every character traceable to the original."""

from __future__ import annotations

import pytest

from ingest.parse.text import normalise, simplified


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("不 可 靠 实 体 清 单 工 作 机 制 公 告", "不可靠实体清单工作机制公告"),
        ("地 址：2265A Ward Ave.", "地址：2265A Ward Ave."),
        ("第一章 总 则", "第一章总则"),
        ("商务部 海关总署", "商务部 海关总署"),  # two words: the space stays
        ("部长 王文涛", "部长 王文涛"),
        ("３Ｃ００１　ａ．１（参考）", "3C001 a．1（参考）"),  # CJK punctuation kept
        ("1C004 具有下述所有特性", "1C004 具有下述所有特性"),
        ("价值比例达到０．１％及以上", "价值比例达到0．1%及以上"),
        (" 一、钨相关物项 \r\n\r\n  （一）1C117.d \n", "一、钨相关物项\n（一）1C117.d"),
        ("零\u200b宽\ufeff字符", "零宽字符"),
        ("两\u2f64物项出\u2f1d管制", "两用物项出口管制"),  # Kangxi radicals ⽤ ⼝ from WPS PDFs
        ("\uf9fe金属", "\u8336金属"),  # a compatibility ideograph → its unified form
    ],
)
def test_normalise(original: str, expected: str) -> None:
    assert normalise(original).text == expected


def test_every_character_maps_to_its_original() -> None:
    original = " 【发布文号】商务部公告２０２５年第７０号\r\n\r\n 不 可 靠 实 体\u3000清单 \n"
    norm = normalise(original)
    assert len(norm.origin) == len(norm.text) + 1
    for i, ch in enumerate(norm.text):
        source = original[norm.origin[i]]
        assert ch == source or ch in " \n" or ord(source) - 0xFEE0 == ord(ch)
    start = norm.text.index("不可靠")
    assert norm.original_of(start, start + 5) == "不 可 靠 实 体"
    number = norm.text.index("商务部")
    assert norm.original_of(number, number + len("商务部公告2025年第70号")) == "商务部公告２０２５年第７０号"


def test_line_wrap_joins_are_optional_and_careful() -> None:
    wrapped = (
        "出口经营者应当对报关商品的真实性负责，加强出\n口物项识别。\n一、下一部分内容在这里开始写\n（一）子项"
    )
    assert normalise(wrapped).text == wrapped
    joined = normalise(wrapped, join_wraps=True, wrap_width=10).text
    assert (
        joined
        == "出口经营者应当对报关商品的真实性负责，加强出口物项识别。\n一、下一部分内容在这里开始写\n（一）子项"
    )
    english = normalise("Mitsubishi Heavy Industries Marine\nMachinery Co.", join_wraps=True, wrap_width=10)
    assert english.text == "Mitsubishi Heavy Industries Marine Machinery Co."


def test_simplified_search_copy() -> None:
    assert simplified("兩用物項出口管制條例") == "两用物项出口管制条例"
    assert simplified("两用物项") == "两用物项"
