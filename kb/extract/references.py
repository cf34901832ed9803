"""Document numbers printed in a text, in canonical form, abbreviated lists included.

Announcements come from ingest.parse.numbers (the canonical forms are defined there); this
module adds the forms that text leaves to context: year-first numbers (2024年第67号公告),
orders, State Council decrees, and list continuations (公告2025年第55号、56号、57号 → 55, 56, 57).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.parse.numbers import find_numbers
from ingest.parse.numerals import to_int
from kb.extract.patterns import compiled

_LAST_NUMBER = re.compile(r"第\d+号$")
_CONTINUATION_WINDOW = 40


@dataclass(frozen=True)
class Reference:
    canonical: str
    start: int
    end: int
    printed: str
    abbreviated: bool = False  # a list continuation such as “56号”


def _year(value: str) -> int:
    return to_int(value)


def _own_matches(text: str) -> list[Reference]:
    found: list[Reference] = []
    for m in compiled("doc_number", "year_first_announcement").finditer(text):
        found.append(Reference(f"商务部公告{m.group(1)}年第{int(m.group(2))}号", m.start(), m.end(), m.group(0)))
    for m in compiled("doc_number", "order").finditer(text):
        year, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        found.append(Reference(f"商务部令{_year(year)}年第{int(number)}号", m.start(), m.end(), m.group(0)))
    for m in compiled("doc_number", "decree").finditer(text):
        found.append(Reference(f"国务院令第{int(m.group(1))}号", m.start(), m.end(), m.group(0)))
    for m in compiled("doc_number", "uel").finditer(text):
        found.append(
            Reference(f"不可靠实体清单工作机制公告{m.group(1)}年第{int(m.group(2))}号", m.start(), m.end(), m.group(0))
        )
    return found


def _overlaps(a: Reference, b: Reference) -> bool:
    return a.start < b.end and b.start < a.end


def _continuations(text: str, head: Reference) -> list[Reference]:
    """`、56号、57号，及…` after a full number: each continuation shares the head's issuer and year."""
    out: list[Reference] = []
    pos = head.end
    pattern = compiled("doc_number", "continuation")
    while True:
        m = pattern.match(text[pos : pos + _CONTINUATION_WINDOW])
        if not m:
            return out
        number_start = pos + m.start(1)
        # “第” belongs to the number as printed: 第61号、第62号
        if text[number_start - 1 : number_start] == "第":
            number_start -= 1
        canonical = _LAST_NUMBER.sub(f"第{int(m.group(1))}号", head.canonical)
        out.append(Reference(canonical, number_start, pos + m.end(), text[number_start : pos + m.end()], True))
        pos += m.end()


def find_references(text: str) -> list[Reference]:
    heads = [Reference(n.canonical, n.start, n.end, n.printed) for n in find_numbers(text)]
    for ref in _own_matches(text):
        if not any(_overlaps(ref, h) for h in heads):
            heads.append(ref)
    found = list(heads)
    for head in heads:
        for cont in _continuations(text, head):
            if not any(_overlaps(cont, f) and cont.canonical == f.canonical for f in found):
                found.append(cont)
    # a teammate's list expansion and ours may both report a continuation: keep one per position
    unique: dict[tuple[str, int], Reference] = {}
    for ref in sorted(found, key=lambda r: (r.start, -r.end)):
        if not any(_overlaps(ref, u) and ref.canonical == u.canonical for u in unique.values()):
            unique[(ref.canonical, ref.start)] = ref
    return sorted(unique.values(), key=lambda r: r.start)
