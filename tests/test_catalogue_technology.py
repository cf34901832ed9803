"""The technology catalogue (《中国禁止出口限制出口技术目录》): a rendered catalogue and a rendered amending
notice's annex parse to their entries, and an entry's status on a date follows the amendment.

Entries are written by the team in the catalogue's shape (编号: six digits and the class letter J 禁止 /
X 限制; 控制要点 numbered); they restate the kind of entry the catalogue lists, not its text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from catalogue_layouts import Item, Section, load_layouts, render_layout
from click.testing import CliRunner

from ingest.catalogue.technology import (
    Change,
    in_force_on,
    read_amendment,
    read_technology_catalogue,
    status_on,
    timeline,
)
from kb.cli import cli

LAYOUTS = load_layouts(section="technology_layouts")
POINTS = "1．工艺流程及参数；2．关键设备的设计与制造技术；3．配方及添加剂的组成"
ENTRIES = {
    ("一、禁止出口部分", "（一）农业"): [
        ("010101J", "中国特有的物种资源技术", "1．列入国家重点保护野生动植物名录的物种资源；2．其繁育技术"),
        ("010102J", "蚕类品种、繁育和蚕茧采集加工利用技术", POINTS),
    ],
    ("一、禁止出口部分", "（二）有色金属冶炼和压延加工业"): [
        ("063201J", "稀土的提炼、加工、利用技术", "1．稀土精矿生产工艺；2．稀土冶炼分离工艺；3．稀土金属及合金材料的生产技术"),
    ],
    ("二、限制出口部分", "（一）农业"): [
        ("010201X", "畜牧品种的繁育技术", POINTS),
        ("010202X", "饲料添加剂生产技术 (feed additives)", "1．维生素 B12 的生产工艺；2．发酵菌种"),
    ],
    ("二、限制出口部分", "（二）有色金属冶炼和压延加工业"): [
        ("063202X", "稀土永磁材料制备技术", "1．烧结钕铁硼磁体制备技术；2．钐钴磁体制备技术；3．稀土磁体晶界扩散技术"),
        ("063203X", "稀土萃取分离工艺技术", POINTS + "；4．" + POINTS),
    ],
}


def blocks(entries: dict, repeat: int = 1) -> list:
    out: list = []
    seq = 0
    for round_ in range(repeat):
        last_part = None
        for (part, industry), items in entries.items():
            if part != last_part:
                out.append(Section(part, 0))
                last_part = part
            out.append(Section(industry, 1))
            for number, name, points in items:
                seq += 1
                if repeat > 1:  # each round its own numbers: the industry's digits, the round, the item's
                    number = number[:2] + f"{round_:02d}" + number[4:]
                out.append(Item(str(seq), number, name, points))
    return out


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_rendered_technology_catalogue_parses_to_its_entries(name: str, tmp_path: Path) -> None:
    path = tmp_path / "tech.pdf"
    drawn = render_layout(LAYOUTS[name], blocks(ENTRIES, repeat=8), path)
    assert drawn.pages >= 3
    entries = read_technology_catalogue(path)
    assert [(e.number, e.name, e.control_points, e.page, e.seq) for e in entries] == [
        (r.control_code, r.name, r.reference_name, r.page, r.seq) for r in drawn.rows]
    for entry in entries:
        assert entry.klass == ("prohibited" if entry.number.endswith("J") else "restricted")
        assert entry.part in ("一、禁止出口部分", "二、限制出口部分") and entry.industry in ("农业", "有色金属冶炼和压延加工业")
        assert not entry.flags


def test_class_letter_contradicting_the_part_is_flagged(tmp_path: Path) -> None:
    odd = {("一、禁止出口部分", "（一）农业"): [("010103X", "误列的技术", POINTS)]}
    render_layout(LAYOUTS["technology-ruled"], blocks(odd), tmp_path / "odd.pdf")
    (entry,) = read_technology_catalogue(tmp_path / "odd.pdf")
    assert entry.klass == "restricted" and entry.flags == ("class_differs_from_part",)


AMENDMENT = {
    ("一、删除的技术条目", "（一）农业"): [("010102J", "蚕类品种、繁育和蚕茧采集加工利用技术", "删除")],
    ("二、新增的技术条目", "（二）有色金属冶炼和压延加工业"): [
        ("063204X", "稀土硫化物制备技术", "1．硫化物制备工艺"),
        ("063205J", "稀土冶炼、分离技术的成套装备", "1．萃取槽设计；2．自动控制系统")],
    ("三、修改的技术条目", "（二）有色金属冶炼和压延加工业"): [
        ("063202X", "稀土永磁材料制备技术", "1．烧结钕铁硼磁体制备技术；2．钐钴磁体制备技术；3．稀土磁体晶界扩散技术；4．稀土磁体的回收利用技术")],
}


def test_amendment_applied_by_date(tmp_path: Path) -> None:
    render_layout(LAYOUTS["technology-ruled"], blocks(ENTRIES), tmp_path / "catalogue.pdf")
    render_layout(LAYOUTS["technology-unruled"], blocks(AMENDMENT), tmp_path / "amendment.pdf")
    catalogue = read_technology_catalogue(tmp_path / "catalogue.pdf")
    changes = read_amendment(tmp_path / "amendment.pdf")
    assert [(c.action, c.entry.number) for c in changes] == [
        ("delete", "010102J"), ("add", "063204X"), ("add", "063205J"), ("change", "063202X")]
    base, amended = dt.date(2008, 11, 1), dt.date(2023, 12, 21)
    periods = timeline(catalogue, base, [(amended, "商务部公告2023年第57号", changes)])
    before, after = dt.date(2023, 12, 20), dt.date(2024, 1, 1)
    assert status_on(periods, "010102J", before).status == "listed"  # type: ignore[union-attr]
    deleted = status_on(periods, "010102J", after)
    assert deleted is not None and deleted.status == "deleted" and deleted.caused_by == "商务部公告2023年第57号"
    assert status_on(periods, "063204X", before) is None
    added = status_on(periods, "063204X", after)
    assert added is not None and added.status == "listed" and added.entry.klass == "restricted"
    changed = status_on(periods, "063202X", after)
    assert changed is not None and changed.status == "changed" and "回收利用" in (changed.entry.control_points or "")
    assert "回收利用" not in (status_on(periods, "063202X", before).entry.control_points or "")  # type: ignore[union-attr]
    assert set(in_force_on(periods, after)) == {e.number for e in catalogue} - {"010102J"} | {"063204X", "063205J"}
    assert in_force_on(periods, dt.date(2000, 1, 1)) == {}


def test_an_entry_under_no_action_heading_is_refused(tmp_path: Path) -> None:
    render_layout(LAYOUTS["technology-ruled"], blocks(ENTRIES), tmp_path / "catalogue.pdf")
    with pytest.raises(Exception, match="under no 删除/新增/修改 heading"):
        read_amendment(tmp_path / "catalogue.pdf")


def test_cli_reads_a_technology_catalogue(tmp_path: Path) -> None:
    render_layout(LAYOUTS["technology-ruled"], blocks(ENTRIES), tmp_path / "catalogue.pdf")
    result = CliRunner().invoke(cli, ["technology", str(tmp_path / "catalogue.pdf")])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["number"] for r in rows][:3] == ["010101J", "010102J", "063201J"]
    assert rows[2]["klass"] == "prohibited" and rows[2]["industry"] == "有色金属冶炼和压延加工业"


def test_change_keeps_what_it_does_not_reprint() -> None:
    from ingest.catalogue.technology import TechnologyEntry

    base = [TechnologyEntry("010201X", "畜牧品种的繁育技术", "旧要点", "restricted")]
    periods = timeline(base, dt.date(2020, 1, 1), [(dt.date(2021, 1, 1), "n1", [Change("change", TechnologyEntry(
        "010201X", "", "新要点"))])])
    now = status_on(periods, "010201X", dt.date(2022, 1, 1))
    assert now is not None and (now.entry.name, now.entry.control_points) == ("畜牧品种的繁育技术", "新要点")


def test_technology_pdfs_load_as_entries_and_status_periods(tmp_path: Path) -> None:
    """Through the KB's loader: catalogue_document on each PDF (a catalogue, an amending notice's annex),
    each hung from its notice; the amendment's date decides each entry's periods."""
    from ingest.catalogue import catalogue_document
    from kb.editions import edition_tables

    render_layout(LAYOUTS["technology-ruled"], blocks(ENTRIES), tmp_path / "catalogue.pdf")
    render_layout(LAYOUTS["technology-unruled"], blocks(AMENDMENT), tmp_path / "amendment.pdf")
    docs = [catalogue_document((tmp_path / f"{n}.pdf").read_bytes(), url=f"https://x.gov.cn/{n}.pdf", sha256=n * 8)
            for n in ("catalogue", "amendment")]
    assert all(d.rows == () and d.meta["technology"] for d in docs)  # technologies, not control-list rows
    notices = {"catalogue": ("N1", "关于公布《中国禁止出口限制出口技术目录》的公告", "2008-11-01"),
               "amendment": ("N2", "关于调整发布《中国禁止出口限制出口技术目录》的公告", "2023-12-21")}
    rows = []
    for doc, (key, (notice, title, date)) in zip(docs, notices.items(), strict=True):
        rows.append({"id": doc.doc_id, "attachment_of": notice, "title": key, "effective_date": None,
                     "signed_date": None, "posted_date": None, "doc_number": None, "source_urls": "[]"})
        rows.append({"id": notice, "attachment_of": None, "title": title, "effective_date": date, "signed_date": None,
                     "posted_date": None, "doc_number": None, "source_urls": "[]"})
    tables = edition_tables(docs, rows, set())
    assert {e["id"]: e["end_date"] for e in tables["catalogue_editions"]} == {
        "technology_catalogue@2008-11-01": None, "technology_catalogue:amendment@2023-12-21": None}
    entries = tables["technology_entries"]
    assert [(e["action"], e["number"]) for e in entries if e["action"]] == [
        ("delete", "010102J"), ("add", "063204X"), ("add", "063205J"), ("change", "063202X")]
    cited = {s["id"]: s for s in tables["spans"]}
    assert all(e["number"] in cited[e["span_id"]]["text"] for e in entries)
    periods = {(p["number"], p["status"]): p for p in tables["technology_status_periods"]}
    assert (periods[("010102J", "listed")]["end_date"], periods[("010102J", "deleted")]["start_date"]) == (
        "2023-12-21", "2023-12-21")
    assert periods[("010102J", "deleted")]["caused_by_document_id"] == docs[1].doc_id
    assert periods[("063204X", "listed")]["start_date"] == "2023-12-21"
    assert "回收利用" in periods[("063202X", "changed")]["control_points"]
    assert periods[("010101J", "listed")]["end_date"] is None and periods[("010101J", "listed")]["class"] == "prohibited"


def test_extract_gives_a_technology_pdfs_entries_as_facts(tmp_path: Path) -> None:
    render_layout(LAYOUTS["technology-ruled"], blocks(ENTRIES), tmp_path / "catalogue.pdf")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "extract", str(tmp_path / "catalogue.pdf")])
    assert result.exit_code == 0, result.output
    (facts,) = json.loads(result.output)
    entries = facts["technology_entries"]
    assert [e["number"] for e in entries] == [n for items in ENTRIES.values() for n, _, _ in items]
    assert all(e["span"]["text"] == e["number"] and e["span"]["page"] == 1 for e in entries)
    assert facts["controls"] == []  # technologies are not control-list codes
