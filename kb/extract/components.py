"""The rule components of the pipeline, registered as spaCy factories (and exposed through the
`spacy_factories` entry point, so `spacy.load` of a built pipeline finds them).

Each component reads `doc.text` with the patterns of patterns.yaml and writes spans into one
`doc.spans` group; a span's normalised reading is in `span._.value` (JSON-shaped). With
`spacy.blank("zh")` every character is a token, so every regex match aligns with `doc.char_span`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.parse.dates import find_dates
from ingest.parse.numerals import to_int
from kb.extract.patterns import compiled, patterns
from kb.extract.references import find_references
from kb.extract.thresholds import find_thresholds
from kb.facts import Span as FactSpan

if not Span.has_extension("value"):
    Span.set_extension("value", default=None)

GROUPS = ("control_codes", "hs_codes", "dates", "doc_numbers", "laws", "thresholds", "emails", "urls")
_FULLWIDTH_DOT = str.maketrans({"．": "."})

Match = tuple[int, int, str, Any]  # start, end, label, value
_TEXT_KEY = "mofcom_text"


def make_doc(nlp: Language, text: str) -> Doc:
    """A tokenized Doc that remembers its text (lossless: doc.text == text)."""
    doc = nlp.make_doc(text)
    doc.user_data[_TEXT_KEY] = text
    return doc


def doc_text(doc: Doc) -> str:
    """doc.text, computed once per Doc (spaCy rebuilds it from every token on each access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return str(text)


def fact_span(s: Span) -> FactSpan:
    """A spaCy span as the Facts record's Span (text sliced from the cached doc text, not rebuilt from tokens)."""
    return FactSpan(s.start_char, s.end_char, doc_text(s.doc)[s.start_char : s.end_char])


def _write(doc: Doc, group: str, matches: Iterable[Match]) -> None:
    spans = []
    for start, end, label, value in matches:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None:
            continue
        span._.value = value
        spans.append(span)
    doc.spans[group] = spans


class RuleComponent:
    """A pipeline component filling one span group from a pure `find(text) -> matches` function."""

    def __init__(self, group: str, find: Callable[[str], Iterable[Match]]) -> None:
        self.group = group
        self.find = find

    def __call__(self, doc: Doc) -> Doc:
        _write(doc, self.group, self.find(doc_text(doc)))
        return doc


def find_control_codes(text: str) -> Iterable[Match]:
    for m in compiled("control_code", "regex").finditer(text):
        yield m.start(), m.end(), "CONTROL_CODE", (m.group(1) + m.group(2)).translate(_FULLWIDTH_DOT)


def find_hs_codes(text: str) -> Iterable[Match]:
    marker = compiled("hs_code", "marker")
    number = compiled("hs_code", "number")
    separator = compiled("hs_code", "separator")
    for mark in marker.finditer(text):
        pos = mark.end()
        while (m := number.match(text, pos)) is not None:
            yield m.start(1), m.end(1), f"HS{len(m.group(1))}", m.group(1)
            sep = separator.match(text, m.end())
            if sep is None:
                break
            pos = sep.end()


def _date_context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 12) : start]
    after = text[end : end + 3]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if compiled("date", "header").search(before.split("\n")[-1] if "\n" in before else before):
        return "header"
    if line.strip() == text[start:end].strip():
        return "signed"
    if compiled("date", "start_before").search(before) and compiled("date", "start_after").match(after):
        return "start"
    if compiled("date", "end_before").search(before):
        return "end"
    if compiled("date", "adopted_after").match(text, end):
        return "adopted"
    return "mention"


def _continued(text: str, date: dt.date, end: int) -> Iterator[tuple[int, int, dt.date]]:
    """Bare days (or months and days) printed right after a date, each taking the rest from the one before."""
    continued = compiled("date", "continued")
    while (m := continued.match(text, end)) is not None:
        try:
            month = to_int(m.group("m")) if m.group("m") else date.month
            date = dt.date(date.year, month, to_int(m.group("d")))
        except ValueError:  # 2月30日, or not a number: not a date
            return
        start = m.start("m") if m.group("m") else m.start("d")
        yield start, m.end(), date
        end = m.end()


def find_date_mentions(text: str) -> Iterable[Match]:
    for d in find_dates(text):
        yield d.start, d.end, "DATE", {"date": d.date.isoformat(), "context": _date_context(text, d.start, d.end)}
        for start, end, date in _continued(text, d.date, d.end):
            yield start, end, "DATE", {"date": date.isoformat(), "context": _date_context(text, start, end)}
    for m in compiled("date", "on_publication").finditer(text):
        yield m.start(), m.end(), "ON_PUBLICATION", {"date": None, "context": "start"}
    for m in compiled("date", "immediately").finditer(text):
        yield m.start(), m.end(), "IMMEDIATELY", {"date": None, "context": "start"}


def find_doc_numbers(text: str) -> Iterable[Match]:
    for ref in find_references(text):
        yield ref.start, ref.end, "DOC_NUMBER", {"canonical": ref.canonical, "abbreviated": ref.abbreviated}


def find_law_references(text: str) -> Iterable[Match]:
    section = patterns()["law_reference"]
    suffixes = tuple(section["law_suffixes"])
    article = compiled("law_reference", "article")
    # abbreviation → (the title it stands for, where its definition starts and ends). A defined short name is
    # the law it abbreviates: 《不可靠实体清单规定》（以下简称《规定》）…《规定》第二条 cites 《不可靠实体清单规定》 第二条.
    short_names: dict[str, tuple[str, int, int]] = {}
    for m in compiled("law_reference", "regex").finditer(text):
        title = m.group(1)
        if not title.endswith(suffixes) or (title in short_names and m.start() >= short_names[title][1]):
            continue  # not a law; or a defined short name (its definition too), read below under its full title
        articles: list[str | None] = [a.group(0) for a in article.finditer(m.group(2))] or [None]
        yield m.start(), m.end(), "LAW", {"law": f"《{title}》", "articles": articles}
        defined = compiled("law_reference", "abbreviation").match(text, m.end())
        if defined:
            short_names[defined.group(1)] = (title, defined.start(), defined.end())
    not_before = tuple(section["abbreviation_not_before"])
    for name, (title, defined_at, after) in short_names.items():
        bracketed = "《" in text[defined_at:after]
        yield from _short_mentions(text, name, title, after, bracketed, article, not_before)


def _short_mentions(text: str, name: str, title: str, after: int, bracketed: bool, article: re.Pattern[str],
                    not_before: tuple[str, ...]) -> Iterable[Match]:
    """Each mention of a defined short name after its definition, under the title it stands for. A name
    defined in title marks (（以下简称《规定》）) is read only in them: a bare 规定 is a common word."""
    opening, closing = ("《", "》") if bracketed else ("《?", "》?")
    pattern = re.compile(rf"{opening}{re.escape(name)}{closing}((?:{article.pattern}[、，和及]?)*)")
    for m in pattern.finditer(text, after):
        head = m.group(0)[: m.start(1) - m.start()]
        if head.startswith("《") != head.endswith("》"):
            continue  # the start or the end of another title: 《出口管制法实施细则》, 《中华人民共和国出口管制法》
        if not head.startswith("《") and text.rfind("《", 0, m.start()) > text.rfind("》", 0, m.start()):
            continue  # inside another title: 《实施〈出口管制法〉的规定》
        if text.startswith(not_before, m.start(1)) and not m.group(1):
            continue
        articles: list[str | None] = [a.group(0) for a in article.finditer(m.group(1))] or [None]
        yield m.start(), m.end(), "LAW", {"law": f"《{title}》", "articles": articles}


def find_threshold_spans(text: str) -> Iterable[Match]:
    for t in find_thresholds(text):
        value = {"parameter": t.parameter, "operator": t.operator, "value": t.value, "unit": t.unit}
        yield t.start, t.end, "THRESHOLD", value


def _contact_finder(key: str) -> Callable[[str], Iterable[Match]]:
    def find(text: str) -> Iterable[Match]:
        for m in compiled("contact", key).finditer(text):
            yield m.start(), m.end(), key.upper(), m.group(0)

    return find


@Language.factory("mofcom_control_codes")
def make_control_codes(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("control_codes", find_control_codes)


@Language.factory("mofcom_hs_codes")
def make_hs_codes(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("hs_codes", find_hs_codes)


@Language.factory("mofcom_dates")
def make_dates(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("dates", find_date_mentions)


@Language.factory("mofcom_doc_numbers")
def make_doc_numbers(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("doc_numbers", find_doc_numbers)


@Language.factory("mofcom_law_references")
def make_law_references(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("laws", find_law_references)


@Language.factory("mofcom_thresholds")
def make_thresholds(nlp: Language, name: str) -> RuleComponent:
    return RuleComponent("thresholds", find_threshold_spans)


@Language.factory("mofcom_contacts")
def make_contacts(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    emails, urls = _contact_finder("email"), _contact_finder("url")

    def contacts(doc: Doc) -> Doc:
        _write(doc, "emails", emails(doc_text(doc)))
        _write(doc, "urls", urls(doc_text(doc)))
        return doc

    return contacts
