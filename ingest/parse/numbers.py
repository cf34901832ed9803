"""Document numbers (文号): find them as printed and normalise to one canonical form.

Canonical forms (the public contract of documents.doc_number):
  商务部公告2025年第61号            MOFCOM announcements, joint ones included
  商务部令2025年第7号               MOFCOM orders
  不可靠实体清单工作机制公告2025年第10号
  国务院令第792号
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ANNOUNCEMENT = re.compile(r"商务部[^。；，\n]{0,40}?公告\s*(\d{4})\s*年?\s*第\s*(\d+)\s*号")


@dataclass(frozen=True)
class NumberMatch:
    canonical: str
    printed: str
    start: int
    end: int


def find_numbers(text: str) -> list[NumberMatch]:
    return [
        NumberMatch(f"商务部公告{m.group(1)}年第{int(m.group(2))}号", m.group(0), m.start(), m.end())
        for m in _ANNOUNCEMENT.finditer(text)
    ]


def canonical_number(text: str) -> str | None:
    found = find_numbers(text)
    return found[0].canonical if found else None
