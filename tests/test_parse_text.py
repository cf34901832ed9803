"""Normalisation keeps every character traceable to the original."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the range-based normaliser against a per-character statement of the same rules -------------------

def _reference(original: str, join_wraps: bool, width: int) -> tuple[str, tuple[int, ...]]:
    """Each rule applied one character at a time (the normaliser's first, slow form): the fast one must
    give the same text and the same origin of every character."""
    from ingest.parse import text as t

    chars, origin = list(original), list(range(len(original)))

    def keep(indices: list[int], replaced: dict[int, str] | None = None) -> None:
        nonlocal chars, origin
        chars, origin = [(replaced or {}).get(i, chars[i]) for i in indices], [origin[i] for i in indices]

    dropped = {m.start() for m in t._DROPPED.finditer(original)}
    chars = list(original.translate(t._TRANSLATION))
    keep([i for i in range(len(chars)) if i not in dropped])
    text, kept = "".join(chars), []
    for line in re.finditer(r"[^\n]+", text):
        stripped = line.group(0).strip()
        if stripped:
            start = line.start() + len(line.group(0)) - len(line.group(0).lstrip())
            kept += ([line.start() - 1] if kept else []) + list(range(start, start + len(stripped)))
    keep(kept)
    text, gone = "".join(chars), set()
    for m in t._STRAY_SPACE.finditer(text):
        left = max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        right = m.end()
        while right < len(text) and text[right] not in " \n":
            right += 1
        if m.start() - left == 1 or right - m.end() == 1 or t._core_len(text[m.end():right]) == 1:
            gone.update(range(m.start(), m.end()))
    keep([i for i in range(len(chars)) if i not in gone])
    if join_wraps:
        text, pos, gone, spaced = "".join(chars), 0, set(), {}
        lines = text.split("\n")
        for line, following in zip(lines, lines[1:], strict=False):
            newline = pos + len(line)
            if len(line) >= width and line[-1] not in t._SENTENCE_END and not t._PART_START.match(following):
                if line[-1].isascii() and line[-1].isalnum() and following[:1].isascii() and following[:1].isalnum():
                    spaced[newline] = " "
                else:
                    gone.add(newline)
            pos = newline + 1
        keep([i for i in range(len(chars)) if i not in gone], spaced)
    return "".join(chars), (*origin, len(original))


_ALPHABET = list(" \n\r\t\u3000\u00a0\u200b\ufeff\x1c\x85\u2028公告地址：商务部海关总署１Ｃ⽤\uf9fe一、ab.,。AZ1")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=80), st.booleans(), st.integers(1, 8))
def test_normalise_matches_the_per_character_rules(original: str, join_wraps: bool, width: int) -> None:
    norm = normalise(original, join_wraps=join_wraps, wrap_width=width)
    assert (norm.text, norm.origin) == _reference(original, join_wraps, width)
