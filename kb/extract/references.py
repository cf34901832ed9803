"""Document numbers printed in a text, in canonical form, abbreviated lists included.

The reading is ingest.parse.numbers' (its numbers.yml holds every printed form: joint issuers,
公告2025第61号 without 年, year-first 2024年第67号公告, orders, decrees, UEL notices, and lists such
as 第55号、56号、57号); this adapter only gives it the shape the pipeline uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.parse.numbers import find_numbers


@dataclass(frozen=True)
class Reference:
    canonical: str
    start: int
    end: int
    printed: str
    abbreviated: bool = False  # a list continuation such as “56号”


def find_references(text: str) -> list[Reference]:
    return [Reference(n.canonical, n.start, n.end, n.printed, n.in_list) for n in find_numbers(text)]
