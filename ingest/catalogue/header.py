"""Find the catalogue's header row on a page and learn the column x-boundaries from it.

Header titles may wrap inside their cells (海关商品 / 编号), so a title is matched as the
vertical run of pieces inside one column. Boundaries come from the vertical ruling lines
crossing the header row when the PDF has them (exact), else the midpoint between titles."""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingest.catalogue.page import Rule, Word, group_lines

RULE_TOLERANCE = 1.5  # points: a rule this close to a title edge still separates columns
ALIGNED = 1.0  # points: words starting this close start at one column edge
HEADER_LINES = 5  # a wrapped title runs at most this many line heights above or below the header's line


@dataclass(frozen=True)
class HeaderCell:
    field: str  # CatalogueRow field printed under this title
    title: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class TableFrame:
    """Where the table sits on one page: its columns and the vertical band holding rows."""

    fields: tuple[str, ...]  # left to right
    boundaries: tuple[float, ...]  # x between column i and i+1 (len(fields) - 1 values)
    body_top: float = -math.inf
    body_bottom: float = math.inf
    left: float = -math.inf  # the table's outer borders, when ruled
    right: float = math.inf
    header_top: float = -math.inf  # where the header row starts (text above it precedes the table)

    def column_of(self, x: float) -> int:
        """Index of the column a word starting at x belongs to."""
        return bisect.bisect_right(self.boundaries, x + RULE_TOLERANCE)

    def right_of(self, column: int) -> float:
        return self.boundaries[column] if column < len(self.boundaries) else math.inf

    def on_page(self, body_top: float, body_bottom: float) -> TableFrame:
        return TableFrame(self.fields, self.boundaries, body_top, body_bottom, self.left, self.right, self.header_top)


def find_header(words: Sequence[Word], titles: Mapping[str, str]) -> list[HeaderCell] | None:
    """The header cells of the first header row on the page, left to right; None if there is none."""
    headers = find_headers(words, titles)
    return headers[0] if headers else None


def find_headers(words: Sequence[Word], titles: Mapping[str, str]) -> list[list[HeaderCell]]:
    """The header rows on the page, top to bottom, each as its cells left to right.

    A page of the licence catalogue holds several tables, each opened by its own header row, and
    a header may be repeated mid-page. `titles` maps each accepted title (without spaces) to its
    field. A row counts as a header when one line holds at least two titles or pieces of titles and at least
    three fields are found; a title may wrap inside its cell (序 / 号, 海关商品 / 编号)."""
    pieces = _title_pieces(words, titles)
    headers: list[list[HeaderCell]] = []
    # A header line holds two or more titles or pieces of them (narrow cells wrap every title: 序 / 号,
    # 管制 / 编码, 计 / 量 / 单 / 位); the band around it must spell three whole titles.
    for line in group_lines(pieces):
        if len(line) < 2 or (headers and line[0].top <= max(c.bottom for c in headers[-1])):
            continue
        height = max(w.bottom - w.top for w in line)
        band_top, band_bottom = line[0].top - HEADER_LINES * height, line[0].bottom + HEADER_LINES * height
        if headers:
            band_top = max(band_top, max(c.bottom for c in headers[-1]))
        middle = (line[0].top + line[0].bottom) / 2
        in_band = [w for w in pieces if band_top <= w.top and w.bottom <= band_bottom]
        cells = [c for c in (_match_title(col, titles, middle) for col in _columns_of(in_band)) if c]
        cells = _first_per_field(cells)
        if len(cells) >= 3:
            headers.append(cells)
    return headers


def frame_from_header(
    cells: Sequence[HeaderCell], rules: Sequence[Rule], body: Sequence[Word] = ()
) -> TableFrame:
    """Columns from the header cells: split at the ruling lines crossing the header row; without
    rules, at the gutter the body's words leave between two titles (`body`: the words under the
    header), else halfway between the titles."""
    top = min(c.top for c in cells)
    bottom = max(c.bottom for c in cells)
    crossing = sorted({round(r.x, 1) for r in rules if r.top <= bottom and r.bottom >= top})
    boundaries = []
    for left, right in zip(cells, cells[1:], strict=False):
        middle = (left.x1 + right.x0) / 2
        between = [x for x in crossing if left.x1 - RULE_TOLERANCE <= x <= right.x0 + RULE_TOLERANCE]
        if between:
            boundaries.append(min(between, key=lambda x: abs(x - middle)))
        else:
            boundaries.append(gutter(body, left.x1, right.x0) if body else middle)
    outer_left = [x for x in crossing if x <= cells[0].x0 + RULE_TOLERANCE]
    outer_right = [x for x in crossing if x >= cells[-1].x1 - RULE_TOLERANCE]
    return TableFrame(
        fields=tuple(c.field for c in cells),
        boundaries=tuple(boundaries),
        body_top=bottom,
        body_bottom=table_bottom(rules, bottom),
        left=max(outer_left) if outer_left else -math.inf,
        right=min(outer_right) if outer_right else math.inf,
        header_top=top,
    )


def gutter(words: Sequence[Word], start: float, end: float) -> float:
    """The gutter between two unruled columns whose titles end at `start` and begin at `end`: the
    middle of the vertical strip in that stretch that the fewest body words cross and at whose right
    edge the most words start (a column's left edge: its lines start there, aligned), else the widest.

    Centred titles sit inside their columns, so halfway between the titles can fall inside a long
    cell's text; and a cell's words after a space start anywhere in it, so the first word starting
    in the stretch is no column edge either. A full-width heading or note crossing the gutter is
    outvoted by the rows."""
    inside = [w for w in words if w.x0 < end and w.x1 > start]
    if not inside:
        return (start + end) / 2
    edges = sorted({start, end, *(w.x0 for w in inside if start < w.x0 < end),
                    *(w.x1 for w in inside if start < w.x1 < end)})
    best: tuple[tuple[int, int, float], float] | None = None
    for left, right in zip(edges, edges[1:], strict=False):
        middle = (left + right) / 2
        crossing = sum(1 for w in inside if w.x0 < middle < w.x1)
        aligned = sum(1 for w in inside if abs(w.x0 - right) <= ALIGNED)
        key = (crossing, -aligned, -(right - left))
        if best is None or key < best[0]:
            best = (key, middle)
    return best[1] if best else (start + end) / 2


def table_bottom(rules: Sequence[Rule], below: float) -> float:
    """The lowest point of the table's ruling under `below` (footers lie under it); inf when unruled."""
    bottoms = [r.bottom for r in rules if r.bottom > below]
    return max(bottoms) + RULE_TOLERANCE if bottoms else math.inf


def table_top(rules: Sequence[Rule]) -> float:
    """The top of the table's ruling on a page without a header row; -inf when unruled."""
    return min((r.top for r in rules), default=-math.inf) - RULE_TOLERANCE


def _title_pieces(words: Sequence[Word], titles: Mapping[str, str]) -> list[Word]:
    """Words that are parts of titles, spaces removed, letter-spaced parts (序  号) joined again."""
    pieces: list[Word] = []
    for word in sorted(words, key=lambda w: (round(w.top), w.x0)):
        text = "".join(word.text.split())
        if not text or not any(text in t for t in titles):
            continue
        if pieces:
            last = pieces[-1]
            height = last.bottom - last.top
            joined = last.text + text
            same_line = abs(word.top - last.top) < height / 2 and 0 <= word.x0 - last.x1 < 3 * height
            if same_line and any(joined in t for t in titles):
                pieces[-1] = Word(joined, last.x0, word.x1, min(last.top, word.top), max(last.bottom, word.bottom))
                continue
        pieces.append(Word(text, word.x0, word.x1, word.top, word.bottom))
    return pieces


def _columns_of(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by horizontal overlap: the pieces of each header cell, top to bottom."""
    columns: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.x0):
        if columns and word.x0 < max(w.x1 for w in columns[-1]):
            columns[-1].append(word)
        else:
            columns.append([word])
    return [sorted(col, key=lambda w: (w.top, w.x0)) for col in columns]


def _match_title(pieces: list[Word], titles: Mapping[str, str], middle: float) -> HeaderCell | None:
    """The vertical run of pieces spelling a title, nearest to the header line's middle."""
    best: tuple[float, HeaderCell] | None = None
    for i in range(len(pieces)):
        for j in range(i + 1, len(pieces) + 1):
            run = pieces[i:j]
            text = "".join(w.text for w in run)
            if text not in titles:
                continue
            cell = HeaderCell(
                field=titles[text],
                title=text,
                x0=min(w.x0 for w in run),
                x1=max(w.x1 for w in run),
                top=run[0].top,
                bottom=run[-1].bottom,
            )
            distance = abs((cell.top + cell.bottom) / 2 - middle)
            if best is None or distance < best[0]:
                best = (distance, cell)
    return best[1] if best else None


def _first_per_field(cells: list[HeaderCell]) -> list[HeaderCell]:
    seen: set[str] = set()
    kept = []
    for cell in sorted(cells, key=lambda c: c.x0):
        if cell.field not in seen:
            seen.add(cell.field)
            kept.append(cell)
    return kept
