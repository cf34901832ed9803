"""Dates in context: the document's entry into force, clause-level entry into force, and the
relations a notice states on other documents (suspends, repeals, …) with their windows.

Works sentence by sentence (。 and line ends); relations clause by clause (；) within a sentence,
so 同日 and a window printed once apply to every clause of the sentence.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from ingest.parse.numerals import to_int
from kb.extract.components import doc_text, fact_span
from kb.extract.patterns import compiled, patterns
from kb.facts import ClauseEffective, DateMention, Relation, Span

_SENTENCE = re.compile(r"[^。\n]+")
_CLAUSE = re.compile(r"[^；;]+")
_FULL_WIDTH = str.maketrans("()", "（）")  # part labels print either width; stored full-width
_BRACKETED = re.compile(r"《[^《》]*》|（[^（）]*）|\([^()]*\)")


@dataclass
class Timeline:
    effective_date: str | None
    on_publication: bool
    clause_effective: list[ClauseEffective]
    relations: list[Relation]
    dates: list[DateMention]



def _within(spans: list[SpacySpan], start: int, end: int) -> list[SpacySpan]:
    return [s for s in spans if start <= s.start_char and s.end_char <= end]


def _by_sentence(spans: list[SpacySpan], sentences: list[re.Match[str]]) -> list[list[SpacySpan]]:
    """`_within(spans, sentence)` for every sentence at once, in one pass (the sentences are disjoint and in
    order, so a span lies within at most one: the last one starting at or before it)."""
    starts = [m.start() for m in sentences]
    out: list[list[SpacySpan]] = [[] for _ in sentences]
    for span in spans:
        k = bisect.bisect_right(starts, span.start_char) - 1
        if k >= 0 and span.end_char <= sentences[k].end():
            out[k].append(span)
    return out


def _masked(text: str) -> str:
    """Titles and parentheticals blanked, so 《关于…实施…的公告》 never reads as a verb."""
    return _BRACKETED.sub(lambda m: " " * len(m.group(0)), text)


def _verb_after(masked: str, offset: int, verbs: list[list[str]]) -> tuple[int, str, str] | None:
    best: tuple[int, str, str] | None = None
    for printed, relation in verbs:
        pos = masked.find(printed, offset)
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, printed, relation)
    return best


def _verb_before(masked: str, offset: int, verbs: list[list[str]]) -> str | None:
    best: tuple[int, str] | None = None
    for printed, relation in verbs:
        pos = masked.rfind(printed, 0, offset)
        if pos >= 0 and (best is None or pos > best[0]):
            best = (pos, relation)
    return best[1] if best else None


def _basis(masked: str, offset: int, section: dict) -> str | None:
    """根据/依据 before the reference in its clause, with no acting verb between them."""
    before = masked[:offset]
    pos = max(before.rfind(v) for v in section["basis_verbs"])
    if pos < 0 or _verb_after(before, pos, section["verbs"]) is not None:
        return None
    acting = [v for v in section["prefix_verbs"] if v[1] in section["acting"]]
    if _verb_after(before, pos, acting) is not None:
        return None  # 根据…规定，…暂停X公告: the basis phrase ended before the acting verb
    return "implements"


def _plus(start: str, n: int, unit: str) -> str:
    """The last day of a window of n units starting on `start` (the starting day not counted: 90天 from
    2025-05-14 → 2025-08-12; 一年 from 2025-11-10 → 2026-11-10; a month end stays in its month)."""
    day = dt.date.fromisoformat(start)
    if unit in ("天", "日"):
        return (day + dt.timedelta(days=n)).isoformat()
    months = day.month - 1 + (n * 12 if unit == "年" else n)
    year, month = day.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1])).isoformat()


def _duration_end(gap: str, start: str | None) -> str | None:
    """A duration printed right after a target (…相关措施90天), as the window's last day."""
    if start is None:
        return None
    m = compiled("relation", "duration").search(gap)
    if m is None:
        return None
    try:
        return _plus(start, to_int(m.group("n")), m.group("unit"))
    except (ValueError, OverflowError):
        return None


def _mark_window(roles: dict[int, str], starts: list[SpacySpan], ends: list[SpacySpan]) -> None:
    """The sentence's start and end dates are a window's (unless a role was given already)."""
    for d in starts:
        roles.setdefault(d.start_char, "window_start")
    for d in ends:
        roles.setdefault(d.start_char, "window_end")


def build_timeline(doc: Doc, doc_date: str | None, own_number: str | None, faq: bool = False) -> Timeline:
    text = doc_text(doc)
    section = patterns()["relation"]
    date_spans = list(doc.spans["dates"])
    refs = [r for r in doc.spans["doc_numbers"] if r._.value["canonical"] != own_number]
    laws = list(doc.spans["laws"])
    roles: dict[int, str] = {}
    effective_date: str | None = None
    on_publication = False
    clause_effective: list[ClauseEffective] = []
    relations: list[Relation] = []
    last_start: str | None = None

    def start_of(phrase: SpacySpan) -> str | None:
        return phrase._.value["date"] or doc_date

    sentences = list(_SENTENCE.finditer(text))
    dates_in, refs_in, laws_in = (_by_sentence(spans, sentences) for spans in (date_spans, refs, laws))
    for k, sentence in enumerate(sentences):
        s_start, s_end = sentence.start(), sentence.end()
        in_sentence = dates_in[k]
        starts = [d for d in in_sentence if d._.value["context"] == "start"]
        ends = [d for d in in_sentence if d._.value["context"] == "end" and d._.value["date"]]
        window_start = start_of(starts[0]) if starts else None
        if window_start is None and compiled("relation", "same_day").search(sentence.group(0)):
            window_start = last_start
        window_end = ends[0]._.value["date"] if ends else None

        s_refs, s_laws = refs_in[k], laws_in[k]
        # a clause with no reference or law relates nothing: skip the sentence's clauses when it has none
        for clause in _CLAUSE.finditer(sentence.group(0)) if s_refs or s_laws else ():
            c_start, c_end = s_start + clause.start(), s_start + clause.end()
            c_refs = _within(s_refs, c_start, c_end)
            c_laws = _within(s_laws, c_start, c_end)
            if not c_refs and not c_laws:
                continue
            masked = _masked(text[c_start:c_end])
            last = max(t.end_char for t in [*c_refs, *c_laws])
            verb = _verb_after(masked, last - c_start, section["verbs"])
            targets = [(r, r._.value["canonical"], False) for r in c_refs]
            targets += [(law, law._.value["law"], True) for law in c_laws]
            ordered = sorted(targets, key=lambda t: t[0].start_char)
            for k, (ref, target, by_title) in enumerate(ordered):
                relation = _basis(masked, ref.start_char - c_start, section) or (verb[2] if verb else None)
                prefixed = False
                if relation is None:
                    relation = _verb_before(masked, ref.start_char - c_start, section["prefix_verbs"]) or "references"
                    prefixed = relation in section["acting"]
                if relation == "implements" and faq:
                    relation = "references"
                timed = relation in section["acting"]
                if by_title and (not timed or faq):
                    continue  # 根据《…法》 is a law reference, not a relation; FAQ prose acts on nothing
                part = None
                if verb:
                    gap = text[ref.end_char : c_start + verb[0]]
                    m = compiled("relation", "part").search(gap)
                    part = m.group(0).translate(_FULL_WIDTH) if m else None  # “一(一)” is “一（一）”
                end_date = window_end
                if timed and end_date is None:  # …相关措施90天: up to the next target, or the clause's end
                    gap_end = ordered[k + 1][0].start_char if k + 1 < len(ordered) else c_end
                    end_date = _duration_end(_masked(text[ref.end_char : gap_end]), window_start)
                relations.append(
                    Relation(
                        relation=relation,
                        target_number=target,
                        span=fact_span(ref),
                        part=part,
                        start_date=window_start if timed else None,
                        end_date=end_date if timed else None,
                    )
                )
                if prefixed:
                    _mark_window(roles, starts, ends)
            if verb and verb[2] != "references":
                _mark_window(roles, starts, ends)

        # the statement of entry into force needs a start date, its verb and its subject (searched in that order)
        effective = compiled("document_effective", "verb").search(sentence.group(0)) if starts else None
        subject = compiled("document_effective", "subject").search(sentence.group(0)) if effective else None
        if starts and effective and subject:
            quoted = [m for m in compiled("clause_effective", "parts").finditer(sentence.group(0))
                      if s_start + m.end() <= starts[0].start_char]
            publication = starts[0].label_ != "DATE"
            date = start_of(starts[0])
            if quoted:
                for m in quoted:
                    clause_effective.append(
                        ClauseEffective(m.group(1).translate(_FULL_WIDTH), Span(s_start + m.start(), s_end, text[s_start + m.start() : s_end]), date,
                                        publication)
                    )
            elif effective_date is None and not on_publication:
                effective_date, on_publication = date, publication
            if starts[0].label_ == "DATE":
                roles[starts[0].start_char] = "effective"
        if window_start:
            last_start = window_start

    if effective_date is None and not clause_effective:
        phrases = [d for d in date_spans if d.label_ != "DATE"]
        if phrases:  # 自即日起 / 自公布之日起 printed, no statement of its own: in force on the day
            effective_date, on_publication = doc_date, True

    dates = [
        DateMention(
            date=d._.value["date"],
            role=roles.get(d.start_char) or {"header": "header", "signed": "signed"}.get(d._.value["context"], "mention"),
            span=fact_span(d),
        )
        for d in date_spans
        if d.label_ == "DATE"
    ]
    return Timeline(effective_date, on_publication, clause_effective, relations, dates)
