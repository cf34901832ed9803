"""What the parser sees of one PDF page: its words and its vertical ruling lines.

Plain data, so the table logic is tested on hand-built pages without any PDF."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters without a gap, as pdfplumber's extract_words returns it (top-left origin)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Rule:
    """A vertical ruling line (a table border) from `top` down to `bottom` at `x`."""

    x: float
    top: float
    bottom: float


@dataclass(frozen=True, slots=True)
class HRule:
    """A horizontal ruling line at `y` from `x0` to `x1`."""

    y: float
    x0: float
    x1: float


@dataclass(frozen=True)
class PageContent:
    number: int  # 1-based
    words: tuple[Word, ...]
    rules: tuple[Rule, ...] = ()
    hrules: tuple[HRule, ...] = ()  # cell borders between rows


def group_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines, top to bottom, each left to right.

    A word joins a line when its vertical middle falls inside the line's first word: cells of
    one table line share a baseline, while the next line starts a full line height lower."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        if lines and lines[-1][0].top <= middle <= lines[-1][0].bottom:
            lines[-1].append(word)
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    return lines
