"""Render real catalogue PDFs (reportlab, a CJK TrueType font) for the catalogue parser's tests.

The layout is a ruled six-column table the way MOFCOM's catalogues print: the header row repeated
on every page (its 海关商品编号 title wraps inside its cell), rows breaking across pages with
their 序号 / 管制编码 printed once, wrapped names, reference names and units, one HS number per line,
section headings and technical notes spanning the table, a title on page 1 and page numbers in
the footer. `render_catalogue` returns the rows it drew, each with the page it starts on: the
expected output of the parser.

`corpus_blocks` builds a catalogue from the real corpus (the control codes with their
descriptions, the 2026 licence catalogue's HS numbers spread over them deterministically);
`render_sample_catalogue` (or `python tests/catalogue_pdfs.py OUT.pdf`) draws a small catalogue
written by the team (rare-earth codes 1C909–1C913 as 商务部 海关总署公告2025年第57号 lists them)
that needs no corpus.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ingest.document import CatalogueRow

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei
FONT = "WenQuanYiMicroHei"
SIZE = 9.0
TITLE_SIZE = 14.0
LEADING = 13.0  # one text line of a cell
PAD = 3.0  # horizontal cell padding
MARGIN_TOP, MARGIN_BOTTOM = 50.0, 50.0
PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS: tuple[tuple[str, str, float], ...] = (  # field, title, width in points
    ("seq", "序号", 28.0),
    ("control_code", "管制编码", 58.0),
    ("name", "物项名称及描述", 180.0),
    ("reference_name", "参考商品名称", 95.0),
    ("hs_codes", "海关商品编号", 58.0),  # narrower than its title: the title wraps
    ("unit", "单位", 30.0),  # two characters a line: 千克/台 wraps
)
TABLE_WIDTH = sum(width for _, _, width in COLUMNS)
LEFT = (PAGE_WIDTH - TABLE_WIDTH) / 2
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Heading:
    """A section heading spanning the table (附件1 … / 第1类 …)."""

    text: str


@dataclass(frozen=True)
class Item:
    """One catalogue row as drawn; its notes are drawn after it, spanning the table."""

    seq: str
    control_code: str
    name: str
    reference_name: str | None = None
    hs_codes: tuple[str, ...] = ()
    unit: str | None = None
    notes: tuple[str, ...] = ()

    def row(self, page: int) -> CatalogueRow:
        return CatalogueRow(
            page=page,
            seq=self.seq,
            control_code=self.control_code,
            name=self.name,
            reference_name=self.reference_name,
            hs_codes=self.hs_codes,
            unit=self.unit,
            notes="\n".join(self.notes) or None,
        )


Block = Heading | Item


@dataclass(frozen=True)
class RenderedCatalogue:
    """What was drawn: the rows (the parser's expected output) and where the awkward cases fell."""

    rows: list[CatalogueRow]
    pages: int
    broken_rows: tuple[str, ...]  # 管制编码 of rows that continue on the next page
    broken_notes: tuple[str, ...]  # 管制编码 of rows whose technical note continues on the next page


def register_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        if not FONT_FILE.exists():
            raise FileNotFoundError(f"{FONT_FILE} is missing: install Debian fonts-wqy-microhei (Makefile TEST_DEBS)")
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def text_width(text: str, size: float = SIZE) -> float:
    return pdfmetrics.stringWidth(text, register_font(), size)


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """Lines of at most `width` points, wrapped the way Chinese typesetting does: anywhere, except
    inside a Latin word or number. A space at a break between two Latin words is dropped (the
    reader restores it); other spaces never end or start a line."""
    return wrap_by(text, width, lambda s: text_width(s, size))


def wrap_by(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`wrap` with any font: `measure` gives a string's width in points."""
    lines: list[str] = []
    rest = text
    while rest:
        end = 0
        while end < len(rest) and measure(rest[: end + 1]) <= width:
            end += 1
        if end == len(rest):
            lines.append(rest)
            break
        cut = next((c for c in range(end, 0, -1) if _can_break(rest, c)), None)
        if cut is None:
            raise ValueError(f"cannot wrap {rest[:40]!r}… into {width} points")
        lines.append(rest[:cut])
        rest = rest[cut + 1 :] if rest[cut] == " " else rest[cut:]
    return lines


def _can_break(text: str, at: int) -> bool:
    before, after = text[at - 1], text[at]
    if after == " ":  # break at a space, which is dropped: only between two Latin words
        following = text[at + 1] if at + 1 < len(text) else ""
        return bool(_ASCII_WORD.fullmatch(before)) and bool(_ASCII_WORD.fullmatch(following))
    if before == " ":
        return False
    return not (_ASCII_WORD.fullmatch(before) and _ASCII_WORD.fullmatch(after))


class _Pages:
    """A canvas with a cursor: starts pages with the header row, closes them with a footer."""

    def __init__(self, canvas: Canvas, title: str, subtitle: str, *, repeat_header: bool = True) -> None:
        self.canvas = canvas
        self.repeat_header = repeat_header
        self.page = 0
        self.y = 0.0
        self.segment_top: float | None = None
        self.segment_full_width = False
        self._new_page(title, subtitle)

    def _new_page(self, title: str = "", subtitle: str = "") -> None:
        if self.page:
            self._footer()
            self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN_TOP
        if title:
            self.canvas.setFont(FONT, TITLE_SIZE)
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y - TITLE_SIZE, title)
            self.y -= TITLE_SIZE + 10
        if subtitle:
            self.canvas.setFont(FONT, SIZE)
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y - SIZE, subtitle)
            self.y -= SIZE + 12
        if self.page == 1 or self.repeat_header:
            self._header()

    def _header(self) -> None:
        cells = [wrap(header, width - 2 * PAD) for _, header, width in COLUMNS]
        height = max(len(lines) for lines in cells) * LEADING + 6
        top = self.y
        x = LEFT
        self.canvas.setFont(FONT, SIZE)
        for (_, _, width), lines in zip(COLUMNS, cells, strict=True):
            first = top - (height - len(lines) * LEADING) / 2  # centred both ways
            for i, line in enumerate(lines):
                self.canvas.drawCentredString(x + width / 2, first - i * LEADING - 10, line)
            x += width
        self._rules(top, top - height, full_width=False)
        self.y = top - height

    def _footer(self) -> None:
        self.canvas.setFont(FONT, SIZE)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM - 25, f"— {self.page} —")

    def _rules(self, top: float, bottom: float, *, full_width: bool) -> None:
        xs = [LEFT, LEFT + TABLE_WIDTH]
        if not full_width:
            xs = [LEFT + sum(w for _, _, w in COLUMNS[:i]) for i in range(len(COLUMNS) + 1)]
        for x in xs:
            self.canvas.line(x, top, x, bottom)
        for y in (top, bottom):
            self.canvas.line(LEFT, y, LEFT + TABLE_WIDTH, y)

    def begin(self, *, full_width: bool) -> int:
        """Open a cell block; returns the page its first line lands on."""
        if self.y - LEADING < MARGIN_BOTTOM:
            self._new_page()
        self.segment_top = self.y
        self.segment_full_width = full_width
        return self.page

    def line(self, cells: Sequence[tuple[float, str]]) -> None:
        """One text line of the open block: (x, text) pairs; breaks the page when it is full."""
        if self.y - LEADING < MARGIN_BOTTOM:
            self.end()
            self._new_page()
            self.segment_top = self.y
        self.canvas.setFont(FONT, SIZE)
        for x, text in cells:
            if text:
                self.canvas.drawString(x, self.y - 10, text)
        self.y -= LEADING

    def end(self) -> None:
        assert self.segment_top is not None
        self.y -= 2  # bottom padding: the border clears the descenders
        self._rules(self.segment_top, self.y, full_width=self.segment_full_width)
        self.segment_top = None

    def close(self) -> int:
        self._footer()
        self.canvas.save()
        return self.page


def _column_x(field: str) -> tuple[float, float]:
    x = LEFT
    for name, _, width in COLUMNS:
        if name == field:
            return x + PAD, width - 2 * PAD
        x += width
    raise KeyError(field)


def _item_lines(item: Item, valign: str = "top") -> list[list[tuple[float, str]]]:
    cells: dict[str, list[str]] = {
        "seq": [item.seq],
        "control_code": [item.control_code],
        "name": wrap(item.name, _column_x("name")[1]),
        "reference_name": wrap(item.reference_name or "", _column_x("reference_name")[1]),
        "hs_codes": list(item.hs_codes),
        "unit": wrap(item.unit or "", _column_x("unit")[1]),
    }
    height = max(1, *(len(lines) for lines in cells.values()))
    if valign == "middle":  # Word's "centre vertically": short cells sit halfway down the row
        cells = {name: [""] * ((height - len(lines)) // 2) + lines for name, lines in cells.items()}
    return [
        [(_column_x(name)[0], lines[i]) for name, lines in cells.items() if i < len(lines)] for i in range(height)
    ]


def _full_width_lines(text: str) -> list[list[tuple[float, str]]]:
    return [[(LEFT + PAD, line)] for line in wrap(text, TABLE_WIDTH - 2 * PAD)]


def render_catalogue(
    blocks: Iterable[Block],
    path: Path,
    *,
    title: str = "两用物项和技术进出口许可证管理目录",
    subtitle: str = "（样例：mofcom-kb 团队为测试绘制，非官方文本）",
    password: str | None = None,
    valign: str = "top",
    repeat_header: bool = True,
) -> RenderedCatalogue:
    """Draw the blocks as a catalogue PDF at `path`; returns the rows drawn, with their start pages."""
    register_font()
    encrypt = StandardEncryption(password, ownerPassword=password + "-owner") if password else None
    canvas = Canvas(str(path), pagesize=A4, encrypt=encrypt, pageCompression=1)
    pages = _Pages(canvas, title, subtitle, repeat_header=repeat_header)
    rows: list[CatalogueRow] = []
    broken_rows: list[str] = []
    broken_notes: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            _draw(pages, _full_width_lines(block.text), full_width=True)
            continue
        first, last = _draw(pages, _item_lines(block, valign), full_width=False)
        rows.append(block.row(first))
        if last != first:
            broken_rows.append(block.control_code)
        for note in block.notes:
            first, last = _draw(pages, _full_width_lines(note), full_width=True)
            if last != first:
                broken_notes.append(block.control_code)
    return RenderedCatalogue(rows, pages.close(), tuple(broken_rows), tuple(broken_notes))


def _draw(pages: _Pages, lines: list[list[tuple[float, str]]], *, full_width: bool) -> tuple[int, int]:
    """Draw one block; returns the pages of its first and last lines."""
    first = pages.begin(full_width=full_width)
    for line in lines:
        pages.line(line)
    pages.end()
    return first, pages.page


# --- a catalogue from the real corpus -------------------------------------------------------

VOLUMES = (
    "两用物项和技术出口许可证管理目录",
    "两用物项和技术进口许可证管理目录",
    "两用物项出口管制清单（核两用品及相关技术）",
    "两用物项出口管制清单（导弹及相关物项和技术）",
    "两用物项出口管制清单（其他物项）",
)
HS_PER_ROW = (1, 3, 0, 2, 5, 1, 4, 12, 2, 0, 3, 6)  # 12: a tall HS cell that outgrows its name
UNITS = ("千克", "台", "千克/台", "个", None, "台（套）", "千克/升", "套", "克")
NOTE_MARKERS = ("技术说明", "说明：", "注意：")
REFERENCE_END = re.compile(r"[：:，,。；;（(]")


def load_corpus(corpus_dir: Path) -> tuple[list[dict[str, str]], list[str]]:
    lines = (corpus_dir / "control-list-codes.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    hs = json.loads((corpus_dir / "licence-catalogue-2026-hs-codes.json").read_text(encoding="utf-8"))["codes"]
    return items, hs


def split_note(description: str) -> tuple[str, tuple[str, ...]]:
    """A description's own 技术说明 / 说明： / 注意： part becomes the row's technical note."""
    starts = [i for i in (description.find(m) for m in NOTE_MARKERS) if i > 0]
    if not starts:
        return description, ()
    at = min(starts)
    return description[:at], (description[at:],)


def corpus_blocks(items: Sequence[dict[str, str]], hs_codes: Sequence[str], volumes: int = 5) -> Iterator[Block]:
    """Every control code under each of `volumes` annex headings, grouped in 第N类 sections; the
    HS numbers dealt out in order, a varying number per row, so every one of them is used."""
    ordered = sorted(items, key=lambda item: item["controlCode"])
    deck = itertools.cycle(sorted(hs_codes))
    for volume in range(volumes):
        yield Heading(f"附件{volume + 1} {VOLUMES[volume % len(VOLUMES)]}")
        category = ""
        for index, item in enumerate(ordered):
            code = item["controlCode"]
            if code[0] != category:
                category = code[0]
                yield Heading(f"第{category}类 {item['industry']}")
            name, notes = split_note(item["description"])
            count = HS_PER_ROW[(index + 5 * volume) % len(HS_PER_ROW)]
            reference = REFERENCE_END.split(name, maxsplit=1)[0][:18] or None
            yield Item(
                seq=str(index + 1),
                control_code=code,
                name=name,
                reference_name=reference if (index + volume) % 4 != 3 else None,
                hs_codes=tuple(next(deck) for _ in range(count)),
                unit=UNITS[(7 * index + volume) % len(UNITS)],
                notes=notes,
            )


def render_corpus_catalogue(corpus_dir: Path, path: Path, volumes: int = 5) -> RenderedCatalogue:
    items, hs = load_corpus(corpus_dir)
    return render_catalogue(corpus_blocks(items, hs, volumes), path)


# --- a small catalogue written by the team ----------------------------------------------------

# Restated from 商务部 海关总署公告2025年第57号 (five medium and heavy rare earths): for each
# element, .a the metal, alloys and related products (metal: 参考税则号列 28053019), .b the oxide,
# .c the compounds. Units are the customs unit for chapter 28 (千克).
RARE_EARTHS = (("1C909", "钬"), ("1C910", "铒"), ("1C911", "铥"), ("1C912", "铕"), ("1C913", "镱"))
SAMPLE_NOTE = (
    "说明：1C909.a.2、1C910.a.2、1C912.a.2项所管制的合金包括锭、块、条、丝、片、棒、板、管、颗粒、粉末等形态；"
    "1C909、1C910、1C911、1C912、1C913项所管制的氧化物、化合物及其混合物包括但不限于粉末等形态。"
)


def sample_blocks() -> list[Block]:
    blocks: list[Block] = [Heading("第1类 专用材料和相关设备、化学制品、微生物和毒素")]
    for code, element in RARE_EARTHS:
        subitems = (
            (f"{code}.a", f"金属{element}、含{element}的合金及相关制品", f"金属{element}", ("28053019",)),
            (f"{code}.b", f"氧化{element}及其混合物", f"氧化{element}", ()),
            (f"{code}.c", f"含{element}的化合物及其混合物", None, ()),
        )
        for sub, name, reference, hs in subitems:
            blocks.append(Item(str(len(blocks)), sub, name, reference, hs, "千克"))
    last = blocks[-1]
    assert isinstance(last, Item)
    blocks[-1] = Item(last.seq, last.control_code, last.name, last.reference_name, last.hs_codes, last.unit,
                      (SAMPLE_NOTE,))
    return blocks


def render_sample_catalogue(path: Path) -> RenderedCatalogue:
    """A one-page sample catalogue written by the team (labelled 样例 on the page); returns its rows."""
    return render_catalogue(sample_blocks(), path, title="两用物项出口管制清单（稀土相关物项 样例）")


if __name__ == "__main__":  # .venv/bin/python tests/catalogue_pdfs.py OUT.pdf: write the team's sample
    import sys

    out = Path(sys.argv[1])
    drawn = render_sample_catalogue(out)
    print(f"{out}: {drawn.pages} page(s), {len(drawn.rows)} rows")
