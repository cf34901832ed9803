"""Every layout of the layout generator (tests/catalogue_layouts.yml) parses back to exactly its rows.

Small renders here (a few pages each); bench/catalogue_layouts_speed.py renders each layout over 100+
pages. A row is compared whole: 序号, code, name, reference name, HS numbers, unit, notes and page."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_layouts import (
    Layout,
    Rendering,
    corpus_items,
    header_words_inside,
    load_layouts,
    render_rows,
    synthetic_items,
)

from ingest.catalogue import read_catalogue
from ingest.document import CatalogueRow

LAYOUTS = load_layouts()
ROWS = 60  # two volumes of headings, 4-6 pages in every layout


def parse_back(layout: Layout, tmp_path: Path, items: list | None = None) -> tuple[Rendering, list[CatalogueRow]]:
    path = tmp_path / f"{layout.name}.pdf"
    drawn = render_rows(layout, items or synthetic_items(ROWS), path, volumes=2)
    return drawn, list(read_catalogue(path).rows)


def assert_same_rows(layout: Layout, drawn: Rendering, parsed: list[CatalogueRow]) -> None:
    leaked = {i: words for i, (got, want) in enumerate(zip(parsed, drawn.rows, strict=False))
              if (words := header_words_inside(got, want, layout))}
    assert not leaked, f"{layout.name}: header words inside rows: {leaked}"
    assert [r.control_code for r in parsed] == [r.control_code for r in drawn.rows]
    assert [r.hs_codes for r in parsed] == [r.hs_codes for r in drawn.rows]
    assert [r.page for r in parsed] == [r.page for r in drawn.rows]
    mismatched = [(got, want) for got, want in zip(parsed, drawn.rows, strict=True) if got != want]
    assert not mismatched, f"{layout.name}: {len(mismatched)} rows differ, first {mismatched[0]}"


def test_at_least_eight_distinct_layouts() -> None:
    assert len(LAYOUTS) >= 8
    shapes = {tuple(getattr(layout, f) for f in Layout.__dataclass_fields__ if f != "name") for layout in LAYOUTS.values()}
    assert len(shapes) == len(LAYOUTS)
    # the cases the issue names are all covered by some layout
    values = {f: {getattr(layout, f) for layout in LAYOUTS.values()} for f in Layout.__dataclass_fields__}
    assert {"full", "none", "frame"} <= values["grid"]
    assert {"every_page", "every_table", "first_page"} <= values["header"]
    assert {"annex", "numbered"} <= values["headings"]
    assert {"wqy", "stsong"} <= values["font"]
    assert any(layout.merge for layout in LAYOUTS.values())  # cells merged down
    assert any(layout.merge_across for layout in LAYOUTS.values())  # cells merged across
    assert len({layout.fields for layout in LAYOUTS.values()}) >= 4  # column sets and orders differ


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layout_parses_back_to_exactly_its_rows(name: str, tmp_path: Path) -> None:
    layout = LAYOUTS[name]
    drawn, parsed = parse_back(layout, tmp_path)
    assert drawn.pages >= 3 and len(drawn.rows) == ROWS
    assert_same_rows(layout, drawn, parsed)
    # the rendering really has the awkward cases its layout stands for
    if layout.header == "every_table":
        assert drawn.header_rows > drawn.pages  # header rows mid-page
    if layout.merge:
        assert drawn.merged_groups > 0
    if layout.merge_across:
        assert drawn.merged_across > 0
    if layout.valign == "top":
        assert drawn.broken_rows > 0  # rows continuing on the next page


def test_headings_are_read_between_the_rows(tmp_path: Path) -> None:
    layout = LAYOUTS["licence-sections"]
    path = tmp_path / "sections.pdf"
    drawn = render_rows(layout, synthetic_items(ROWS), path, volumes=2)
    table = read_catalogue(path)
    assert [h.text for h in table.headings] == drawn.headings
    assert any(h.startswith("一、") for h in drawn.headings) and any(h.startswith("（") for h in drawn.headings)
    assert "1A 系统、设备和部件" in drawn.headings


@pytest.mark.parametrize("name", ["cid-small-font", "merged-units", "unruled-wide"])
def test_corpus_descriptions_parse_back(name: str, corpus_dir: Path, tmp_path: Path) -> None:
    """The real control list's descriptions (Latin words, units, brackets, long cells) in three layouts."""
    layout = LAYOUTS[name]
    items = corpus_items(corpus_dir)[:70]
    drawn, parsed = parse_back(layout, tmp_path, items)
    assert_same_rows(layout, drawn, parsed)


def test_a_header_word_leak_is_caught() -> None:
    layout = LAYOUTS["licence-ruled"]
    want = CatalogueRow(page=1, seq="2", control_code="0A901", name="物项", unit="件")
    got = CatalogueRow(page=1, seq="2序", control_code="0A901管制编码", name="物项", unit="件单位")
    assert set(header_words_inside(got, want, layout)) >= {"control_code: 管制编码", "unit: 单位"}
    assert header_words_inside(want, want, layout) == []
