"""Document numbers (文号): find them as printed and normalise them to one canonical form.

Canonical forms (the public contract of documents.doc_number; Arabic digits, no spaces):
  商务部公告2025年第61号                  MOFCOM announcements, joint ones included
  商务部令2025年第7号                     MOFCOM orders
  不可靠实体清单工作机制公告2025年第10号
  国务院令第792号                         State Council decrees
  主席令第58号                            presidential orders promulgating laws

The printed variants (商务部公告2025第61号, 商务部、海关总署公告…, 商务部令二〇二五年第7号,
不 可 靠 实 体 … 公 告 2025年 第10号, 国务院令〔2024〕792号, abbreviated lists such as
“公告2025年第55号、56号、57号”) are described as data in numbers.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.parse.numerals import ARABIC_CLASS, CN_DIGIT_CLASS, CN_NUMERAL_CLASS, to_int
from ingest.parse.text import simplified, traditional_of

PATTERNS_FILE = Path(__file__).with_name("numbers.yml")
# Possessive (\s*+): whitespace is never given back, so runs of spaces between optional parts
# cannot be split between neighbouring \s* in exponentially many ways. Nothing after an SP can
# start with whitespace, so this changes no match.
SP = r"\s*+"
YEAR_OPEN = "〔［\\[【（("  # a bracket that may open a year: 〔2024〕, [2024]
YEAR = (
    rf"(?:[{YEAR_OPEN}]{SP})?(?P<year>[{ARABIC_CLASS}]{{4}}|[{CN_DIGIT_CLASS}]{{4}})"
    rf"(?:{SP}[〕］\]】）)])?(?:{SP}年)?"
)
NUM = rf"(?P<number>[{ARABIC_CLASS}]{{1,4}}|[{CN_NUMERAL_CLASS}]{{1,6}})"
HEADER_LABEL = re.compile(r"【\s*发\s*布\s*文\s*号\s*】\s*(?P<value>[^\n【]*)")


@dataclass(frozen=True)
class NumberMatch:
    canonical: str  # e.g. 商务部公告2025年第61号
    printed: str  # the text as printed, e.g. 商务部、海关总署公告2025第61号, or 56号 inside a list
    start: int  # offsets into the searched text
    end: int
    kind: str = "announcement"  # announcement | order | decree | uel_notice | presidential_order
    issuers: tuple[str, ...] = ()  # issuers printed with the number (商务部, 海关总署)
    in_list: bool = False  # a bare “56号” continuing an abbreviated list
    year: int | None = None
    number: int = 0


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    canonical: str
    other_canonical: str | None
    requires_mofcom: bool
    issuer: str | None
    starts: re.Pattern[str] | None  # the characters a match can start with; None: try every position


@dataclass(frozen=True)
class _Rules:
    patterns: tuple[_Pattern, ...]
    issuers: tuple[str, ...]
    issuer_regex: re.Pattern[str]
    mofcom: str
    continuation: re.Pattern[str]


def spaced(literal: str) -> str:
    """A regex for `literal` that tolerates whitespace between its characters (不 可 靠) and reads
    each character in its traditional form too (商務部公告…號)."""
    return SP.join(_either_script(ch) for ch in literal)


def _either_script(ch: str) -> str:
    traditional = traditional_of(ch)
    return re.escape(ch) if traditional == ch else f"[{re.escape(ch)}{re.escape(traditional)}]"


def _expand(template: str) -> str:
    template = re.sub(r"<([^<>]+)>", lambda m: spaced(m.group(1)), template)
    return template.replace("{YEAR}", YEAR).replace("{NUM}", NUM).replace("{SP}", SP)


def _with_issuers(rest: str, issuers: str | None, run: str) -> str:
    """The full regex of a pattern: `rest`, after the issuer run if `issuers` is required or optional.

    The run is atomic and a run not followed by `rest` still matches (without a number, skipped by
    _matches_of), so finditer resumes after it instead of retrying from every issuer inside it:
    linear in the run's length. No issuer starts like `rest` (公告, a year), so neither changes a match.
    """
    if issuers is None:
        return rest
    if issuers == "required":
        return rf"(?P<issuers>(?>{run}))(?:{SP}{rest})?"
    if issuers == "optional":
        bare = re.sub(r"\(\?P<\w+>", "(?:", rest)  # the same regex without its named groups
        return rf"(?:(?P<issuers>(?>{run}))|(?={bare}))(?:(?(issuers){SP}){rest})?"
    raise ValueError(f"{PATTERNS_FILE}: issuers must be required or optional, not {issuers!r}")


def _first_chars(literal: str) -> str:
    """A regex class body for the first character of `literal`, in either script."""
    return "".join(dict.fromkeys(re.escape(c) for c in (literal[0], traditional_of(literal[0]))))


_OPTIONAL_LITERAL = re.compile(r"\(\?:<([^<>]+)>\)\?")


def _template_firsts(template: str) -> str | None:
    """The characters a match of a numbers.yml template can start with (a class body), read from its
    opening: optional literals `(?:<中华人民共和国>)?`, then a literal `<公告>` or `{YEAR}`. None for an
    opening this does not read, and the pattern is then tried at every position."""
    firsts = ""
    while m := _OPTIONAL_LITERAL.match(template):
        firsts += _first_chars(m.group(1))
        template = template[m.end():]
    if m := re.match(r"<([^<>]+)>", template):
        return firsts + _first_chars(m.group(1))
    if template.startswith("{YEAR}"):
        return firsts + YEAR_OPEN + ARABIC_CLASS + CN_DIGIT_CLASS
    return None


def _starts(template: str, issuers: str | None, issuer_names: tuple[str, ...]) -> re.Pattern[str] | None:
    """Where a pattern's match can start. Every match opens with one of these characters, so the scan
    tries the pattern only there (most of a notice's characters start nothing)."""
    run = _first_chars("中华人民共和国") + "".join(_first_chars(i) for i in issuer_names)
    rest = _template_firsts(template)
    if issuers == "required":
        firsts = run
    elif rest is None:
        return None
    else:
        firsts = run + rest if issuers == "optional" else rest
    return re.compile(f"[{firsts}]")


def _finditer(pattern: _Pattern, text: str) -> Iterator[re.Match[str]]:
    """pattern.regex.finditer(text), trying the regex only where a match can start: the same matches."""
    if pattern.starts is None:
        yield from pattern.regex.finditer(text)
        return
    search, match, pos = pattern.starts.search, pattern.regex.match, 0
    while (candidate := search(text, pos)) is not None:
        m = match(text, candidate.start())
        if m is None:
            pos = candidate.start() + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)  # no pattern matches empty; never loop if one did


@cache
def _rules() -> _Rules:
    data: dict[str, Any] = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    # Longest first, so that 国家密码管理局 is not read as 国家密码局.
    issuers = tuple(sorted(data["issuers"], key=len, reverse=True))
    one = "(?:" + spaced("中华人民共和国") + SP + ")?(?:" + "|".join(spaced(i) for i in issuers) + ")"
    seps = re.escape(data["list_separators"])
    run = rf"{one}(?:{SP}[{seps}]?+{SP}{one})*+"
    patterns = tuple(
        _Pattern(
            kind=p["kind"],
            regex=re.compile(_with_issuers(_expand(p["regex"]), p.get("issuers"), run)),
            canonical=p["canonical"],
            other_canonical=p.get("other_canonical"),
            requires_mofcom=bool(p.get("requires_mofcom")),
            issuer=p.get("issuer"),
            starts=_starts(p["regex"], p.get("issuers"), issuers),
        )
        for p in data["patterns"]
    )
    continuation = re.compile(rf"{SP}[{seps}]{SP}第?{SP}{NUM}{SP}号")
    issuer_regex = re.compile("|".join(spaced(i) for i in issuers))
    return _Rules(patterns, issuers, issuer_regex, data["mofcom"], continuation)


def _issuers_in(printed: str | None) -> tuple[str, ...]:
    if not printed:
        return ()
    rules = _rules()
    found = (simplified(re.sub(r"\s+", "", m.group(0))) for m in rules.issuer_regex.finditer(printed))
    return tuple(dict.fromkeys(found))


def _canonical(pattern: _Pattern, issuers: tuple[str, ...], year: int | None, number: int) -> str | None:
    mofcom = _rules().mofcom
    if not issuers or mofcom in issuers:
        return pattern.canonical.format(year=year, number=number)
    if pattern.requires_mofcom or pattern.other_canonical is None:
        return None
    return pattern.other_canonical.format(first_issuer=issuers[0], year=year, number=number)


def _kind(pattern: _Pattern, issuers: tuple[str, ...]) -> str:
    if pattern.kind == "announcement" and issuers and _rules().mofcom not in issuers:
        return "other_announcement"
    return pattern.kind


def _matches_of(pattern: _Pattern, text: str) -> Iterator[NumberMatch]:
    for m in _finditer(pattern, text):
        groups = m.groupdict()
        if groups["number"] is None:
            continue  # a run of issuers with no number after it
        year = to_int(groups["year"]) if groups.get("year") else None
        number = to_int(groups["number"])
        if (year is not None and not 1949 <= year <= 2100) or number <= 0:
            continue
        issuers = _issuers_in(groups.get("issuers"))
        canonical = _canonical(pattern, issuers, year, number)
        if canonical is None:
            continue
        kind = _kind(pattern, issuers)
        if not issuers and pattern.issuer:
            issuers = (pattern.issuer,)
        yield NumberMatch(canonical, m.group(0), m.start(), m.end(), kind, issuers, False, year, number)


def _continuations(head: NumberMatch, text: str) -> Iterator[NumberMatch]:
    """The bare numbers of an abbreviated list after `head`: 第55号、56号、57号."""
    pos = head.end
    while m := _rules().continuation.match(text, pos):
        number = to_int(m.group("number"))
        canonical = head.canonical.rsplit("第", 1)[0] + f"第{number}号"  # every canonical form ends 第N号
        start = m.start("number")
        yield NumberMatch(
            canonical, text[start : m.end()], start, m.end(), head.kind, head.issuers, True, head.year, number
        )
        pos = m.end()


def find_numbers(text: str) -> list[NumberMatch]:
    """Every document number in `text`, in order, list members included (in_list=True)."""
    candidates = [match for pattern in _rules().patterns for match in _matches_of(pattern, text)]
    # Overlapping readings of one span: keep the leftmost, then the longest.
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start)))
    found: list[NumberMatch] = []
    for candidate in candidates:
        if found and candidate.start < found[-1].end:
            continue
        found.append(candidate)
        found.extend(_continuations(candidate, text))
    return found


def canonical_number(text: str) -> str | None:
    """The canonical form of the first number in `text`, if any."""
    found = find_numbers(text)
    return found[0].canonical if found else None


def header_number(text: str) -> NumberMatch | None:
    """The number in a 【发布文号】 header line, offsets into `text`."""
    label = HEADER_LABEL.search(text)
    if not label:
        return None
    found = find_numbers(label.group("value"))
    if not found:
        return None
    first = found[0]
    shift = label.start("value")
    return replace(first, start=first.start + shift, end=first.end + shift)


def leading_number(text: str, *, max_offset: int = 0) -> NumberMatch | None:
    """A number that opens `text` (a title, or a masthead such as
    中华人民共和国商务部令\\n二〇二五年 第6号), ignoring leading whitespace and header lines."""
    found = find_numbers(text)
    if not found:
        return None
    first = found[0]
    opening = len(text) - len(text.lstrip())
    return first if first.start - opening <= max_offset else None


def issuer_names() -> tuple[str, ...]:
    """The issuers numbers.yml knows, longest first."""
    return _rules().issuers
