"""The catalogue parser's pure parts on hand-built pages: no PDF, just words and ruling lines."""

from __future__ import annotations

import math

import pytest

from ingest.catalogue.cells import hs_numbers, join_code, join_wrapped
from ingest.catalogue.header import TableFrame, find_header, frame_from_header
from ingest.catalogue.page import HRule, Rule, Word, group_lines
from ingest.catalogue.table import TableReader, load_layout
from ingest.document import CatalogueRow

LAYOUT = load_layout()
# Column left edges of a hand-built table (points) and its right border.
EDGES = {"seq": 40.0, "control_code": 70.0, "name": 130.0, "reference_name": 310.0, "hs_codes": 405.0,
         "unit": 465.0}
RIGHT = 495.0
FRAME = TableFrame(tuple(EDGES), tuple(list(EDGES.values())[1:]), left=40.0, right=RIGHT)
CHAR = 9.0  # a CJK character's width at 9 pt; Latin letters and digits take about half


def word(text: str, x0: float, top: float) -> Word:
    width = sum(CHAR if ord(c) > 0x2000 else CHAR / 2 for c in text)
    return Word(text, x0, x0 + width, top, top + CHAR)


def cells(top: float, **texts: str) -> list[Word]:
    """One table line: each field's text at its column's left edge + padding."""
    return [word(text, EDGES[field] + 3, top) for field, text in texts.items()]


def full(top: float, text: str) -> list[Word]:
    """A line spanning the table from its left border."""
    return [word(text, EDGES["seq"] + 3, top)]


def rules(*ys: float, x0: float = 40.0) -> tuple[HRule, ...]:
    return tuple(HRule(y, x0, RIGHT) for y in ys)


def read(*pages: list[list[Word]], frame: TableFrame = FRAME, hrules: tuple[HRule, ...] = ()):
    reader = TableReader(LAYOUT)
    for number, lines in enumerate(pages, 1):
        reader.read_page(number, lines, frame, hrules)
    return reader.finish()


# --- cells ---------------------------------------------------------------------------------------

def test_wrapped_chinese_joins_without_separator() -> None:
    assert join_wrapped(["金属钬、含钬的合", "金及相关制品"]) == "金属钬、含钬的合金及相关制品"
    assert join_wrapped(["千克", "/台"]) == "千克/台"


def test_a_break_between_latin_words_stands_for_the_dropped_space() -> None:
    assert join_wrapped(["基孔肯雅病毒Chikungunya", "virus；登革病毒"]) == "基孔肯雅病毒Chikungunya virus；登革病毒"
    assert join_wrapped(["1C111.", "b所管制"]) == "1C111.b所管制"


def test_codes_wrapped_at_their_dots_join_as_printed() -> None:
    assert join_code(["1C111.a", ".1"]) == "1C111.a.1"


def test_hs_numbers_one_or_several_per_line_dotted_or_not() -> None:
    lines = ["2805.30.19", "2846901100 2846901500", "见注", "28053019101"]  # 11 digits: not an HS number
    assert hs_numbers(lines, LAYOUT.hs_code) == ("28053019", "2846901100", "2846901500")


# --- header and columns --------------------------------------------------------------------------

def header_words(top: float = 100.0) -> list[Word]:
    """Titles centred in their cells; 海关商品编号 wraps over two lines inside its cell."""
    return [
        word("序号", 46, top), word("管制编码", 82, top), word("物项名称及描述", 188, top),
        word("参考商品名称", 330, top), word("海关商品", 417, top - 6), word("编号", 426, top + 7),
        word("单位", 471, top),
    ]


def test_header_found_with_a_title_wrapped_inside_its_cell() -> None:
    body = cells(130, seq="1", name="单位换算设备", unit="台")  # body text that shares title characters
    found = find_header([word("两用物项和技术进出口许可证管理目录", 100, 40), *header_words(), *body], LAYOUT.titles)
    assert found is not None
    assert [c.field for c in found] == list(EDGES)
    hs = found[4]
    assert (hs.title, hs.top, hs.bottom) == ("海关商品编号", 94, 116)


def test_letter_spaced_titles_are_joined() -> None:
    spaced = [word("序", 44, 100), word("号", 60, 100), word("管制编码", 82, 100), word("物项名称及描述", 188, 100),
              word("单\u3000位", 468, 100)]
    found = find_header(spaced, LAYOUT.titles)
    assert found is not None
    assert [(c.field, c.title, c.x0) for c in found] == [
        ("seq", "序号", 44), ("control_code", "管制编码", 82), ("name", "物项名称及描述", 188), ("unit", "单位", 468)]


def test_no_header_on_a_page_of_rows_or_of_prose() -> None:
    assert find_header(cells(100, seq="3", control_code="1C909", name="金属钬"), LAYOUT.titles) is None
    assert find_header([word("单位", 100, 100), word("序号", 200, 300)], LAYOUT.titles) is None


def test_columns_split_at_the_rules_crossing_the_header() -> None:
    found = find_header(header_words(), LAYOUT.titles)
    assert found is not None
    rules = [Rule(x, 90, 120) for x in (40, *list(EDGES.values())[1:], RIGHT)] + [Rule(250, 300, 320)]
    frame = frame_from_header(found, rules)
    assert frame.boundaries == tuple(list(EDGES.values())[1:])  # the rules, not the title midpoints
    assert (frame.left, frame.right, frame.body_top) == (40, RIGHT, 116)
    assert frame.body_bottom == pytest.approx(321.5)  # the lowest rule: footers lie below it
    # a name written from the column's left edge belongs to the name column, though its title is centred
    assert frame.fields[frame.column_of(EDGES["name"] + 3)] == "name"


def test_unruled_columns_split_halfway_between_titles() -> None:
    found = find_header(header_words(), LAYOUT.titles)
    assert found is not None
    frame = frame_from_header(found, [])
    assert frame.boundaries[0] == pytest.approx((46 + 18 + 82) / 2)
    assert (frame.left, frame.right, frame.body_bottom) == (-math.inf, math.inf, math.inf)


def test_words_group_into_lines_by_their_middles() -> None:
    a, b, c = word("a", 50, 100), word("b", 10, 101.5), word("c", 10, 113)
    assert group_lines([c, a, b]) == [[b, a], [c]]


# --- rows ----------------------------------------------------------------------------------------

def test_a_row_breaking_across_pages_keeps_its_start_page_and_joins_its_cells() -> None:
    page1 = [
        cells(100, seq="1", control_code="1C909.a", name="金属钬、含钬的合", reference_name="金属钬",
              hs_codes="2805301910", unit="千克"),
        cells(113, name="金及相关制品：", hs_codes="2805301920", unit="/台"),
    ]
    page2 = [cells(60, name="钬铜合金", hs_codes="2805301990"), cells(73, seq="2", control_code="1C909.b",
                                                                     name="氧化钬")]
    table = read(page1, page2)
    assert table.rows == (
        CatalogueRow(page=1, seq="1", control_code="1C909.a", name="金属钬、含钬的合金及相关制品：钬铜合金",
                     reference_name="金属钬", hs_codes=("2805301910", "2805301920", "2805301990"), unit="千克/台"),
        CatalogueRow(page=2, seq="2", control_code="1C909.b", name="氧化钬"),
    )
    assert table.pages == 2


def test_notes_attach_to_the_row_above_and_run_on_across_pages() -> None:
    long_line = "技术说明：" + "晶" * 45  # reaches the right border: the note goes on
    page1 = [cells(100, seq="1", control_code="6A203", name="高速相机"), full(113, long_line)]
    page2 = [full(60, "一、续写的说明文字。"), full(80, "注：第二条注释。"), cells(93, seq="2", control_code="6A204",
                                                                    name="相机部件")]
    rows = read(page1, page2).rows
    assert rows[0].notes == f"{long_line}一、续写的说明文字。\n注：第二条注释。"
    assert rows[0].page == 1 and rows[1].notes is None


def test_on_a_ruled_page_a_cell_border_separates_full_width_blocks() -> None:
    lines = [cells(100, seq="1", control_code="1C909", name="钬"), full(113, "说明：" + "钬" * 47),
             full(126, "第2类 材料加工"), cells(139, seq="2", control_code="2B001", name="机床")]
    ruled = read(lines, hrules=rules(112, 125, 138))
    assert ruled.rows[0].notes == "说明：" + "钬" * 47
    assert [(h.text, h.first_row) for h in ruled.headings] == [("第2类 材料加工", 1)]
    free_text = [lines[0], full(113, "本项不包括民用产品。"), full(126, "另见2B001。")]
    assert read(free_text, hrules=rules(112, 125, 138)).rows[0].notes == "本项不包括民用产品。\n另见2B001。"
    same_block = read(lines, hrules=rules(112, 138))  # no border between: one note, though 第2类 opens a line
    assert same_block.rows[0].notes == "说明：" + "钬" * 47 + "第2类 材料加工"


def test_vertically_centred_cells_belong_to_the_row_between_the_rules() -> None:
    lines = [
        cells(100, name="金属钬、含钬的合", hs_codes="2805301910"),
        cells(113, seq="1", control_code="1C909.a", name="金及相关制品", unit="千克"),
        cells(126, name="钬铜合金"),
        cells(152, seq="2", control_code="1C909.b", name="氧化钬", unit="千克"),
    ]
    rows = read(lines, hrules=rules(95, 139, 165)).rows
    assert [(r.seq, r.control_code, r.name, r.hs_codes) for r in rows] == [
        ("1", "1C909.a", "金属钬、含钬的合金及相关制品钬铜合金", ("2805301910",)), ("2", "1C909.b", "氧化钬", ())]


def test_rules_under_merged_cells_do_not_split_a_row() -> None:
    """序号 and 管制编码 merged over three HS lines, each HS line ruled off in its own columns."""
    lines = [cells(100, seq="1", control_code="1C909.a", name="金属钬", hs_codes="2805301910", unit="千克"),
             cells(113, hs_codes="2805301920"), cells(126, hs_codes="2805301930"),
             cells(139, seq="2", control_code="1C909.b", name="氧化钬")]
    partial = tuple(HRule(y, EDGES["hs_codes"], RIGHT) for y in (111, 124))
    rows = read(lines, hrules=(*rules(98, 137), *partial)).rows
    assert [(r.seq, r.hs_codes, r.unit) for r in rows] == [
        ("1", ("2805301910", "2805301920", "2805301930"), "千克"), ("2", (), None)]


def test_rows_without_rules_between_them_still_split_at_each_seq() -> None:
    lines = [cells(100, seq="1", control_code="1C909", name="钬"), cells(113, seq="2", control_code="1C910",
                                                                      name="铒")]
    assert [r.seq for r in read(lines, hrules=rules(98, 130)).rows] == ["1", "2"]


def test_headings_close_rows_and_keep_notes_printed_before_the_first_row() -> None:
    table = read([
        full(60, "附件1 两用物项和技术出口许可证管理目录"),
        full(73, "第1类 专用材料和相关设备、化学制品、微生物和毒素"),
        full(86, "注：本类物项按重量计。"),
        cells(99, seq="1", control_code="1C902", name="钐相关物项"),
        full(112, "第二类 材料加工"),
        cells(125, seq="2", control_code="2B001", name="机床"),
    ])
    assert [(h.page, h.text, h.first_row, h.notes) for h in table.headings] == [
        (1, "附件1 两用物项和技术出口许可证管理目录", 0, ()),
        (1, "第1类 专用材料和相关设备、化学制品、微生物和毒素", 0, ("注：本类物项按重量计。",)),
        (1, "第二类 材料加工", 1, ()),
    ]
    assert [r.name for r in table.rows] == ["钐相关物项", "机床"]
    assert all(r.notes is None for r in table.rows)


def test_unruled_footer_page_numbers_are_dropped_but_hs_only_lines_are_not() -> None:
    page1 = [cells(100, seq="1", control_code="1C909", name="钬", hs_codes="2805301910"),
             cells(113, hs_codes="2805301920"), [word("— 1 —", 250, 800)]]
    page2 = [cells(60, hs_codes="2805301930"), [word("2", 260, 800)]]
    unruled = TableFrame(FRAME.fields, FRAME.boundaries)
    rows = read(page1, page2, frame=unruled).rows
    assert rows == (CatalogueRow(page=1, seq="1", control_code="1C909", name="钬",
                                 hs_codes=("2805301910", "2805301920", "2805301930")),)


def test_text_outside_the_table_band_is_ignored() -> None:
    frame = TableFrame(FRAME.fields, FRAME.boundaries, body_top=90, body_bottom=200, right=RIGHT)
    lines = [full(40, "两用物项出口管制清单"), cells(100, seq="1", control_code="1C909", name="钬"),
             [word("第 3 页", 250, 800)]]
    assert read(lines, frame=frame).rows == (CatalogueRow(page=1, seq="1", control_code="1C909", name="钬"),)


def test_without_a_seq_column_a_control_code_starts_each_row() -> None:
    fields = ("control_code", "name", "hs_codes")
    frame = TableFrame(fields, (EDGES["name"], EDGES["reference_name"]), right=RIGHT)

    def line(top: float, code: str = "", name: str = "", hs: str = "") -> list[Word]:
        texts = {"control_code": code, "name": name, "hs_codes": hs}
        return [word(t, x, top) for t, x in zip(texts.values(), (73, 133, 313), strict=True) if t]

    rows = read([line(100, "1C111.a", "推进剂", "3601000000"), line(113, ".1", "及其混合物"),
                 line(126, "1C111.b", "粘合剂")], frame=frame).rows
    assert [(r.control_code, r.name, r.hs_codes) for r in rows] == [
        ("1C111.a.1", "推进剂及其混合物", ("3601000000",)), ("1C111.b", "粘合剂", ())]


# --- several tables on a page (the licence-catalogue layout) -------------------------------------

def test_a_header_row_repeated_mid_page_opens_a_new_table_and_never_enters_a_row() -> None:
    from ingest.catalogue.page import PageContent
    from ingest.catalogue.reader import page_segments

    second = [w for w in header_words(220.0) if w.text != "序号"] + [word("序", 46, 214), word("号", 46, 227)]
    words = [
        *header_words(100.0),
        *cells(130, seq="1", control_code="0A901", name="核反应堆部件", unit="台"),
        *full(160, "1A 系统、设备和部件"),
        *second,
        *cells(250, seq="2", control_code="0A902", name="测试设备", hs_codes="8401400000", unit="件"),
    ]
    page = PageContent(1, tuple(words))
    reader = TableReader(LAYOUT)
    for frame, lines in page_segments(page, group_lines(list(words)), None, LAYOUT):
        reader.read_page(1, lines, frame)
    table = reader.finish()
    assert [(r.seq, r.control_code, r.unit, r.hs_codes) for r in table.rows] == [
        ("1", "0A901", "台", ()), ("2", "0A902", "件", ("8401400000",))]
    assert [h.text for h in table.headings] == ["1A 系统、设备和部件"]
    titles = set(LAYOUT.titles)
    assert not any(t in (v or "") for r in table.rows for v in (r.seq, r.control_code, r.name, r.unit) for t in titles)


def test_unruled_columns_split_at_the_gutter_not_inside_a_long_cell() -> None:
    from ingest.catalogue.header import gutter

    body = [word("金属钬含钬的合金及相关制品", 133, 130), word("金属钬", 313, 130)]
    # titles centred: halfway between 物项名称及描述 and 参考商品名称 falls inside the long name
    assert 133 + 13 * CHAR < gutter(body, 251, 330) < 313
