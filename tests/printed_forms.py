"""The other forms MOFCOM prints the same text in, as small pure functions (text → text) for the metamorphic
tests (test_metamorphic.py): full- and half-width digits and brackets, Chinese-numeral years (二〇二五年), 〔〕
and [] around a number's year, spaced-out headings (公　告), CRLF line ends, zero-width characters, and a list of
parties printed inline in the decision sentence or as a numbered annex.

A form that leaves a text unchanged does not apply to it. Each form re-prints what a reader would read as the
same text: the facts extracted from both must be the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.extract.patterns import patterns

_DIGITS = "0123456789"
_WIDE_DIGITS = "０１２３４５６７８９"
_NUMERALS = "〇一二三四五六七八九"
_HAN = r"\u4e00-\u9fff"
LIST_NAMES = ("不可靠实体清单", "出口管制管控名单", "关注名单", "反制清单")
_LIST = "|".join(LIST_NAMES)


def _swap(text: str, narrow: str, wide: str) -> str:
    return text.translate(str.maketrans(narrow + wide, wide + narrow))


def digit_widths(text: str) -> str:
    """0-9 ↔ ０-９: a text printed in one width re-printed in the other."""
    return _swap(text, _DIGITS, _WIDE_DIGITS)


def bracket_widths(text: str) -> str:
    """() ↔ （）: lists mix them (乙公司(Beta LLC）), labels print either ((一) / （一）)."""
    return _swap(text, "()", "（）")


def chinese_numeral_years(text: str) -> str:
    """2025年 → 二〇二五年 (orders print their number and dates so: 商务部令二〇二五年第6号)."""
    return re.sub(r"(?<![0-9])([12][0-9]{3})(?=\s*年)", lambda m: m.group(1).translate(str.maketrans(_DIGITS, _NUMERALS)),
                  text)


def _chinese_number(n: int) -> str:
    """1..31 in Chinese numerals as dates print them (十, 十一, 二十, 三十一)."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else _NUMERALS[tens]) + "十" if tens else "") + (_NUMERALS[ones] if ones else "")


def chinese_numeral_dates(text: str) -> str:
    """2025年10月9日 → 二〇二五年十月九日 (the signature dates of orders and laws)."""
    def date(m: re.Match[str]) -> str:
        year = m.group(1).translate(str.maketrans(_DIGITS, _NUMERALS))
        return f"{year}年{_chinese_number(int(m.group(2)))}月{_chinese_number(int(m.group(3)))}日"

    return re.sub(r"(?<![0-9])([12][0-9]{3})年(1[0-2]|0?[1-9])月(3[01]|[12][0-9]|0?[1-9])日", date, text)


def number_brackets(text: str) -> str:
    """〔2025〕7号 ↔ [2025]7号 (web pages print square brackets for the tortoise-shell ones, and back)."""
    return re.sub(r"\[([0-9]{4})\]|〔([0-9]{4})〕", lambda m: f"〔{m.group(1)}〕" if m.group(1) else f"[{m.group(2)}]", text)


def full_width_number_brackets(text: str) -> str:
    """〔2025〕 / [2025] → ［2025］."""
    return re.sub(r"[〔\[]([0-9]{4})[〕\]]", r"［\1］", text)


def spaced_headings(text: str) -> str:
    """A heading line of a few characters printed spaced out (公告 → 公　 告, 商务部令 → 商 务 部 令)."""
    def spaced(m: re.Match[str]) -> str:
        return m.group(1) + "\u3000 ".join(m.group(2)) + m.group(3)

    return re.sub(rf"(?m)^([ \t\u3000]*)([{_HAN}]{{2,12}})([ \t\u3000]*)$", spaced, text)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def zero_width(text: str) -> str:
    """A zero-width space after every 7th character (pages carry them inside names, numbers and codes)."""
    return "".join(ch + ("\u200b" if i % 7 == 6 else "") for i, ch in enumerate(text))


# ---- a list of parties printed inline, or as a numbered annex -------------------------------------------------

_INLINE = re.compile(rf"决定将(?P<names>[^。；]{{2,3000}}?)列入(?P<list>{_LIST})")
_COUNTED = re.compile(rf"决定将(?P<first>[^。；、]{{1,80}}?)等\s*(?P<n>[0-9]+)\s*家(?P<kind>[^。；，]{{0,12}}?实体)"
                      rf"列入(?P<list>{_LIST})\s*[（(]见附件[）)]")
_ANNEX_ENTRY = re.compile(r"^[ \t\u3000]*[0-9]{1,3}\s*[.．、]\s*(?P<name>.+?)\s*$")
_ANNEX_FIELD = re.compile(r"^[ \t\u3000]*(?:地\s*址|邮\s*编|常用名称|别名|又称|曾用名|其他名称)\s*[:：]|^[ \t\u3000]*[-－—]")
_OPEN, _CLOSE = "（(", "）)"
# what precedes the first name in a decision sentence: a qualifier (参与对台湾地区军售的) or a count of what
# follows (韩华海洋株式会社5家美国相关子公司Hanwha Shipping LLC、…)
_QUALIFIER = re.compile(r"^[^（(]*?的|^[^（(A-Za-z]*?[0-9]+\s*家[^（(A-Za-z]*?(?:子公司|实体|企业|公司|机构)(?=[A-Za-z])")


def _split_names(names: str) -> list[str]:
    """Names separated by 、 (and a last 和/及) outside brackets."""
    out, depth, current = [], 0, ""
    for ch in names:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if ch == "、" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    last = re.split(r"(?<=[）)A-Za-z.])\s*(?:和|及)\s*", out.pop())
    return [n.strip() for n in [*out, *last] if n.strip()]


def _descriptor(name: str) -> str | None:
    """The country word a name opens with when it only describes the party (美国A公司（A Inc.）), not when it
    is part of the name (美国稀土公司（USA Rare Earth, Inc.）); the words are the extractor's own vocabulary."""
    section = patterns()["entity"]
    english = re.search(r"[（(]([^（）()]*)[）)]\s*$", name)
    for word in section["country_prefixes"]:
        if name.startswith(word) and len(name) > len(word) + 1:
            echoes = [en for en, zh in section["countries"].items() if zh == word]
            if english and any(english.group(1).strip().startswith(en) for en in echoes):
                return None
            return word
    return None


def _bare(name: str) -> str:
    """A name as an annex prints it: without a descriptive country word (the annex gives the address)."""
    word = _descriptor(name)
    return name[len(word):] if word else name


def inline_list_to_annex(text: str) -> str:
    """决定将[qualifier]A公司（A Inc.）、B公司（B LLC）列入不可靠实体清单 → 决定将[qualifier]A公司等2家实体列入不可靠实体清单
    （见附件）, with the annex (附件 / the list's name / 1. A公司（A Inc.）…) printed after the text."""
    m = _INLINE.search(text)
    if m is None or "等" in m.group("names") or "附件" in m.group("names"):
        return text
    names = _split_names(m.group("names"))
    qualifier = _QUALIFIER.match(names[0])
    lead = qualifier.group(0) if qualifier else ""
    names = [_bare(n) for n in [names[0][len(lead):], *names[1:]]]
    first = re.sub(r"[（(].*$", "", names[0])
    if len(names) < 2 or not first:
        return text
    sentence = f"决定将{lead}{first}等{len(names)}家实体列入{m.group('list')}（见附件）"
    annex = "\n".join(["", "附件", m.group("list"), *(f"{i}. {n}" for i, n in enumerate(names, 1))])
    return text[: m.start()] + sentence + text[m.end() :] + annex


def annex_list_to_inline(text: str) -> str:
    """决定将A公司等3家实体列入出口管制管控名单（见附件） with its numbered annex → the names in the sentence
    (决定将A公司（A Inc.）、B公司（B LLC）和C公司列入出口管制管控名单), the annex entries and their fields dropped."""
    m = _COUNTED.search(text)
    if m is None:
        return text
    lines = text.split("\n")
    names: list[str] = []
    kept: list[str] = []
    in_list = False
    for line in lines:
        if line.strip() == m.group("list"):
            in_list = True
        entry = _ANNEX_ENTRY.match(line) if in_list else None
        if entry:
            names.append(entry.group("name").rstrip("；;。，,"))
        elif not (in_list and names and _ANNEX_FIELD.match(line)):
            kept.append(line)
    if len(names) != int(m.group("n")) or any(_descriptor(n) for n in names):
        # not an annex this function understands; or a name opening with a country word, which the annex prints
        # as part of the name but a sentence would print as a descriptor: not the same text re-printed
        return text
    rest = "\n".join(kept)
    sentence = f"决定将{'、'.join(names[:-1])}和{names[-1]}列入{m.group('list')}"
    return rest.replace(m.group(0), sentence, 1)


def inline_list_to_annex_and_back(text: str) -> str:
    once = inline_list_to_annex(text)
    return text if once == text else annex_list_to_inline(once)


def annex_list_to_inline_and_back(text: str) -> str:
    once = annex_list_to_inline(text)
    return text if once == text else inline_list_to_annex(once)


@dataclass(frozen=True)
class Form:
    name: str
    reprint: Callable[[str], str]
    same_spans: bool = True  # False: the form rewrites sentences, so clause spans may differ (facts may not)


FORMS = (
    Form("digit_widths", digit_widths),
    Form("bracket_widths", bracket_widths),
    Form("chinese_numeral_years", chinese_numeral_years),
    Form("chinese_numeral_dates", chinese_numeral_dates),
    Form("number_brackets", number_brackets),
    Form("full_width_number_brackets", full_width_number_brackets),
    Form("spaced_headings", spaced_headings),
    Form("crlf", crlf),
    Form("zero_width", zero_width),
    Form("inline_list_to_annex", inline_list_to_annex, same_spans=False),
    Form("inline_list_to_annex_and_back", inline_list_to_annex_and_back, same_spans=False),
    Form("annex_list_to_inline", annex_list_to_inline, same_spans=False),
    Form("annex_list_to_inline_and_back", annex_list_to_inline_and_back, same_spans=False),
)
