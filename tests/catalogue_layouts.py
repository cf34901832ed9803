"""The catalogue layout generator: the same rows rendered as real PDFs in many layouts.

Layouts are data (tests/catalogue_layouts.yml): column order, titles and widths, font (an embedded
TrueType or a non-embedded CID font) and size, ruled grid / three-line frame / no rules, a header row
on every page, after each section heading (mid-page) or on the first page only, annex headings
(附件1 / 第1类) or the licence catalogue's numbered ones (一、/（一）/1A 系统、设备和部件) inside the table or
between tables, wrapped and letter-spaced header titles, vertically centred cells, vertically merged
cells, HS numbers one or two a line, plain or dotted. Rows break across pages (top-aligned rows) or
move whole to the next page (centred rows).

`render_layout(layout, blocks, path)` returns what it drew: the rows (each with the page its first
line is on), the expected output of the parser. `synthetic_items(n)` writes rows with no corpus
(team-written, clearly not MOFCOM's); `corpus_items(dir)` takes the real control-list codes and the
2026 licence catalogue's HS numbers.

    .venv/bin/python tests/catalogue_layouts.py LAYOUT OUT.pdf [ROWS]
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from catalogue_pdfs import FONT_FILE, Heading, Item, wrap_by
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ingest.document import CatalogueRow

LAYOUTS_FILE = Path(__file__).with_name("catalogue_layouts.yml")
FONTS = {"wqy": "WenQuanYiMicroHei", "stsong": "STSong-Light"}
PAGES = {"A4": A4, "A4-landscape": landscape(A4)}
MARGIN_TOP, MARGIN_BOTTOM = 50.0, 56.0
PAD = 3.0  # horizontal cell padding
TITLE = "两用物项和技术进出口许可证管理目录"
SUBTITLE = "（样例：mofcom-kb 团队为测试绘制，非官方文本）"
TYPE_NAMES = {"A": "系统、设备和部件", "B": "测试、检验和生产设备", "C": "材料", "D": "软件", "E": "技术"}
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Layout:
    name: str
    page: str
    font: str
    size: float
    leading: float
    header_size: float
    columns: tuple[tuple[str, str, float], ...]
    letter_spaced: int
    grid: str
    header: str
    headings: str
    heading_place: str
    valign: str
    hs_per_line: int
    hs_format: str
    merge: tuple[str, ...]
    notes: bool
    footer: str
    merge_across: tuple[str, ...] = ()  # [field, next field]: a row without the next field's value
    # prints the first field across both cells (one cell, no border between them)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f, _, _ in self.columns)


@cache
def load_layouts(path: Path = LAYOUTS_FILE, section: str = "layouts") -> dict[str, Layout]:
    """The layouts of one section of the file: `layouts` (catalogue tables), `technology_layouts`."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))[section]
    layouts = {}
    for name, spec in data.items():
        spec = {**spec, "columns": tuple((f, t, float(w)) for f, t, w in spec["columns"]),
                "merge": tuple(spec["merge"]), "merge_across": tuple(spec.get("merge_across", ()))}
        layout = Layout(name=name, **spec)
        if (layout.merge or layout.merge_across) and layout.grid != "full":
            raise ValueError(f"{path}: layout {name}: merged cells need a ruled grid")
        if layout.merge_across and (len(layout.merge_across) != 2 or layout.fields.index(layout.merge_across[1])
                                    != layout.fields.index(layout.merge_across[0]) + 1):
            raise ValueError(f"{path}: layout {name}: merge_across names two adjacent columns")
        layouts[name] = layout
    return layouts


@dataclass(frozen=True)
class Section:
    """A heading line with its level (0: annex / 一、, 1: 第N类 / （一）, 2: 1A)."""

    text: str
    level: int


@dataclass(frozen=True)
class Rendering:
    layout: str
    rows: list[CatalogueRow]
    headings: list[str]
    pages: int
    broken_rows: int  # rows whose lines continue on the next page
    header_rows: int  # header rows drawn (more than the pages: a header mid-page)
    merged_groups: int  # merged cells spanning two or more rows
    merged_across: int = 0  # cells spanning two columns


def register(font: str) -> str:
    name = FONTS[font]
    if name not in pdfmetrics.getRegisteredFontNames():
        if font == "wqy":
            if not FONT_FILE.exists():
                raise FileNotFoundError(f"{FONT_FILE} is missing: install Debian fonts-wqy-microhei")
            pdfmetrics.registerFont(TTFont(name, str(FONT_FILE), subfontIndex=0))
        else:
            pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines of at most `width` points: Chinese wraps anywhere, never inside a Latin word or number."""
    return wrap_by(text, width, lambda s: pdfmetrics.stringWidth(s, font, size))


# --- the rows ---------------------------------------------------------------------------------

# Team-written item names (not MOFCOM's): Chinese with Latin words, numbers, brackets and a few
# header words inside names (单位, 编号, 名称), which must stay in their rows.
NAME_PARTS = (
    "高纯度金属镓及其合金", "以单位时间计的流量测量装置", "数控机床（numerically controlled machine tools）",
    "含锗的化合物及其混合物", "编号为第二类的测试设备", "直径大于 75 mm 的单晶硅锭", "物项名称未列明的专用部件",
    "工作频率超过 3 GHz 的放大器", "铍铜合金板材", "稀土永磁材料及制品", "用于 Lidar 系统的激光器",
    "石墨电极和碳纤维预制件", "真空感应熔炼炉", "超高分子量聚乙烯纤维", "无人驾驶航空飞行器的飞行控制软件",
)
QUALIFIERS = ("", "：a．专门设计的部件；b．用于上述物项的附件", "，纯度不低于 99.999%", "及其专用模具", "",
              "（不包括民用级产品）", "，含量按重量计超过 10%的", "")
UNITS = ("千克", "台", "千克/台", "个", None, "台（套）", "千克", "千克", "套", "克")
HS_PER_ROW = (1, 3, 0, 2, 5, 1, 4, 9, 2, 0, 3, 6)
# Characters of the corpus descriptions outside the CID font's set (GB 2312), as the look-alikes it has.
OUTSIDE_GB2312 = str.maketrans({"\u00b5": "\u03bc", "\u00ba": "\u00b0"})  # micro sign → μ, º → °


def synthetic_items(count: int, hs_pool: Sequence[str] | None = None) -> list[Item]:
    """`count` rows in code order across categories 0-9 and types A-E; HS numbers from `hs_pool`
    (dealt in order) or made up (10 digits, team-written)."""
    pool = itertools.cycle(hs_pool or [f"{8100 + i // 7:04d}{(i * 37) % 100:02d}{(i * 53) % 10000:04d}"
                                       for i in range(700)])
    items = []
    for i in range(count):
        category, kind = (i // 40) % 10, "ABCDE"[(i // 8) % 5]
        code = f"{category}{kind}{900 + i % 8 + 10 * (i // 400):03d}"
        sub = "" if i % 3 == 0 else "." + "abc"[i % 3]
        name = NAME_PARTS[(7 * i) % len(NAME_PARTS)] + QUALIFIERS[i % len(QUALIFIERS)]
        if i % 11 == 5:  # a long description: wraps over many lines, breaks across pages
            name += "，" + "；".join(NAME_PARTS[(i + k) % len(NAME_PARTS)] for k in range(1, 6))
        items.append(Item(
            seq=str(i + 1), control_code=code + sub, name=name,
            reference_name=name.split("：")[0].split("，")[0][:12] if i % 4 != 3 else None,
            hs_codes=tuple(next(pool) for _ in range(HS_PER_ROW[i % len(HS_PER_ROW)])),
            unit=UNITS[i % len(UNITS)] if i % 10 < 6 else UNITS[(i // 3) % len(UNITS)],
            notes=(f"技术说明：本项所称{NAME_PARTS[i % len(NAME_PARTS)]}，指按 ISO 9001 检验合格的产品。",)
            if i % 13 == 7 else (),
        ))
    return items


def corpus_items(corpus_dir: Path, copies: int = 1) -> list[Item]:
    """The real control-list codes with their descriptions (`copies` times, renumbered), the 2026
    licence catalogue's HS numbers dealt over them."""
    lines = (corpus_dir / "control-list-codes.jsonl").read_text(encoding="utf-8").splitlines()
    codes = sorted((json.loads(line) for line in lines if line.strip()), key=lambda c: c["controlCode"])
    hs = json.loads((corpus_dir / "licence-catalogue-2026-hs-codes.json").read_text(encoding="utf-8"))["codes"]
    items = []
    shapes = synthetic_items(len(codes) * copies, hs)
    for n, shape in enumerate(shapes):
        entry = codes[n % len(codes)]
        description = entry["description"].translate(OUTSIDE_GB2312)
        name = " ".join(description.split()) or entry["itemType"]
        items.append(replace(shape, control_code=entry["controlCode"], name=name,
                             reference_name=entry["itemType"] if n % 4 != 3 else None))
    return items


def sectioned(items: Sequence[Item], style: str, volumes: int = 1) -> Iterator[Heading | Item | Section]:
    """Items under section headings: annex (附件N, 第N类) or numbered (一、 / （一） / 1A …), in code order."""
    per_volume = -(-len(items) // volumes)
    for volume in range(volumes):
        chunk = sorted(items[volume * per_volume:(volume + 1) * per_volume], key=lambda it: it.control_code)
        if style == "annex":
            yield Section(f"附件{volume + 1} 两用物项出口管制清单（第{volume + 1}册）", 0)
        else:
            yield Section(f"{CHINESE_NUMERALS[volume % 10]}、两用物项出口管制清单所列物项（第{volume + 1}部分）", 0)
        category = kind = ""
        for item in chunk:
            if item.control_code[0] != category:
                category, kind = item.control_code[0], ""
                if style == "annex":
                    yield Section(f"第{category}类 第{category}类物项", 1)
                else:
                    yield Section(f"（{CHINESE_NUMERALS[int(category) % 10]}）第{category}类物项", 1)
            if style == "numbered" and item.control_code[1] != kind:
                kind = item.control_code[1]
                yield Section(f"{category}{kind} {TYPE_NAMES[kind]}", 2)
            yield item


# --- the renderer -------------------------------------------------------------------------------

class _Canvas:
    """A canvas with a cursor, the layout's geometry, page starts and footers."""

    def __init__(self, layout: Layout, path: Path) -> None:
        self.layout = layout
        self.font = register(layout.font)
        self.width, self.height = PAGES[layout.page]
        self.canvas = Canvas(str(path), pagesize=(self.width, self.height), pageCompression=1)
        table_width = sum(w for _, _, w in layout.columns)
        self.left = (self.width - table_width) / 2
        self.right = self.left + table_width
        self.xs = [self.left + sum(w for _, _, w in layout.columns[:i]) for i in range(len(layout.columns) + 1)]
        self.page = 0
        self.y = 0.0
        self.header_rows = 0
        self.header_drawn_on_page = False

    def column(self, field: str) -> tuple[float, float]:
        i = self.layout.fields.index(field)
        return self.xs[i] + PAD, self.xs[i + 1] - self.xs[i] - 2 * PAD

    def new_page(self) -> None:
        if self.page:
            self.footer()
            self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN_TOP
        self.header_drawn_on_page = False
        if self.page == 1:
            self.canvas.setFont(self.font, 14)
            self.canvas.drawCentredString(self.width / 2, self.y - 14, TITLE)
            self.canvas.setFont(self.font, 9)
            self.canvas.drawCentredString(self.width / 2, self.y - 32, SUBTITLE)
            self.y -= 46
        if self.layout.header == "every_page":
            self.header()

    def room(self) -> float:
        return self.y - MARGIN_BOTTOM

    def footer(self) -> None:
        text = {"dash": f"— {self.page} —", "plain": str(self.page), "of": f"第{self.page}页"}[self.layout.footer]
        self.canvas.setFont(self.font, 9)
        self.canvas.drawCentredString(self.width / 2, MARGIN_BOTTOM - 30, text)

    def header_lines(self) -> list[list[str]]:
        size = self.layout.header_size
        out = []
        for _, title, width in self.layout.columns:
            lines = wrap(title, width - 2 * PAD, self.font, size)
            if len(title) <= self.layout.letter_spaced and len(lines) == 1:
                spaced = "  ".join(title)
                if pdfmetrics.stringWidth(spaced, self.font, size) <= width - 2 * PAD:
                    lines = [spaced]
            out.append(lines)
        return out

    def header_height(self) -> float:
        return max(len(lines) for lines in self.header_lines()) * (self.layout.header_size + 4) + 6

    def header(self) -> None:
        size, cells = self.layout.header_size, self.header_lines()
        height = self.header_height()
        top = self.y
        self.canvas.setFont(self.font, size)
        for i, lines in enumerate(cells):
            first = top - (height - len(lines) * (size + 4)) / 2  # centred both ways
            for k, line in enumerate(lines):
                self.canvas.drawCentredString((self.xs[i] + self.xs[i + 1]) / 2, first - k * (size + 4) - size, line)
        if self.layout.grid == "full":
            self.box(top, top - height, columns=True)
        elif self.layout.grid == "frame":
            self.canvas.line(self.left, top, self.right, top)
            self.canvas.line(self.left, top - height, self.right, top - height)
        self.y = top - height
        self.header_rows += 1
        self.header_drawn_on_page = True

    def box(self, top: float, bottom: float, *, columns: bool, open_top: Sequence[int] = (),
            open_bottom: Sequence[int] = (), open_inside: Sequence[int] = ()) -> None:
        """Cell borders from `top` to `bottom`: the outer verticals (and inner ones with `columns`, except
        the column starts in `open_inside`: a cell merged across), the top and bottom borders per column
        except in the columns of a cell merged down (`open_*`)."""
        xs = [x for i, x in enumerate(self.xs) if i not in open_inside] if columns else [self.left, self.right]
        for x in xs:
            self.canvas.line(x, top, x, bottom)
        if not columns:
            self.canvas.line(self.left, top, self.right, top)
            self.canvas.line(self.left, bottom, self.right, bottom)
            return
        for i in range(len(self.xs) - 1):
            if i not in open_top:
                self.canvas.line(self.xs[i], top, self.xs[i + 1], top)
            if i not in open_bottom:
                self.canvas.line(self.xs[i], bottom, self.xs[i + 1], bottom)

    def text(self, x: float, y: float, text: str, size: float | None = None) -> None:
        self.canvas.setFont(self.font, size or self.layout.size)
        self.canvas.drawString(x, y, text)


@dataclass
class _Row:
    item: Item
    cells: dict[str, list[str]]  # field → its lines (merged fields included)
    merge_open_above: set[int]  # columns whose top border is left out (merged with the row above)
    merge_open_below: set[int]


class _Renderer:
    def __init__(self, layout: Layout, path: Path) -> None:
        self.layout = layout
        self.c = _Canvas(layout, path)
        self.rows: list[CatalogueRow] = []
        self.headings: list[str] = []
        self.broken = 0
        self.merged_groups = 0
        self.merged_across = 0  # row segments drawn with a cell merged across two columns
        self.table_open = False  # a header row has been drawn for the current table
        self.c.new_page()

    # cells
    def across(self, item: Item) -> int | None:
        """The column start left open when the item's first merge_across field spans the next column."""
        if not self.layout.merge_across:
            return None
        first, second = self.layout.merge_across
        return self.layout.fields.index(second) if getattr(item, second) is None and getattr(item, first) else None

    def cell_lines(self, item: Item) -> dict[str, list[str]]:
        layout, c = self.layout, self.c
        out: dict[str, list[str]] = {}
        spanned = self.across(item)
        for field in layout.fields:
            width = c.column(field)[1]
            if spanned is not None and field == layout.merge_across[0]:
                width += c.column(layout.merge_across[1])[1] + 2 * PAD  # one cell over both columns
            if field in ("seq", "control_code"):
                value = getattr(item, field)
                if pdfmetrics.stringWidth(value, c.font, layout.size) > width:
                    raise ValueError(f"layout {layout.name}: {value!r} is wider than its {field} column")
                out[field] = [value]
            elif field == "hs_codes":
                shown = [self.hs(h) for h in item.hs_codes]
                per = layout.hs_per_line
                if per > 1 and any(pdfmetrics.stringWidth(" ".join(shown[i:i + per]), c.font, layout.size) > width
                                   for i in range(0, len(shown), per)):
                    per = 1
                out[field] = [" ".join(shown[i:i + per]) for i in range(0, len(shown), per)]
            else:
                value = getattr(item, field) or ""
                out[field] = wrap(value, width, c.font, layout.size) if value else []
        return out

    def hs(self, number: str) -> str:
        if self.layout.hs_format == "dotted":
            return f"{number[:4]}.{number[4:8]}" + (f".{number[8:]}" if number[8:] else "")
        return number

    def row_height(self, lines: dict[str, list[str]]) -> float:
        return max(1, *(len(v) for v in lines.values())) * self.layout.leading + 2

    # blocks
    def section(self, section: Section) -> None:
        layout, c = self.layout, self.c
        self.headings.append(section.text)
        lines = wrap(section.text, c.right - c.left - 2 * PAD, c.font, layout.size)
        height = len(lines) * layout.leading + 2
        if layout.heading_place == "between_tables":
            height += 6  # space around text set between two tables
        if c.room() < height + c.header_height() + layout.leading + 4:
            c.new_page()  # a heading never ends a page
        top = c.y
        for k, line in enumerate(lines):
            c.text(c.left + PAD, top - (k + 1) * layout.leading + 3 - (3 if layout.heading_place == "between_tables" else 0),
                   line)
        c.y = top - height
        if layout.heading_place == "in_table" and layout.grid == "full":
            c.box(top, c.y, columns=False)
        if layout.header == "every_table":
            self.table_open = False

    def ensure_header(self) -> None:
        layout, c = self.layout, self.c
        if layout.header == "every_table" and not self.table_open:
            c.header()
            self.table_open = True
        elif layout.header == "first_page" and c.header_rows == 0:
            c.header()

    def page_break(self) -> None:
        c = self.c
        if self.layout.grid == "frame":
            c.canvas.line(c.left, c.y, c.right, c.y)
        c.new_page()
        if self.layout.header == "every_table" and self.table_open:
            c.header()  # a table continuing on the next page repeats its header row
        elif self.layout.grid == "frame":
            c.canvas.line(c.left, c.y, c.right, c.y)

    def items(self, items: list[Item]) -> None:
        """A run of consecutive rows (between two headings): merged cells group equal values."""
        layout, c = self.layout, self.c
        rows = [_Row(it, self.cell_lines(it), set(), set()) for it in items]
        merged = [layout.fields.index(f) for f in layout.merge]
        i = 0
        while i < len(rows):
            self.ensure_header()
            height = self.row_height(rows[i].cells)
            if layout.valign == "middle" and height <= c.height - MARGIN_TOP - MARGIN_BOTTOM - 120 \
                    and c.room() < height:
                self.page_break()  # a centred row moves whole to the next page
            if not merged:
                self.row(rows[i])
                i += 1
                continue
            group = self.merge_group(rows, i, merged[0])
            self.draw_group(rows[i:i + group], merged)
            i += group

    def merge_group(self, rows: list[_Row], start: int, column: int) -> int:
        """How many rows from `start` share the merged column's value and fit on this page together."""
        field = self.layout.fields[column]
        value = rows[start].cells[field]
        room, count = self.c.room(), 0
        for row in rows[start:]:
            if row.cells[field] != value or not value or self.row_height(row.cells) > room:
                break
            room -= self.row_height(row.cells)
            count += 1
        return max(count, 1)

    def draw_group(self, group: list[_Row], merged: list[int]) -> None:
        layout, c = self.layout, self.c
        if len(group) == 1:  # no merge: the cell is the row's own
            self.row(group[0])
            return
        self.merged_groups += 1
        field = layout.fields[merged[0]]
        value = group[0].cells[field]
        top = c.y
        total = sum(self.row_height(r.cells) for r in group)
        for k, row in enumerate(group):
            row.cells = {**row.cells, field: []}  # drawn once for the group, below
            if k:
                row.merge_open_above = set(merged)
            if k < len(group) - 1:
                row.merge_open_below = set(merged)
            self.row(row)
        if value:
            x = c.column(field)[0]
            first = top - (total - len(value) * layout.leading) / 2 if layout.valign == "middle" else top
            for k, line in enumerate(value):
                c.text(x, first - (k + 1) * layout.leading + 3, line)

    def row(self, row: _Row) -> None:
        """One row, line by line; a top-aligned row breaks across pages, its cells going on."""
        layout, c = self.layout, self.c
        cells = row.cells
        height = max(1, *(len(v) for v in cells.values()))
        if layout.valign == "middle":
            cells = {f: [""] * ((height - len(v)) // 2) + v for f, v in cells.items()}
        if c.room() < layout.leading + 2:
            self.page_break()
        first_page, top = c.page, c.y
        for k in range(height):
            if c.room() < layout.leading + 2:
                self.close_cell(top, row, last=False)
                self.page_break()
                top = c.y
            for field, lines in cells.items():
                if k < len(lines) and lines[k]:
                    c.text(c.column(field)[0], c.y - layout.leading + 3, lines[k])
            c.y -= layout.leading
        c.y -= 2
        self.close_cell(top, row, last=True)
        if c.page != first_page:
            self.broken += 1
        self.rows.append(self.expected(row.item, first_page))
        if self.layout.notes:
            for note in row.item.notes:
                self.note(note)

    def expected(self, item: Item, page: int) -> CatalogueRow:
        """The row as the parser should read it: only the fields this layout prints."""
        row = item.row(page)
        absent = {f: None for f in ("seq", "reference_name", "unit") if f not in self.layout.fields}
        if not self.layout.notes:
            absent["notes"] = None
        return replace(row, **absent, **({} if "hs_codes" in self.layout.fields else {"hs_codes": ()}))

    def close_cell(self, top: float, row: _Row, *, last: bool) -> None:
        if self.layout.grid == "full":
            spanned = self.across(row.item)
            if spanned is not None:
                self.merged_across += 1
            self.c.box(top, self.c.y, columns=True, open_top=sorted(row.merge_open_above),
                       open_bottom=sorted(row.merge_open_below) if last else (),
                       open_inside=() if spanned is None else (spanned,))
            row.merge_open_above = set()

    def note(self, text: str) -> None:
        layout, c = self.layout, self.c
        top = c.y
        for line in wrap(text, c.right - c.left - 2 * PAD, c.font, layout.size):
            if c.room() < layout.leading + 2:
                if layout.grid == "full":
                    c.box(top, c.y, columns=False)
                self.page_break()
                top = c.y
            c.text(c.left + PAD, c.y - layout.leading + 3, line)
            c.y -= layout.leading
        c.y -= 2
        if layout.grid == "full":
            c.box(top, c.y, columns=False)

    def close(self) -> int:
        if self.layout.grid == "frame":
            self.c.canvas.line(self.c.left, self.c.y, self.c.right, self.c.y)
        self.c.footer()
        self.c.canvas.save()
        return self.c.page


def render_layout(layout: Layout, blocks: Iterable[Heading | Item | Section], path: Path) -> Rendering:
    """Draw the blocks in `layout` at `path`; returns the rows drawn with their start pages."""
    renderer = _Renderer(layout, path)
    run: list[Item] = []
    for block in blocks:
        if isinstance(block, Item):
            run.append(block)
            continue
        renderer.items(run)
        run = []
        renderer.section(block if isinstance(block, Section) else Section(block.text, 0))
    renderer.items(run)
    pages = renderer.close()
    return Rendering(layout.name, renderer.rows, renderer.headings, pages, renderer.broken,
                     renderer.c.header_rows, renderer.merged_groups, renderer.merged_across)


def render_rows(layout: Layout, items: Sequence[Item], path: Path, volumes: int = 1) -> Rendering:
    return render_layout(layout, sectioned(items, layout.headings, volumes), path)


def header_words_inside(row: CatalogueRow, expected: CatalogueRow, layout: Layout) -> list[str]:
    """Header titles (or their wrapped pieces) that a parsed row holds and the drawn row does not."""
    found = []
    for _, title, _ in layout.columns:
        for piece in {title, title[: len(title) // 2], title[len(title) // 2:]}:
            if len(piece) < 2:
                continue
            for name in ("seq", "control_code", "name", "reference_name", "unit", "notes"):
                got, want = getattr(row, name) or "", getattr(expected, name) or ""
                if got.count(piece) > want.count(piece):
                    found.append(f"{name}: {piece}")
    return found


if __name__ == "__main__":
    import sys

    chosen = load_layouts()[sys.argv[1]]
    drawn = render_rows(chosen, synthetic_items(int(sys.argv[3]) if len(sys.argv) > 3 else 60), Path(sys.argv[2]))
    print(f"{sys.argv[2]}: {drawn.pages} page(s), {len(drawn.rows)} rows, {drawn.broken_rows} broken, "
          f"{drawn.header_rows} header rows, {drawn.merged_groups} merged cells")
