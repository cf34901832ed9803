"""Parties named inline in a list decision, and what the decision does to them.

Unreliable-entity-list notices name their parties in the decision sentence itself, with no annex:
  决定将参与对台湾地区军售的美国A公司（A Inc.）、B公司（B LLC)列入不可靠实体清单      → add
  决定对美国X集团……启动调查 (or the title: 关于对美国X集团启动不可靠实体清单调查的公告)   → investigate
  为提示可能存在通过美国C公司与不可靠实体清单中企业交易的风险                         → warn
  决定对A、B采取…措施 / 决定暂停对A、B采取的…措施 / 决定停止…                        → measures / suspend / stop
The forms are data (patterns.yaml `entity.decisions`); this module splits the names part into parties:
names separated by 、 (or 和/及) outside brackets, full- and half-width brackets mixed, zero-width characters
ignored, a leading qualifier (…的) and a country word used as a descriptor (美国X公司) kept out of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kb.extract.patterns import compiled, patterns

_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_OPEN, _CLOSE = "（(", "）)"
_SEPARATORS = "、，,"
_JOINERS = ("和", "及", "以及", "与")
_EN = re.compile(r"^(?P<zh>[^（(]+?)\s*[（(](?P<en>[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]$")
_SENTENCE = re.compile(r"[^。\n]+")
_LATIN_END = re.compile(r"[A-Za-z0-9.]")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Party:
    action: str
    list_name: str | None  # None: the list is the notice's (from its title or issuer)
    name_zh: str
    name_en: str | None
    country: str | None
    start: int  # span of the printed name (qualifier and descriptor excluded) in the text searched
    end: int


def _pieces(names: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each top-level item of a names part: split at 、，, and at 和/及 outside brackets."""
    depth, start, i = 0, 0, 0
    while i < len(names):
        ch = names[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in _SEPARATORS:
            yield start, i
            start = i + 1
        elif depth == 0 and i > start and (names[i - 1] in _CLOSE or _LATIN_END.match(names[i - 1])):
            joiner = next((j for j in _JOINERS if names.startswith(j, i)), None)
            if joiner:  # A公司（A Inc.）和B公司 / A LLC和B Corp.: a joiner after a closed name starts a new party
                yield start, i
                start = i + len(joiner)
                i = start
                continue
        i += 1
    yield start, len(names)


def _echoes(english: str, country: str) -> bool:
    """The English name opens with the country (美国稀土公司（USA Rare Earth, Inc.）): the country word is part of
    the name, not a descriptor."""
    names = [en for en, zh in patterns()["entity"]["countries"].items() if zh == country]
    return any(re.match(rf"{re.escape(en)}(?![A-Za-z])", english.strip(), re.IGNORECASE) for en in names)


def _clean(value: str) -> str:
    return _ZERO_WIDTH.sub("", value).strip()


def split_parties(names: str, offset: int, action: str, list_name: str | None) -> list[Party]:
    """The parties of one names part (`names` printed at `offset`); [] when it does not look like names."""
    section = patterns()["entity"]
    if compiled("entity", "not_inline").search(names):
        return []
    shape = compiled("entity", "name_shape")
    parties: list[Party] = []
    for k, (a, b) in enumerate(_pieces(names)):
        raw = names[a:b]
        lead = len(raw) - len(raw.lstrip())
        if k == 0 and (q := compiled("entity", "qualifier").match(raw)) is not None:
            lead = q.end()
        body = raw[lead:].rstrip()
        country = None
        printed_en = named.group("en") if (named := _EN.match(_clean(body))) else ""
        for word in section["country_prefixes"]:
            if body.startswith(word) and len(body) > len(word) + 1 and not _echoes(printed_en, word):
                country, lead, body = word, lead + len(word), body[len(word):]
                break
        text = _clean(body)
        if not text or len(text) > 120 or not shape.search(text.rstrip("；;。")):
            return []  # not a list of names (a clause, a description): read nothing rather than guess
        m = _EN.match(text)
        zh, en = (_clean(m.group("zh")), _clean(m.group("en")) or None) if m else (text, None)
        if en is None and not _CJK.search(zh):
            en = zh  # printed only in English (Hanwha Shipping LLC): the printed name is the English name
        start = offset + a + lead
        parties.append(Party(action, list_name, zh, en, country, start, start + len(body)))
    return parties


def find_parties(text: str, title: str) -> list[Party]:
    """Every party named inline in a decision or warning sentence of `text` (title as a fallback)."""
    section = patterns()["entity"]
    found: list[Party] = []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0)
        if "决定" not in s and "提示" not in s:
            continue
        for form in section["decisions"]:
            for m in re.finditer(form["pattern"], s):
                names_at = sentence.start() + m.start("names")
                list_name = m.groupdict().get("list")
                found += split_parties(m.group("names"), names_at, str(form["action"]), list_name)
        for m in compiled("entity", "warning").finditer(s):
            found += split_parties(m.group("names"), sentence.start() + m.start("names"), "warn", None)
    if not any(p.action == "investigate" for p in found):
        found += _from_title(text, title)
    return _first_per_party(found, text)


def _from_title(text: str, title: str) -> list[Party]:
    """An investigation named only in the title (关于对美国X集团启动不可靠实体清单调查的公告): the
    party's span is its first printing in the text."""
    out: list[Party] = []
    for form in patterns()["entity"]["decisions"]:
        if form["action"] != "investigate":
            continue
        for m in re.finditer(form["pattern"], title):
            for p in split_parties(m.group("names"), 0, "investigate", None):
                at = text.find(p.name_zh)
                if at >= 0:
                    out.append(Party(p.action, p.list_name, p.name_zh, p.name_en, p.country, at, at + len(p.name_zh)))
    return out


def _first_per_party(parties: list[Party], text: str) -> list[Party]:
    """One party per (action, name); an English name printed anywhere in the text (X公司（X Inc.）) fills a
    party printed without one (a warning repeats the name bare)."""
    english: dict[str, str] | None = None  # read only when some party lacks one (the scan is most of this step)
    seen: set[tuple[str, str]] = set()
    out: list[Party] = []
    for p in sorted(parties, key=lambda p: p.start):
        key = (p.action, p.name_zh)
        if key in seen:
            continue
        seen.add(key)
        en = p.name_en
        if en is None:
            english = _english_names(text) if english is None else english
            en = next((v for k, v in english.items() if k.endswith(p.name_zh)), None)
        out.append(Party(p.action, p.list_name, p.name_zh, en, p.country, p.start, p.end))
    return out


def _english_names(text: str) -> dict[str, str]:
    """Each name printed with an English name after it (X公司（X Inc.）), the first printing's."""
    english: dict[str, str] = {}
    for m in re.finditer(r"([^\s、，,。；（(]{2,60})[（(]([A-Za-z][^（）()]{1,120})[）)]", text):
        english.setdefault(_clean(m.group(1)), _clean(m.group(2)))
    return english
