"""Point-in-time list membership (kb/list_membership.py, list_membership_periods, entities_on_lists).

Unit tests run the rule over small hand-written tables (fictional notices, numbered 2099 so they can never
be taken for real ones) through the same status computation the build uses; the corpus tests run it over
the real build of exportcontrol-notices.jsonl + entity-list-notices.jsonl."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from kb import list_membership, query_functions, status
from kb.cli import cli
from kb.schema import load_schema

UEL = "不可靠实体清单"
CCL = "出口管制管控名单"


def doc(doc_id: str, signed: str | None = None, effective: str | None = None, posted: str | None = None,
        doc_type: str = "uel_notice") -> dict[str, Any]:
    return {"id": doc_id, "doc_type": doc_type, "signed_date": signed, "effective_date": effective,
            "posted_date": posted, "known_only_by_reference": 0, "attachment_of": None}


def entity(doc_id: str, action: str, name: str, list_name: str = UEL) -> dict[str, Any]:
    return {"document_id": doc_id, "action": action, "name_zh": name, "name_en": None, "country": None,
            "list_name": list_name}


def relation(source: str, kind: str, target: str, start: str | None = None, end: str | None = None,
             part: str | None = None) -> dict[str, Any]:
    return {"source_document_id": source, "relation": kind, "target_document_id": target, "part": part,
            "start_date": start, "end_date": end}


def membership(documents: list[dict], entities: list[dict], relations: list[dict] = ()) -> list[dict]:  # type: ignore[assignment]
    """The build's chain: status periods from documents and relations, then the membership rows."""
    tables: dict[str, list[dict[str, Any]]] = {
        "documents": documents,
        "listed_entities": [{"id": i, **e} for i, e in enumerate(entities, 1)],
        "document_relations": [{"id": i, **r} for i, r in enumerate(relations, 1)],
    }
    tables["document_status_periods"] = status.period_rows(tables)
    return list_membership.membership_rows(tables)


def on(rows: list[dict], date: str, name: str | None = None) -> list[tuple[str, str, str, str | None, str | None]]:
    """(name, listing document, status, caused by, exclusive end) of the members on `date`."""
    return sorted((r["name_zh"], r["document_id"], r["status"], r["caused_by_document_id"], r["end_date"])
                  for r in list_membership.member_on(rows, date) if name is None or r["name_zh"] == name)


L1 = "不可靠实体清单工作机制公告2099年第1号"
L2 = "不可靠实体清单工作机制公告2099年第2号"
QA = "spokesperson:2099-02-01"


def test_a_window_suspension_by_another_text_then_in_force_again() -> None:
    """A spokesperson's answer (no number, only a posting date) suspends a listing notice for 90 days."""
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(QA, posted="2099-02-01", doc_type="other")],
        [entity(L1, "add", "甲公司"), entity(L1, "add", "乙公司")],
        [relation(QA, "suspends", L1, "2099-02-01", "2099-05-02")],  # 90 days: last day 05-02
    )
    assert on(rows, "2098-12-31") == []
    assert on(rows, "2099-01-01", "甲公司") == [("甲公司", L1, "in_force", L1, "2099-02-01")]
    assert on(rows, "2099-01-31", "乙公司") == [("乙公司", L1, "in_force", L1, "2099-02-01")]
    for day in ("2099-02-01", "2099-03-15", "2099-05-02"):
        assert on(rows, day) == sorted([("甲公司", L1, "suspended", QA, "2099-05-03"), ("乙公司", L1, "suspended", QA, "2099-05-03")])
    assert on(rows, "2099-05-03", "甲公司") == [("甲公司", L1, "in_force", L1, None)]


def test_an_open_suspension_is_cut_short_by_a_resume_and_a_stop_ends_the_listing() -> None:
    r, s = "不可靠实体清单工作机制公告2099年第3号", "不可靠实体清单工作机制公告2099年第4号"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(QA, posted="2099-02-01", doc_type="other"),
         doc(r, "2099-03-10", "2099-03-10"), doc(s, "2099-06-01", "2099-06-01")],
        [entity(L1, "add", "甲公司")],
        [relation(QA, "suspends", L1, "2099-02-01"),  # no duration printed: open
         relation(r, "resumes", L1), relation(s, "repeals", L1)],  # 停止实施 is read as repeals
    )
    assert on(rows, "2099-03-09") == [("甲公司", L1, "suspended", QA, "2099-03-10")]
    assert on(rows, "2099-03-10") == [("甲公司", L1, "in_force", L1, "2099-06-01")]
    assert on(rows, "2099-05-31") != [] and on(rows, "2099-06-01") == [] and on(rows, "2100-01-01") == []


def test_removal_ends_the_listing_and_a_later_listing_starts_a_new_one() -> None:
    rm, again = "不可靠实体清单工作机制公告2099年第5号", "不可靠实体清单工作机制公告2099年第6号"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(rm, "2099-04-01", "2099-04-01"), doc(again, "2099-09-01")],
        [entity(L1, "add", "甲公司"), entity(L1, "add", "乙公司"), entity(rm, "remove", "乙公司"),
         entity(again, "add", "乙公司")],
    )
    assert {n for n, *_ in on(rows, "2099-03-31")} == {"甲公司", "乙公司"}
    assert [n for n, *_ in on(rows, "2099-04-01")] == ["甲公司"]  # removed that day
    assert on(rows, "2099-08-31", "乙公司") == []
    assert on(rows, "2099-09-01", "乙公司") == [("乙公司", again, "in_force", again, None)]  # no effective date: signed


def test_removal_from_one_list_leaves_the_other_list_alone() -> None:
    rm = "不可靠实体清单工作机制公告2099年第5号"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(rm, "2099-04-01")],
        [entity(L1, "add", "甲公司"), entity(L1, "add", "甲公司", CCL), entity(rm, "remove", "甲公司")],
    )
    assert [r["list_name"] for r in list_membership.member_on(rows, "2099-05-01")] == [CCL]


def test_investigation_and_warning_list_no_one() -> None:
    inv, warn = "不可靠实体清单工作机制公告2099年第7号", "不可靠实体清单工作机制公告2099年第8号"
    rows = membership(
        [doc(inv, "2099-01-01"), doc(warn, "2099-01-02", "2099-01-02"), doc(L2, "2099-03-01", "2099-03-01")],
        [entity(inv, "investigate", "丙集团"), entity(warn, "warn", "丁公司"), entity(L2, "add", "丙集团")],
    )
    assert on(rows, "2099-02-01") == []  # under investigation, warned: not listed
    assert on(rows, "2099-03-01") == [("丙集团", L2, "in_force", L2, None)]
    assert on(rows, "2100-01-01", "丁公司") == []


def test_a_listing_takes_effect_on_its_effective_date_not_its_signing() -> None:
    rows = membership([doc(L1, "2099-01-01", "2099-01-15")], [entity(L1, "add", "甲公司")])
    assert on(rows, "2099-01-14") == [] and on(rows, "2099-01-15") != []
    assert rows[0]["listed_since"] == "2099-01-15"


def test_suspension_by_name_lasts_for_the_suspending_texts_window_or_until_resumed() -> None:
    """决定暂停对甲公司采取的措施 (a window printed for the notice it suspends), then a resume by name."""
    sn, rs = "不可靠实体清单工作机制公告2099年第9号", "不可靠实体清单工作机制公告2099年第10号"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(sn, "2099-02-01", "2099-02-01"), doc(rs, "2099-03-01", "2099-03-01")],
        [entity(L1, "add", "甲公司"), entity(L1, "add", "乙公司"), entity(sn, "suspend", "甲公司"),
         entity(sn, "suspend", "乙公司"), entity(rs, "resume", "乙公司")],
        [relation(sn, "suspends", L1, "2099-02-01", "2100-01-31")],
    )
    # the relation suspends the whole notice; the named resume restores 乙公司 alone
    assert on(rows, "2099-02-15") == sorted([("甲公司", L1, "suspended", sn, "2100-02-01"), ("乙公司", L1, "suspended", sn, "2099-03-01")])
    assert on(rows, "2099-03-01") == sorted([("甲公司", L1, "suspended", sn, "2100-02-01"), ("乙公司", L1, "in_force", L1, None)])
    assert on(rows, "2100-02-01", "甲公司") == [("甲公司", L1, "in_force", L1, None)]


def test_named_suspension_without_a_window_stays_open_until_a_named_stop() -> None:
    sn, st = "不可靠实体清单工作机制公告2099年第9号", "不可靠实体清单工作机制公告2099年第11号"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(sn, "2099-02-01"), doc(st, "2099-07-01")],
        [entity(L1, "add", "甲公司"), entity(sn, "suspend", "甲公司"), entity(st, "stop", "甲公司")],
    )
    assert on(rows, "2099-06-30") == [("甲公司", L1, "suspended", sn, "2099-07-01")]
    assert on(rows, "2099-07-01") == []


def test_a_party_suspended_by_name_is_listed_even_when_its_listing_notice_is_not_in_the_kb() -> None:
    sn = "不可靠实体清单工作机制公告2099年第9号"
    rows = membership([doc(sn, "2099-02-01")], [entity(sn, "suspend", "戊公司")])
    assert on(rows, "2099-01-31") == []
    assert on(rows, "2099-02-01") == [("戊公司", sn, "suspended", sn, None)]
    assert rows[0]["action"] == "suspend"


def test_each_listing_document_keeps_its_own_status() -> None:
    """An entity listed by two notices: the suspension of one leaves the other's measures in force."""
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(L2, "2099-01-10", "2099-01-10"),
         doc(QA, posted="2099-02-01", doc_type="other")],
        [entity(L1, "add", "甲公司"), entity(L2, "measures", "甲公司")],
        [relation(QA, "suspends", L1, "2099-02-01", "2099-05-01")],
    )
    assert on(rows, "2099-03-01") == sorted([("甲公司", L1, "suspended", QA, "2099-05-02"), ("甲公司", L2, "in_force", L2, None)])


def test_a_suspension_of_one_part_only_leaves_the_listing_in_force() -> None:
    """A part-scoped relation gives the part its own status; entities carry no part, so the whole-document
    status (in force) governs them."""
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-01"), doc(QA, posted="2099-02-01", doc_type="other")],
        [entity(L1, "add", "甲公司")],
        [relation(QA, "suspends", L1, "2099-02-01", "2099-05-01", part="二")],
    )
    assert on(rows, "2099-03-01") == [("甲公司", L1, "in_force", L1, None)]


def test_parties_printed_in_an_annex_are_listed_when_its_notice_acts_and_share_its_suspension() -> None:
    annex = "snapshot:annex-of-2099-1"
    rows = membership(
        [doc(L1, "2099-01-01", "2099-01-15"), {**doc(annex, doc_type="other"), "attachment_of": L1},
         doc(QA, posted="2099-02-01", doc_type="other")],
        [entity(annex, "add", "甲公司")],
        [relation(QA, "suspends", L1, "2099-02-01", "2099-05-01")],
    )
    assert on(rows, "2099-01-14") == []
    assert on(rows, "2099-01-15") == [("甲公司", annex, "in_force", annex, "2099-02-01")]
    assert on(rows, "2099-03-01") == [("甲公司", annex, "suspended", QA, "2099-05-02")]


def test_a_document_with_no_date_lists_no_one() -> None:
    rows = membership([doc(L1)], [entity(L1, "add", "甲公司")])
    assert rows == []


# --- end to end: team-written texts through extraction, build and the published query -------------------

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "list-membership.jsonl"


@pytest.fixture(scope="module")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/list-membership.jsonl (fictional 2099 notices, marked samples): add, an investigation, a
    spokesperson's 90-day suspension, a removal, a stop by name; a countermeasure 令 and a 令 suspending it."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot
    from kb.build import build
    from kb.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("list-fixture-kb"))
    import_snapshot(FIXTURE, Archive(data.archive))
    build(data.archive, data.db)
    return data.db


def test_the_texts_add_suspend_for_90_days_remove_and_stop(fixture_kb: Path) -> None:
    def members(day: str) -> dict[str, tuple[str, str | None]]:
        return {r["name_zh"]: (r["status"], r["status_end_date"]) for r in entities_on(fixture_kb, day, UEL)}

    assert members("2099-01-03") == {}
    assert members("2099-01-04") == {"阿尔法测试公司": ("in_force", "2099-02-01"), "贝塔测试公司": ("in_force", "2099-02-01")}
    assert members("2099-01-20") == members("2099-01-04")  # 伽马测试集团 is only under investigation
    for day in ("2099-02-01", "2099-05-02"):  # 自2099年2月1日起…90天: the last day is 2099-05-02
        assert members(day) == {"阿尔法测试公司": ("suspended", "2099-05-03"), "贝塔测试公司": ("suspended", "2099-05-03")}
    suspended = entities_on(fixture_kb, "2099-03-01", UEL)
    assert {r["caused_by_title"] for r in suspended} == {"商务部新闻发言人就暂停2家测试实体不可靠实体清单措施答记者问【样例 SAMPLE】"}
    assert members("2099-05-03") == {"阿尔法测试公司": ("in_force", "2099-07-01"), "贝塔测试公司": ("in_force", "2099-06-01")}
    assert members("2099-06-01") == {"阿尔法测试公司": ("in_force", "2099-07-01")}  # 贝塔 removed
    assert members("2099-07-01") == {}  # measures against 阿尔法 stopped


def test_an_order_suspending_an_order_suspends_the_countermeasure_list_for_one_year(fixture_kb: Path) -> None:
    """商务部令2099年第2号: 自2099年3月1日起，暂停商务部令二〇九九年第1号所列相关措施一年 (last day 2100-03-01)."""
    def members(day: str) -> set[tuple[str, str, str | None]]:
        return {(r["name_zh"], r["status"], r["caused_by_number"]) for r in entities_on(fixture_kb, day, "反制清单")}

    order1, order2 = "商务部令2099年第1号", "商务部令2099年第2号"
    assert members("2099-01-09") == set()
    assert members("2099-02-28") == {("德尔塔测试公司", "in_force", order1), ("艾普西隆测试公司", "in_force", order1)}
    for day in ("2099-03-01", "2100-03-01"):
        assert members(day) == {("德尔塔测试公司", "suspended", order2), ("艾普西隆测试公司", "suspended", order2)}, day
    assert members("2100-03-02") == {("德尔塔测试公司", "in_force", order1), ("艾普西隆测试公司", "in_force", order1)}


# --- the real corpus ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def list_kb(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build of both corpus files (no samples: real material leaves them out)."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot
    from kb.build import build
    from kb.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("list-kb"))
    for name in ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl"):
        import_snapshot(corpus_dir / name, Archive(data.archive))
    build(data.archive, data.db)
    return data.db


def entities_on(db: Path, date: str, list_name: str = "") -> list[dict[str, Any]]:
    """The published query, as Datasette and `mofcom-kb on` run it."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    query_functions.register(conn)
    try:
        sql = load_schema().queries["entities_on_lists"]["sql"]
        return [dict(r) for r in conn.execute(sql, {"on": date, "list": list_name})]
    finally:
        conn.close()


def names(rows: list[dict[str, Any]]) -> set[str]:
    return {r["name_zh"] for r in rows}


def test_an_entity_under_investigation_is_not_listed_until_a_notice_lists_it(list_kb: Path) -> None:
    """PVH: investigation opened by UEL 2024 No. 3 (2024-09-24), listed by UEL 2025 No. 4 (2025-02-04)."""
    assert "PVH集团" not in names(entities_on(list_kb, "2024-09-24", UEL))
    assert "PVH集团" not in names(entities_on(list_kb, "2025-02-03", UEL))
    pvh = [r for r in entities_on(list_kb, "2025-02-04", UEL) if r["name_zh"] == "PVH集团"]
    assert [(r["document_id"], r["status"], r["listed_since"]) for r in pvh] == [
        ("不可靠实体清单工作机制公告2025年第4号", "in_force", "2025-02-04")]


def test_a_warned_entity_is_never_listed(list_kb: Path) -> None:
    """Caplugs is warned by UEL 2024 No. 1, whose two other parties it lists."""
    listed = names(entities_on(list_kb, "2024-06-01", UEL))
    assert {"通用原子航空系统公司", "通用动力陆地系统公司"} <= listed
    assert "凯普拉格斯公司" not in listed and "凯普拉格斯公司" not in names(entities_on(list_kb, "2026-12-01"))


def test_listing_dates_on_the_real_lists(list_kb: Path) -> None:
    before, after = entities_on(list_kb, "2025-10-13", "反制清单"), entities_on(list_kb, "2025-10-14", "反制清单")
    assert before == [] and len(after) == 5  # MOFCOM Order 2025 No. 6: 韩华海洋's five US subsidiaries
    assert {r["document_id"] for r in after} == {"商务部令2025年第6号"}
    ccl = entities_on(list_kb, "2025-03-04", CCL)  # 2025 No. 1 (28) and No. 13 (15) in force that day
    assert {r["document_id"] for r in ccl} == {"商务部公告2025年第1号", "商务部公告2025年第13号"} and len(ccl) == 43
    assert {r["status"] for r in ccl} == {"in_force"}


def test_the_spokespersons_suspension_leaves_the_other_uel_notices_in_force(list_kb: Path) -> None:
    """The answer of 2025-05-14 suspends UEL 2025 No. 7 and No. 8 only; the UEL parties the corpus names
    (2023 No. 1, 2024 No. 1, 2025 No. 1 and 4) stay in force through the 90 days."""
    for day in ("2025-05-13", "2025-05-14", "2025-08-12", "2025-08-13"):
        rows = entities_on(list_kb, day, UEL)
        assert len(rows) == 16 and {r["status"] for r in rows} == {"in_force"}, day


def _corpus_tables(db: Path) -> dict[str, list[dict[str, Any]]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {t: [dict(r) for r in conn.execute(f"select * from {t}")]  # noqa: S608 (fixed names)
                for t in ("documents", "listed_entities", "document_relations", "document_status_periods")}
    finally:
        conn.close()


def _parties_of(corpus_dir: Path, printed_number: str) -> list[dict[str, Any]]:
    """The parties of a UEL notice whose text the corpus lacks, from listed-entities.jsonl (another public
    project's parse, read here, never copied). Where it holds only a placeholder (names printed inline), the
    party its title names (关于将X等6家美国企业列入…) stands for them."""
    rows = [json.loads(line) for line in (corpus_dir / "listed-entities.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [r for r in rows if r["noticeNumber"] == printed_number]
    named = [r for r in rows if r.get("entityName")]
    if named or not rows:
        return named
    title = re.search(r"关于将(.+?)等\d+家", rows[0]["noticeTitle"])
    return [{**rows[0], "entityName": title.group(1)}] if title else []


def test_the_90_day_suspension_of_uel_2025_no_7_and_the_open_one_of_no_8(list_kb: Path, corpus_dir: Path) -> None:
    """The corpus has the spokesperson's answer but not the texts of UEL 2025 No. 7 (11 US parties, 2025-04-04)
    and No. 8 (6, 2025-04-09): the KB knows them by reference only. Given their parties and dates (from
    listed-entities.jsonl), the rule over the real build's relations and status periods answers: in force
    before 2025-05-14, suspended by the answer through 2025-08-12 (90 days), in force from 2025-08-13;
    No. 8 suspended with no end printed."""
    tables = _corpus_tables(list_kb)
    qa = next(d["id"] for d in tables["documents"] if (d["title"] or "").startswith("商务部新闻发言人就暂停17家美国实体"))
    next_id = max(e["id"] for e in tables["listed_entities"]) + 1
    parties: dict[str, set[str]] = {}
    for number, doc_id in (("不可靠实体清单工作机制公告〔2025〕7号", "不可靠实体清单工作机制公告2025年第7号"),
                           ("不可靠实体清单工作机制〔2025〕8号", "不可靠实体清单工作机制公告2025年第8号")):
        given = _parties_of(corpus_dir, number)
        assert given, f"listed-entities.jsonl has no parties for {number}"
        target = next(d for d in tables["documents"] if d["id"] == doc_id)
        assert target["known_only_by_reference"] == 1  # else the corpus grew the text: read it instead
        target["effective_date"] = given[0]["effectiveFrom"] or given[0]["publishedAt"]
        for p in given:
            tables["listed_entities"].append({"id": next_id, "document_id": doc_id, "list_name": UEL, "action": "add",
                                              "name_zh": p["entityName"], "name_en": p.get("entityNameEn"), "country": None})
            next_id += 1
        parties[doc_id] = {p["entityName"] for p in given}
    rows = list_membership.membership_rows(tables)
    no7, no8 = "不可靠实体清单工作机制公告2025年第7号", "不可靠实体清单工作机制公告2025年第8号"

    def status_of(doc_id: str, day: str) -> set[tuple[str, str | None, str | None]]:
        return {(r["status"], r["caused_by_document_id"], r["end_date"])
                for r in list_membership.member_on(rows, day, UEL) if r["document_id"] == doc_id}

    assert {r["name_zh"] for r in list_membership.member_on(rows, "2025-04-04") if r["document_id"] == no7} == parties[no7]
    assert status_of(no7, "2025-04-03") == set()
    assert status_of(no7, "2025-05-13") == {("in_force", no7, "2025-05-14")}
    for day in ("2025-05-14", "2025-07-01", "2025-08-12"):
        assert status_of(no7, day) == {("suspended", qa, "2025-08-13")}, day
    assert status_of(no7, "2025-08-13") == {("in_force", no7, None)}
    assert status_of(no8, "2025-04-09") == {("in_force", no8, "2025-05-14")}
    assert status_of(no8, "2026-12-01") == {("suspended", qa, None)}
    unaffected = {r["document_id"] for r in list_membership.member_on(rows, "2025-06-01", UEL) if r["status"] == "in_force"}
    assert unaffected == {"不可靠实体清单工作机制公告2023年第1号", "不可靠实体清单工作机制公告2024年第1号",
                          "不可靠实体清单工作机制公告2025年第1号", "不可靠实体清单工作机制公告2025年第4号"}


def test_mofcom_kb_on_lists_the_members_as_json(list_kb: Path, tmp_path: Path) -> None:
    shutil.copy(list_kb, tmp_path / "mofcom.db")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", "2025-02-04", "--list", UEL, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert {"statuses", "controls", "entities"} <= set(answer)
    assert {r["list_name"] for r in answer["entities"]} == {UEL}
    assert "PVH集团" in names(answer["entities"]) and len(answer["entities"]) == 16
    everything = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", "2025-02-04", "--json"])
    assert {r["list_name"] for r in json.loads(everything.output)["entities"]} == {UEL, CCL}
    bad = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", "2025-02-04", "--list", "黑名单"])
    assert bad.exit_code == 2 and "黑名单" in bad.output
    table = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "on", "2025-02-04", "--list", UEL])
    assert table.exit_code == 0 and "PVH集团" in table.output


def test_the_served_query_validates_on_and_list(served_kb: str) -> None:
    url = f"{served_kb}/mofcom/entities_on_lists.json"
    r = httpx.get(url, params={"on": "2025-13-01", "list": ""})
    assert r.status_code == 400 and "parameter on=" in r.json()["error"] and "2025-13-01" in r.json()["error"]
    r = httpx.get(url, params={"on": "2025-10-20", "list": "黑名单"})
    assert r.status_code == 400 and "parameter list=" in r.json()["error"]
    rows = httpx.get(url, params={"on": "2025-10-20", "list": "反制清单", "_shape": "array"}).json()
    assert len(rows) == 5 and {r["status"] for r in rows} == {"in_force"} and {r["on_date"] for r in rows} == {"2025-10-20"}
    assert httpx.get(url, params={"on": "2025-10-13", "list": "反制清单", "_shape": "array"}).json() == []
    today = httpx.get(url, params={"on": "", "list": "", "_shape": "array"})
    assert today.status_code == 200 and today.json()
