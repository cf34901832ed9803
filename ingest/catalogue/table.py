"""Catalogue rows from the lines of successive pages (pure: words in, CatalogueRows out).

A line that crosses a column boundary, or starts in the first column with a heading or note
marker or with nothing but a text that is not a row number, is full-width text: a section
heading, a technical note on the row above, or the continuation of either. Any other line holds
cells; it starts a new row when its 序号 cell (or, without one, its 管制编码 cell) is filled, and
otherwise continues the open row, which is how rows crossing page breaks and wrapped cells are
read. A row keeps the page of its first line."""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from ingest.catalogue.cells import hs_numbers, join_code, join_wrapped
from ingest.catalogue.header import RULE_TOLERANCE, TableFrame
from ingest.catalogue.page import HRule, Rule, Word
from ingest.document import CatalogueRow

LAYOUT_FILE = Path(__file__).with_name("layout.json")


@dataclass(frozen=True)
class Layout:
    titles: dict[str, str]  # header title → CatalogueRow field
    headings: tuple[re.Pattern[str], ...]
    notes: tuple[re.Pattern[str], ...]
    page_number: re.Pattern[str]
    row_start: dict[str, re.Pattern[str]]
    hs_code: re.Pattern[str]


@cache
def load_layout(path: Path = LAYOUT_FILE) -> Layout:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Layout(
        titles={title: name for name, titles in data["columns"].items() for title in titles},
        headings=tuple(re.compile(p) for p in data["headings"]),
        notes=tuple(re.compile(p) for p in data["notes"]),
        page_number=re.compile(data["page_number"]),
        row_start={name: re.compile(p) for name, p in data["row_start"].items()},
        hs_code=re.compile(data["hs_code"]),
    )


@dataclass(frozen=True)
class Heading:
    """A section heading spanning the table (第一类 …), with any notes printed before its first row."""

    page: int
    text: str
    first_row: int  # index in CatalogueTable.rows of the first row under it
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueTable:
    rows: tuple[CatalogueRow, ...]
    headings: tuple[Heading, ...]
    pages: int
    preamble: tuple[str, ...] = ()  # text lines before the table: its title, a cover page


@dataclass
class _RowDraft:
    page: int
    cells: dict[str, list[str]] = field(default_factory=dict)
    notes: list[list[str]] = field(default_factory=list)
    merged_up: frozenset[str] = frozenset()  # fields whose cell goes on from the row above (no border)

    def row(self, hs_code: re.Pattern[str]) -> CatalogueRow:
        def text(name: str) -> str | None:
            return join_wrapped(self.cells[name]) if self.cells.get(name) else None

        def code(name: str) -> str | None:
            return join_code(self.cells[name]) if self.cells.get(name) else None

        notes = "\n".join(join_wrapped(lines) for lines in self.notes)
        return CatalogueRow(
            page=self.page,
            seq=code("seq"),
            control_code=code("control_code"),
            name=text("name") or "",
            reference_name=text("reference_name"),
            hs_codes=hs_numbers(self.cells.get("hs_codes", ()), hs_code),
            unit=text("unit"),
            notes=notes or None,
        )


@dataclass
class _Block:
    kind: str  # "heading" | "note"
    page: int
    lines: list[str]
    wrapped: bool = False  # its last line ran to the table's right border: the text goes on
    last_page: int = 0
    last_bottom: float = 0.0


class TableReader:
    """Feeds page after page; `finish()` returns the table. Rows and notes run on across pages."""

    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or load_layout()
        self.rows: list[CatalogueRow] = []
        self._pending: list[_RowDraft] = []  # closed rows a merged cell may still run down from
        self.headings: list[Heading] = []
        self.pages = 0
        self._row: _RowDraft | None = None
        self._block: _Block | None = None
        self._hrules: tuple[float, ...] = ()  # y of the rules crossing the first column
        self._page_hrules: tuple[HRule, ...] = ()
        self._vrules: tuple[Rule, ...] = ()  # vertical rules of a ruled table's page (cells merged across)

    def read_page(
        self, page: int, lines: list[list[Word]], frame: TableFrame, hrules: Sequence[HRule] = (),
        vrules: Sequence[Rule] = (),
    ) -> None:
        """Read one page's lines; `hrules` and `vrules` are its ruling lines (cell borders), if any.

        Rules crossing the first column separate table rows: the lines between two of them form
        one row even when its 序号 sits lower than its first line (vertically centred cells)."""
        self.pages = max(self.pages, page)
        inside_first_column = frame.boundaries[0] - 2 * RULE_TOLERANCE if frame.boundaries else frame.left
        self._hrules = tuple(sorted(r.y for r in hrules if r.x0 <= inside_first_column <= r.x1))
        self._page_hrules = tuple(hrules)
        self._vrules = tuple(vrules) if frame.left != -math.inf or frame.right != math.inf else ()
        body = [
            line
            for index, line in enumerate(lines)
            if frame.body_top <= line[0].top <= frame.body_bottom
            # an unruled table: the footer's page number sits in the body band
            and not (index == len(lines) - 1 and frame.body_bottom == math.inf and self._is_page_number(line))
        ]
        bands = [[(line, self._cells(line, frame)) for line in band] for band in self._bands(body)]
        starts = [[texts is not None and self._is_row_start(texts, frame.fields) for _, texts in b] for b in bands]
        # Rules between the rows (each band holds at most one row start): a band is one row, even when
        # its 序号 sits lower than its first line (centred cells). Rules only above and below the table
        # (a three-line table): rows open at their 序号 / 管制编码 as unruled.
        ruled = frame.left != -math.inf or frame.right != math.inf  # vertical borders: a ruled grid
        rows_ruled = ruled and bool(self._hrules) and all(sum(band) <= 1 for band in starts)
        for split, band_starts in zip(bands, starts, strict=True):
            cell_lines = [i for i, (_, texts) in enumerate(split) if texts is not None]
            band_is_row = rows_ruled and any(band_starts)
            for i, ((line, texts), is_start) in enumerate(zip(split, band_starts, strict=True)):
                if texts is None:
                    self._read_full_width(page, line, frame)
                    continue
                self._close_block()
                opens = i == cell_lines[0] if band_is_row else is_start
                if opens or self._row is None:
                    self._close_row()
                    self._row = _RowDraft(page, merged_up=self._merged_up(page, line, frame) if band_is_row
                                          else frozenset())
                for name, text in texts.items():
                    self._row.cells.setdefault(name, []).append(text)

    def read_headings(self, page: int, lines: list[list[Word]], frame: TableFrame) -> None:
        """Full-width lines above the first table (section headings printed before its header row)."""
        for line in lines:
            self._read_full_width(page, line, frame)

    def _merged_up(self, page: int, line: list[Word], frame: TableFrame) -> frozenset[str]:
        """Fields of a ruled row whose top border is missing: cells merged with the row above
        (printed once for both, often centred in the merged cell)."""
        middle = (line[0].top + line[0].bottom) / 2  # bands are cut at line middles too
        above = [y for y in self._hrules if y < middle]
        previous = self._pending[-1] if self._pending and self._row is None else self._row
        if not above or previous is None or previous.page != page:
            return frozenset()
        top = above[-1]
        edges = (frame.left if frame.left != -math.inf else None, *frame.boundaries,
                 frame.right if frame.right != math.inf else None)
        merged = set()
        for index, name in enumerate(frame.fields):
            left, right = edges[index], edges[index + 1]
            if left is None or right is None:
                continue
            middle = (left + right) / 2
            if not any(abs(r.y - top) <= RULE_TOLERANCE and r.x0 <= middle <= r.x1 for r in self._page_hrules):
                merged.add(name)
        return frozenset(merged)

    def finish(self) -> CatalogueTable:
        self._close_block()
        self._close_row()
        self._flush()
        return CatalogueTable(tuple(self.rows), tuple(self.headings), self.pages)

    def _flush(self) -> None:
        """Rows no merged cell can reach any more, as CatalogueRows (drafts are larger: memory stays
        flat in the page count)."""
        self.rows.extend(draft.row(self.layout.hs_code) for draft in _resolve_merged(self._pending))
        self._pending = []

    def _bands(self, lines: list[list[Word]]) -> list[list[list[Word]]]:
        """Lines grouped by the horizontal rules between them (one group when there are none)."""
        bands: dict[int, list[list[Word]]] = {}
        for line in lines:
            middle = (line[0].top + line[0].bottom) / 2
            bands.setdefault(bisect.bisect_left(self._hrules, middle), []).append(line)
        return [bands[key] for key in sorted(bands)]

    def _cells(self, line: list[Word], frame: TableFrame) -> dict[str, str] | None:
        """The line's text per column, or None for a full-width line (heading, note).

        In a ruled row whose border between two columns is missing (some other inner border crossing
        the line), the two are one cell merged across: its words, wherever they start, are the left
        column's."""
        cells: dict[str, list[str]] = {}
        spanning = False
        open_borders = self._open_borders(line, frame)
        for word in line:
            column = frame.column_of(word.x0)
            while column - 1 in open_borders:
                column -= 1
            right = column
            while right in open_borders:
                right += 1
            spanning = spanning or word.x1 > frame.right_of(right) + RULE_TOLERANCE
            cells.setdefault(frame.fields[column], []).append(word.text)
        if spanning or self._is_full_width(cells, frame.fields):
            return None
        return {name: " ".join(parts) for name, parts in cells.items()}

    def _open_borders(self, line: list[Word], frame: TableFrame) -> frozenset[int]:
        """Indices of the column borders no vertical rule draws across this line, when others do (a
        ruled row with a cell merged across); empty otherwise (unruled, or a full-width block)."""
        if not self._vrules or not frame.boundaries:
            return frozenset()
        middle = (line[0].top + line[0].bottom) / 2
        across = [r.x for r in self._vrules if r.top - RULE_TOLERANCE <= middle <= r.bottom + RULE_TOLERANCE]
        drawn = {i for i, x in enumerate(frame.boundaries) if any(abs(x - r) <= RULE_TOLERANCE for r in across)}
        if not drawn:
            return frozenset()
        return frozenset(range(len(frame.boundaries))) - drawn

    def _is_full_width(self, cells: dict[str, list[str]], fields: tuple[str, ...]) -> bool:
        """A line starting in the first column that opens a heading or note, or that holds only a
        first-column text which cannot start a row (a note's last short line)."""
        first = cells.get(fields[0])
        if not first:
            return False
        text = " ".join(first)
        if any(p.match(text) for p in (*self.layout.headings, *self.layout.notes)):
            return True
        return len(cells) == 1 and not self._starts_row(fields[0], text)

    def _starts_row(self, name: str, text: str) -> bool:
        pattern = self.layout.row_start.get(name)
        return pattern is None or bool(pattern.match(text))

    def _is_row_start(self, texts: dict[str, str], fields: tuple[str, ...]) -> bool:
        key = "seq" if "seq" in fields else "control_code"
        return key in texts and self._starts_row(key, texts[key])

    def _read_full_width(self, page: int, line: list[Word], frame: TableFrame) -> None:
        text = " ".join(w.text for w in line)
        if self._continues_block(page, line, text):
            assert self._block is not None
            self._block.lines.append(text)
        elif any(p.match(text) for p in self.layout.headings):
            self._close_block()
            self._close_row()
            self._block = _Block("heading", page, [text])
        elif any(p.match(text) for p in self.layout.notes):
            self._close_block()
            self._block = _Block("note", page, [text])
        else:  # free text: a note under a row, else a heading
            self._close_block()
            self._block = _Block("note" if self._row else "heading", page, [text])
        char_width = line[-1].bottom - line[-1].top
        self._block.wrapped = line[-1].x1 >= frame.right - 2 * char_width
        self._block.last_page = page
        self._block.last_bottom = max(w.bottom for w in line)

    def _continues_block(self, page: int, line: list[Word], text: str) -> bool:
        """Whether a full-width line goes on with the open heading or note.

        A cell border separates blocks. Otherwise (one cell, a page break, unruled, text between
        two tables) a block goes on when its last line ran to the right border, or when this line
        opens nothing new."""
        block = self._block
        if block is None:
            return False
        if block.last_page == page and self._hrules and any(block.last_bottom < y < line[0].top for y in self._hrules):
            return False
        if block.wrapped:
            return True
        return not any(p.match(text) for p in (*self.layout.headings, *self.layout.notes))

    def _is_page_number(self, line: list[Word]) -> bool:
        return bool(self.layout.page_number.match(" ".join(w.text for w in line)))

    def _close_block(self) -> None:
        block, self._block = self._block, None
        if block is None:
            return
        if block.kind == "heading":
            self.headings.append(Heading(block.page, join_wrapped(block.lines), self._count()))
        elif self._row is not None:
            self._row.notes.append(block.lines)
        else:  # a note under a heading, before its first row
            last = self.headings.pop() if self.headings else Heading(block.page, "", self._count())
            note = join_wrapped(block.lines)
            self.headings.append(Heading(last.page, last.text, last.first_row, (*last.notes, note)))

    def _close_row(self) -> None:
        if self._row is not None:
            if not self._row.merged_up:
                self._flush()
            self._pending.append(self._row)
            self._row = None

    def _count(self) -> int:
        return len(self.rows) + len(self._pending)


def _resolve_merged(drafts: list[_RowDraft]) -> list[_RowDraft]:
    """Each merged cell's text (its lines in whichever rows they fell) given to every row it spans."""
    out = list(drafts)
    start = 0
    while start < len(out):
        for name in {n for d in out[start + 1:start + 2] for n in d.merged_up} - out[start].merged_up:
            end = start + 1
            while end < len(out) and name in out[end].merged_up:
                end += 1
            lines = [line for d in out[start:end] for line in d.cells.get(name, [])]
            for k in range(start, end):
                out[k] = replace(out[k], cells={**out[k].cells, name: list(lines)})
        start += 1
    return out
