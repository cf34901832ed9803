"""Issue 5 acceptance on the real notices in ../shared/corpus: every control code, HS number,
document number, date and relation printed in 2025 No. 10, 57, 61, 70 and 2024 No. 51 is
extracted and linked right; listed entities match listed-entities.jsonl.

The expected lists below are the team's own reading of the printed texts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ingest.document import Document
from ingest.sources import snapshot
from kb.extract import extract
from kb.facts import Facts

pytestmark = pytest.mark.corpus
N = "商务部公告{}年第{}号".format


def _document(record: dict) -> Document:
    return snapshot.parse_data(record)


@pytest.fixture(scope="module")
def facts_by_title(corpus_notices: list[dict]) -> dict[str, Facts]:
    return {r["title"]: extract(_document(r)) for r in corpus_notices}


def facts_of(facts_by_title: dict[str, Facts], title_start: str) -> Facts:
    found = [f for title, f in facts_by_title.items() if title.startswith(title_start)]
    assert len(found) == 1, f"no single corpus record titled {title_start!r}…"
    return found[0]


@pytest.fixture(scope="module")
def no10(facts_by_title: dict[str, Facts]) -> Facts:
    return facts_of(facts_by_title, "商务部 海关总署公告2025年第10号")


@pytest.fixture(scope="module")
def no57(facts_by_title: dict[str, Facts]) -> Facts:
    return facts_of(facts_by_title, "商务部 海关总署公告2025年第57号")


@pytest.fixture(scope="module")
def no61(facts_by_title: dict[str, Facts]) -> Facts:
    return facts_of(facts_by_title, "商务部公告2025第61号")


@pytest.fixture(scope="module")
def no70(facts_by_title: dict[str, Facts]) -> Facts:
    return facts_of(facts_by_title, "商务部、海关总署公告2025年第70号")


@pytest.fixture(scope="module")
def no51(facts_by_title: dict[str, Facts]) -> Facts:
    return facts_of(facts_by_title, "商务部 工业和信息化部 海关总署 国家密码局公告2024年第51号")


def dates(f: Facts) -> list[tuple[str, str]]:
    return sorted((d.date, d.role) for d in f.dates)


def relations(f: Facts) -> list[tuple[str, str, str | None, str | None, str | None]]:
    return sorted((r.relation, r.target_number, r.part, r.start_date, r.end_date) for r in f.relations)


def numbers(f: Facts) -> set[str]:
    return {r.target_number for r in f.references}


# ---- 2025 No. 10: tungsten, tellurium, bismuth, molybdenum, indium ---------------------------------

NO10_HS = {  # control code printed at the head of the part → HS numbers printed inside it, in order
    "1C117.d": ["2841801000", "2825901200", "2825901910", "2825901920", "2849902000"],
    "1C117.c": ["8101940001", "8101991001", "8101999001", "8101940001", "8101991001", "8101999001",
                "7106919001", "7106929001"],
    "1C004": ["8101940001", "8101991001", "8101999001", "8101940001", "8101991001", "8101999001"],
    "6C002.a": ["2804500001"],
    "6C002.b": ["2842902000", "3818009021", "2842909025", "3818009021", "2852100010", "3818009021"],
    "6C001.a": ["8106101091", "8106101092", "8106101099", "8106109090", "8106901019", "8106901029",
                "8106901099", "8106909090"],
    "6C001.b": ["2841900041"],
    "6C001.c": ["2931900032"],
    "6C001.d": ["2931900032"],
    "1C117.b": ["8102100001"],
    "3C004.a": ["2853904051"],
    "3C004.b": ["2931900032"],
    "3C004.c": ["2931900032"],
}
NO10_HEAD_CODES = ["1C117.d", "1C117.c", "1C004", "1E004", "1E101.b", "6C002.a", "6C002.b", "6E002", "6C001.a",
                   "6C001.b", "6C001.c", "6C001.d", "6E001", "1C117.b", "1E101.b", "3C004.a", "3C004.b", "3C004.c",
                   "3E004"]
NO10_MENTIONED_CODES = ["1C226", "1C226", "1C241", "1C004", "1C117.c", "1C117.d", "6C002", "1C229", "6C001",
                        "1C117.b", "3C004"]


def test_no10_every_printed_control_code_in_order_with_its_role(no10: Facts) -> None:
    assert [c.control_code for c in no10.controls if c.role == "control"] == NO10_HEAD_CODES
    assert sorted(c.control_code for c in no10.controls if c.role == "mention") == sorted(NO10_MENTIONED_CODES)


@pytest.mark.parametrize("code", list(NO10_HS))
def test_no10_hs_numbers_linked_to_their_control_code(no10: Facts, code: str) -> None:
    assert [h.hs_code for h in no10.hs_codes if h.control_code == code] == NO10_HS[code]
    control = next(c for c in no10.controls if c.control_code == code and c.role == "control")
    assert list(control.hs_codes) == list(dict.fromkeys(NO10_HS[code]))


def test_no10_all_41_printed_hs_numbers_are_ten_digit_and_linked(no10: Facts) -> None:
    assert len(no10.hs_codes) == sum(len(v) for v in NO10_HS.values()) == 41
    assert all(h.digits == 10 and h.control_code for h in no10.hs_codes)


def test_no10_item_names_beside_hs_numbers(no10: Facts) -> None:
    items = {(h.hs_code, h.item) for h in no10.hs_codes}
    assert ("2841801000", "仲钨酸铵") in items
    assert ("2825901200", "氧化钨") in items
    assert ("2842909025", "碲化镉锌") in items
    assert ("8101940001", "钨镍铜合金") in items  # the second parenthesis of 一（三）
    assert next(c.item for c in no10.controls if c.control_code == "1C117.d") == "钨相关材料"


def test_no10_thresholds_linked_within_their_part(no10: Facts) -> None:
    got = {(t.control_code, t.parameter, t.operator, t.value, t.unit) for t in no10.thresholds}
    assert ("1C117.c", "钨含量", ">=", 97.0, "%") in got
    assert ("1C117.c", "银含量", ">=", 2.0, "%") in got
    assert ("1C117.c", "壁厚", ">=", 25.0, "mm") in got
    assert ("1C004", "密度", ">", 17.5, "g/cm³") in got
    assert ("1C004", "弹性极限", ">", 800.0, "MPa") in got
    assert ("1C004", "伸长率", ">", 8.0, "%") in got
    assert ("1C117.b", "钼含量", ">=", 97.0, "%") in got
    assert ("1C117.b", "颗粒尺寸", "<=", 50.0, "μm") in got  # 50×10⁻⁶m（50μm）: the plain form printed beside it
    assert not [t for t in no10.thresholds if t.parameter == "尺寸"]  # 120mm×120mm×50mm has no single value


def test_no10_dates_number_and_entry_into_force_on_publication(no10: Facts) -> None:
    assert dates(no10) == [("2025-02-04", "header"), ("2025-02-04", "signed")]
    assert numbers(no10) == {N(2025, 10)}
    assert (no10.effective_date, no10.effective_on_publication) == ("2025-02-04", True)
    assert no10.relations == ()


# ---- 2025 No. 57: five more rare earths, 8-digit 参考税则号列 ---------------------------------------------

NO57_HEAD_CODES = [f"1C9{n}{sub}" for n in ("09", "10", "11", "12", "13") for sub in ("", ".a", ".b", ".c")]
NO57_NOTE_CODES = ["1C909.a.2", "1C910.a.2", "1C912.a.2", "1C909.a.3", "1C910.a.3", "1C911.a.2", "1C912.a.3",
                   "1C913.a.2", "1C909.a.4", "1C909", "1C910", "1C911", "1C912", "1C913"]


def test_no57_every_printed_control_code(no57: Facts) -> None:
    assert [c.control_code for c in no57.controls if c.role == "control"] == NO57_HEAD_CODES
    assert [c.control_code for c in no57.controls if c.role == "mention"] == NO57_NOTE_CODES


def test_peer_failure_no57_eight_digit_reference_tariff_numbers(no57: Facts) -> None:
    linked = [(h.hs_code, h.digits, h.control_code) for h in no57.hs_codes]
    assert linked == [("28053019", 8, f"1C9{n}.a") for n in ("09", "10", "11", "12", "13")]
    assert [h.item for h in no57.hs_codes] == ["金属钬", "金属铒", "金属铥", "金属铕", "金属镱"]


def test_no57_dates_and_number_from_the_title(no57: Facts) -> None:
    assert dates(no57) == [("2025-10-09", "signed"), ("2025-11-08", "effective")]
    assert (no57.effective_date, no57.effective_on_publication) == ("2025-11-08", False)
    assert numbers(no57) == {N(2025, 57)}
    assert no57.relations == ()


# ---- 2025 No. 61: foreign-made rare-earth items, clause-level entry into force ------------------------

def test_peer_failure_no61_number_printed_without_year_character(no61: Facts) -> None:
    assert no61.doc_number == N(2025, 61)
    assert [(r.target_number, r.span.text, r.source) for r in no61.references] == [
        (N(2025, 61), "商务部公告2025第61号", "title")
    ]


def test_no61_clause_level_entry_into_force(no61: Facts) -> None:
    got = [(c.part, c.date, c.on_publication) for c in no61.clause_effective]
    assert got == [("一（一）", "2025-12-01", False), ("一（二）", "2025-12-01", False), ("一（三）", "2025-10-09", True)]
    assert no61.effective_date is None
    assert dates(no61) == [("2025-10-09", "signed"), ("2025-12-01", "effective")]
    assert no61.relations == ()


def test_no61_contacts_laws_and_thresholds(no61: Facts) -> None:
    assert [e.text for e in no61.emails] == ["jingwaibaogao@mofcom.gov.cn", "jingwaizixun@mofcom.gov.cn"]
    assert [u.text for u in no61.urls] == ["http://ecomp.mofcom.gov.cn"]
    assert ("《中华人民共和国两用物项出口管制条例》", "第十六条") in {(law.law, law.article) for law in no61.law_references}
    got = {(t.parameter, t.operator, t.value, t.unit) for t in no61.thresholds}
    assert {("价值比例", ">=", 0.1, "%"), ("逻辑芯片制程", "<=", 14.0, "纳米"), ("存储芯片层数", ">=", 256.0, "层")} <= got


# ---- 2025 No. 70: six suspensions in one abbreviated list ----------------------------------------------

NO70_TARGETS = [N(2025, n) for n in (55, 56, 57, 58, 61, 62)]


@pytest.mark.parametrize("target", NO70_TARGETS)
def test_no70_suspends_each_listed_notice_for_the_window(no70: Facts, target: str) -> None:
    assert ("suspends", target, None, "2025-11-07", "2026-11-10") in relations(no70)


def test_peer_failure_no70_abbreviated_list_56_57_58_not_dropped(no70: Facts) -> None:
    assert [r.target_number for r in no70.relations] == NO70_TARGETS
    assert [r.span.text for r in no70.relations][1:4] == ["56号", "57号", "58号"]
    assert numbers(no70) == {N(2025, 70), *NO70_TARGETS}


def test_no70_dates(no70: Facts) -> None:
    assert dates(no70) == [("2025-11-07", "header"), ("2025-11-07", "signed"), ("2026-11-10", "window_end")]
    assert (no70.effective_date, no70.effective_on_publication) == ("2025-11-07", True)


# ---- 2024 No. 51: the Dual-Use Items Export Control List -------------------------------------------------

def test_no51_repeals_with_part_and_same_day(no51: Facts) -> None:
    assert relations(no51) == [
        ("repeals", N(2003, 5), None, "2024-12-01", None),
        ("repeals", N(2020, 63), "所附《商用密码出口管制清单》及商用密码出口许可程序相关内容", "2024-12-01", None),
    ]


def test_no51_dates_and_numbers(no51: Facts) -> None:
    assert dates(no51) == [("2024-11-15", "header"), ("2024-11-15", "signed"),
                           ("2024-12-01", "effective"), ("2024-12-01", "mention")]
    assert (no51.effective_date, no51.effective_on_publication) == ("2024-12-01", False)
    assert numbers(no51) == {N(2024, 51), N(2003, 5), N(2020, 63)}


# ---- listed entities ------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [N(2026, 11), N(2026, 12), N(2026, 23), N(2026, 28)])
def test_listed_entities_match_the_corpus_list(facts_by_title: dict[str, Facts], corpus_dir: Path,
                                               number: str) -> None:
    listed = [json.loads(line) for line in (corpus_dir / "listed-entities.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = [(r["listOrdinal"], r["entityName"], r["entityNameEn"]) for r in listed
                if r["noticeNumber"] == number and r["entityName"]]
    facts = next(f for f in facts_by_title.values() if f.doc_number == number)
    got = [(e.ordinal, e.name_zh, e.name_en) for e in facts.entities]
    assert len(got) == len(expected) > 0
    assert got == sorted(expected)
    lists = Counter(e.list_name for e in facts.entities)
    assert list(lists) == ["关注名单" if number in (N(2026, 12), N(2026, 28)) else "出口管制管控名单"]
    assert {e.action for e in facts.entities} == {"add"}


def test_entity_fields_address_postcode_aliases_country(facts_by_title: dict[str, Facts]) -> None:
    no23 = next(f for f in facts_by_title.values() if f.doc_number == N(2026, 23))
    first = no23.entities[0]
    assert (first.address, first.postcode, first.aliases, first.country) == (
        "2265A Ward Ave., Simi Valley, CA, USA", "93065", ("AVEOX",), "美国")
    no28 = next(f for f in facts_by_title.values() if f.doc_number == N(2026, 28))
    assert (no28.entities[0].postcode, no28.entities[0].country) == ("104-0045", "日本")


def test_every_corpus_record_extracts_and_round_trips(facts_by_title: dict[str, Facts]) -> None:
    for facts in facts_by_title.values():
        assert Facts.from_json(json.loads(facts.dumps())) == facts


def test_no61_exemption_and_end_uses_found(no61: Facts) -> None:
    kinds = {(c.kind, c.category) for c in no61.clauses}
    assert {("exemption", "humanitarian"), ("end_use", "advanced_chips"), ("end_use", "wmd")} <= kinds


def test_no10_items_beside_codes_and_hs_numbers_are_item_clauses(no10: Facts) -> None:
    items = {c.text for c in no10.clauses if c.kind == "item"}
    assert {"仲钨酸铵", "氧化钨", "钨相关材料", "碲化镉汞", "三乙基铟"} <= items


def test_no10_enumerated_entries_are_items_but_characteristics_are_not(no10: Facts) -> None:
    items = {c.text for c in no10.clauses if c.kind == "item"}
    assert {"钨相关物项", "具有下述任一特性的固态钨（不含颗粒、粉末状）", "钼粉：用于制造导弹部件的钼含量（按重量）大于等于97%、"
            "颗粒尺寸小于等于50×10⁻⁶m（50μm）的钼及合金颗粒", "生产6C002项的技术及资料（含工艺规范、工艺参数、加工程序等）"} <= items
    assert not items & {"伸长率超过8%", "密度大于17.5g/cm³", "能被机械加工成任何下述任一产品", "尺寸大于等于120mm×120mm×50mm的块状物"}


def test_no57_sub_items_are_items_and_reserved_slots_are_not(no57: Facts) -> None:
    items = [c.text for c in no57.clauses if c.kind == "item"]
    assert {"钬相关物项", "金属钬", "含钬的合金", "钬铜合金", "荧光粉", "含镱的热屏蔽涂层材料", "氧化镱及其混合物"} <= set(items)
    assert not [i for i in items if "保留" in i or "包括" in i]  # 【保留】 and the 说明 notes on forms


def _spans(value: object) -> list:
    """Every Span inside a Facts record, except references read from the title."""
    from dataclasses import fields, is_dataclass

    from kb.facts import DocReference, Span

    if isinstance(value, Span):
        return [value]
    if isinstance(value, DocReference) and value.source == "title":
        return []
    if isinstance(value, tuple):
        return [s for v in value for s in _spans(v)]
    if is_dataclass(value) and not isinstance(value, type):
        return [s for f in fields(value) for s in _spans(getattr(value, f.name))]
    return []


def test_every_span_of_every_corpus_record_quotes_its_text(corpus_notices: list[dict]) -> None:
    for record in corpus_notices:
        document = _document(record)
        facts = extract(document)
        spans = _spans(facts)
        bad = [s for s in spans if document.text[s.start : s.end] != s.text]
        assert not bad, f"{record['title']}: {bad[:3]}"
