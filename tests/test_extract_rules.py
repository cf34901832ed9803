"""The rule components and the linking, on short samples written by the team (restating the forms
MOFCOM prints; no corpus needed)."""

from __future__ import annotations

import pytest

from ingest.document import CatalogueRow, Document
from kb.extract import extract
from kb.extract.components import find_control_codes, find_hs_codes, find_law_references
from kb.extract.entities import find_entities
from kb.extract.part_index import detect_parts
from kb.extract.thresholds import find_thresholds


def doc(text: str, title: str = "样例公告", **kw: object) -> Document:
    return Document(doc_id="sample", doc_type="announcement", title=title, text=text, source="test", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("printed", "code"), [
    ("（一）1C902.a．金属钐", "1C902.a"),
    ("3C901.a.1 具有下述特性", "3C901.a.1"),
    ("（一）1C117.d．钨相关材料", "1C117.d"),  # full-width dot closes the code
    ("3E004生产3C004项的技术", "3E004"),  # a code followed directly by Chinese
    ("见1C909.a.2、1C910.a.2项", "1C909.a.2"),
])
def test_control_codes_as_printed(printed: str, code: str) -> None:
    found = list(find_control_codes(printed))
    assert found[0][3] == code
    assert printed[found[0][0] : found[0][1]].replace("．", ".") == code


def test_no_control_code_inside_longer_alphanumerics() -> None:
    assert list(find_control_codes("型号X1C902A1和编号21C9023")) == []


def test_hs_numbers_several_per_parenthesis_and_eight_digit_tariff_lines() -> None:
    text = "氧化钬(参考海关商品编号：2846901930、2846901990)；金属钬（参考税则号列：28053019）；电话12345678"
    got = [(text[s:e], label) for s, e, label, _ in find_hs_codes(text)]
    assert got == [("2846901930", "HS10"), ("2846901990", "HS10"), ("28053019", "HS8")]


@pytest.mark.parametrize(("printed", "expected"), [
    ("能量密度大于等于 300 Wh/kg的电池", ("能量密度", ">=", 300.0, "Wh/kg")),
    ("价值比例达到0.1%及以上的", ("价值比例", ">=", 0.1, "%")),
    ("纯度≥99.99%的金属镓", ("纯度", ">=", 99.99, "%")),
    ("抗拉强度不低于1500MPa", ("抗拉强度", ">=", 1500.0, "MPa")),
    ("伸长率超过8%", ("伸长率", ">", 8.0, "%")),
    ("14纳米及以下逻辑芯片", ("逻辑芯片制程", "<=", 14.0, "纳米")),
    ("包括其控股50%及以上的子公司", ("控股比例", ">=", 50.0, "%")),
    ("粒度小于等于50×10⁻⁶m", ("粒度", "<=", 5e-05, "m")),
    ("c．直径不超过120mm", ("直径", "<=", 120.0, "mm")),
    ("出口许可数量超过40份（含40份）", ("出口许可数量", ">=", 40.0, "份")),
])
def test_thresholds_as_parameter_operator_value_unit(printed: str, expected: tuple) -> None:
    found = find_thresholds(printed)
    assert [(t.parameter, t.operator, t.value, t.unit) for t in found] == [expected]


def test_counts_in_prose_are_not_thresholds() -> None:
    assert find_thresholds("不晚于出口后10个工作日报告，3家以上企业") == []


def test_law_references_with_each_article() -> None:
    text = "依据《中华人民共和国反外国制裁法》第三条、第四条，《中华人民共和国出口管制法》和《合规告知书》"
    got = [(m[3]["law"], m[3]["articles"]) for m in find_law_references(text)]
    assert got == [("《中华人民共和国反外国制裁法》", ["第三条", "第四条"]), ("《中华人民共和国出口管制法》", [None])]


def test_structure_paths_from_printed_labels() -> None:
    text = "一、甲类物项\n（一）1C001.a．材料：\n1．第一项；\na．子项\n二、乙类物项\n说明：结束"
    assert [(p.path, p.level) for p in detect_parts(text)] == [
        ("一", 1), ("一（一）", 2), ("一（一）1", 3), ("一（一）1a", 4), ("二", 1)]


SAMPLE_LIST_NOTICE = """决定对下列物项实施出口管制：
 一、镓相关物项
 （一）3C901.a．金属镓：
 1．纯度≥99.99%的金属镓(参考海关商品编号：8112921010)；
 2．3C902.b.2 氮化镓晶片(参考海关商品编号：2850001200、3818009031)。
 （二）3E901 生产3C901项的技术。
 本公告自2025年12月1日起正式实施。
 商务部 海关总署
 2025年10月9日"""


def test_linking_item_code_hs_threshold_within_the_part_and_printed_oddity_flagged() -> None:
    facts = extract(doc(SAMPLE_LIST_NOTICE))
    assert [(h.hs_code, h.control_code, h.item) for h in facts.hs_codes] == [
        ("8112921010", "3C901.a", "纯度≥99.99%的金属镓"),
        ("2850001200", "3C902.b.2", "氮化镓晶片"),
        ("3818009031", "3C902.b.2", "氮化镓晶片"),
    ]
    odd = next(c for c in facts.controls if c.control_code == "3C902.b.2")
    assert odd.flags == ("code-outside-parent-group: 3C902.b.2 under 3C901.a",)
    assert facts.flags == ("3C902.b.2 printed under 3C901.a",)
    assert [(t.control_code, t.parameter, t.value) for t in facts.thresholds] == [("3C901.a", "纯度", 99.99)]
    assert [(c.control_code, c.role) for c in facts.controls][-2:] == [("3E901", "control"), ("3C901", "mention")]
    assert (facts.effective_date, facts.signed_date) == ("2025-12-01", "2025-10-09")


def test_every_fact_span_points_into_the_text() -> None:
    d = doc(SAMPLE_LIST_NOTICE)
    facts = extract(d)
    for fact in (*facts.controls, *facts.hs_codes, *facts.thresholds, *facts.dates):
        assert d.text[fact.span.start : fact.span.end] == fact.span.text


def test_window_resumes_and_chinese_numeral_dates() -> None:
    text = ("经研究，自二〇二六年十一月十一日起至2027年11月10日，商务部公告2025年第61号第二款暂停实施。"
            "自2027年11月11日起，商务部公告2025年第62号恢复实施。\n商务部\n2026年11月1日")
    facts = extract(doc(text))
    assert [(r.relation, r.target_number, r.part, r.start_date, r.end_date) for r in facts.relations] == [
        ("suspends", "商务部公告2025年第61号", "第二款", "2026-11-11", "2027-11-10"),
        ("resumes", "商务部公告2025年第62号", None, "2027-11-11", None),
    ]
    assert [d.role for d in facts.dates] == ["window_start", "window_end", "window_start", "signed"]


def test_on_publication_takes_the_signed_date() -> None:
    facts = extract(doc("本公告自公布之日起正式实施。\n商务部\n2026年1月6日"))
    assert (facts.effective_date, facts.effective_on_publication) == ("2026-01-06", True)


def test_entities_with_aliases_branches_and_country() -> None:
    text = ("决定将2家美国实体列入不可靠实体清单。\n附件\n不可靠实体清单\n"
            "1. 样例航空公司（Sample Aero, Inc.）\n地 址：1 Main St, Springfield, VA, USA\n邮 编：22150\n"
            "常用名称：Sample Aero, SAI\n-样例航空西部分公司\n-样例航空东部分公司\n"
            "2. 示例科技公司（Example Tech LLC）\n")
    entities = find_entities(text, "关于将2家美国实体列入不可靠实体清单的公告")
    assert [(e.ordinal, e.name_zh, e.name_en, e.list_name, e.action) for e in entities] == [
        (1, "样例航空公司", "Sample Aero, Inc.", "不可靠实体清单", "add"),
        (2, "示例科技公司", "Example Tech LLC", "不可靠实体清单", "add")]
    first = entities[0]
    assert first.aliases == ("Sample Aero", "SAI")
    assert first.branches == ("样例航空西部分公司", "样例航空东部分公司")
    assert (first.postcode, first.country) == ("22150", "美国")


def test_catalogue_rows_carry_their_pdf_page() -> None:
    rows = (CatalogueRow(page=12, seq="1", control_code="1C902.a", name="金属钐", hs_codes=("2805301910",)),)
    facts = extract(doc("两用物项出口管制清单（目录表格见各页）", rows=rows))
    assert [(c.control_code, c.span.page, c.hs_codes) for c in facts.controls] == [("1C902.a", 12, ("2805301910",))]
    assert [(h.hs_code, h.control_code, h.span.page) for h in facts.hs_codes] == [("2805301910", "1C902.a", 12)]


def test_a_notice_made_under_a_numbered_order_implements_it() -> None:
    text = ("根据《中华人民共和国出口管制法》和商务部、海关总署2005年第29号令（《两用物项和技术进出口许可证管理办法》），"
            "商务部、海关总署对《目录》进行了调整。本公告自2026年1月1日起正式实施，商务部、海关总署2024年第67号公告同时废止。")
    facts = extract(doc(text))
    assert [(r.relation, r.target_number, r.start_date) for r in facts.relations] == [
        ("implements", "商务部令2005年第29号", None), ("repeals", "商务部公告2024年第67号", "2026-01-01")]
    assert ("《两用物项和技术进出口许可证管理办法》", None) in {(law.law, law.article) for law in facts.law_references}
    faq = Document(doc_id="f", doc_type="faq", title="问答", text=text, source="test")
    assert extract(faq).relations[0].relation == "references"


def test_short_names_defined_with_yi_xia_jian_cheng_count_as_law_references() -> None:
    text = ("根据《中华人民共和国出口管制法》（以下简称出口管制法）等法律，制定本条例。"
            "依照出口管制法第十三条、第二十八条规定执行，并遵守出口管制法律法规。")
    got = [(m[3]["law"], m[3]["articles"]) for m in find_law_references(text)]
    # the short name is the law it abbreviates (annotations/guidelines.md, law_references)
    assert got == [("《中华人民共和国出口管制法》", [None]), ("《中华人民共和国出口管制法》", ["第十三条", "第二十八条"])]


def test_a_short_name_in_title_marks_is_the_law_it_abbreviates_and_its_definition_is_no_second_mention() -> None:
    text = ("我国开始实施《不可靠实体清单规定》（以下简称《规定》）。答：根据《规定》第二条，国家建立制度。"
            "同时，《规定》并不针对特定国家。另见《出口管制规定》第三条。")
    got = [(m[0], m[3]["law"], m[3]["articles"]) for m in find_law_references(text)]
    full, other = "《不可靠实体清单规定》", "《出口管制规定》"
    assert [(law, articles) for _, law, articles in got] == [
        (full, [None]), (other, ["第三条"]), (full, ["第二条"]), (full, [None])]
    assert text[got[2][0]:].startswith("《规定》第二条")  # cited where the short name is printed


def test_a_law_named_by_title_can_be_repealed_and_its_own_title_is_no_reference() -> None:
    text = "第五十条 本条例自2024年12月1日起施行。《中华人民共和国某某出口管制条例》同时废止。"
    d = Document(doc_id="d", doc_type="regulation", title="中华人民共和国样例条例", text=text + "《中华人民共和国样例条例》",
                 source="test")
    facts = extract(d)
    assert [(r.relation, r.target_number, r.start_date) for r in facts.relations] == [
        ("repeals", "《中华人民共和国某某出口管制条例》", "2024-12-01")]
    assert [law.law for law in facts.law_references] == ["《中华人民共和国某某出口管制条例》"]
    assert facts.effective_date == "2024-12-01"


def test_catalogue_row_facts_cite_the_row_line_and_thresholds_take_the_row_code() -> None:
    lines = ["两用物项出口管制清单", "1\t1C902.a\t金属钐，纯度≥99.9%\t\t2805301910\t千克", "2\t1C903.b\t氧化钆\t\t2846901920\t千克"]
    text = "\n".join(lines)
    starts = [text.index(line) for line in lines[1:]]
    rows = (CatalogueRow(page=3, seq="1", control_code="1C902.a", name="金属钐，纯度≥99.9%", hs_codes=("2805301910",)),
            CatalogueRow(page=4, seq="2", control_code="1C903.b", name="氧化钆", hs_codes=("2846901920",)))
    d = Document(doc_id="c", doc_type="catalogue", title="清单", text=text, source="test", rows=rows,
                 meta={"row_lines": [[s, s + len(line)] for s, line in zip(starts, lines[1:], strict=True)]})
    facts = extract(d)
    assert [(c.control_code, c.span.text, c.span.page) for c in facts.controls] == [("1C902.a", "1C902.a", 3),
                                                                                ("1C903.b", "1C903.b", 4)]
    assert [(h.hs_code, text[h.span.start : h.span.end], h.span.page) for h in facts.hs_codes] == [
        ("2805301910", "2805301910", 3), ("2846901920", "2846901920", 4)]
    assert [(t.control_code, t.parameter, t.value) for t in facts.thresholds] == [("1C902.a", "纯度", 99.9)]
    assert [c.text for c in facts.clauses if c.kind == "item"] == ["金属钐，纯度≥99.9%", "氧化钆"]


def test_pdf_annex_spans_carry_their_page() -> None:
    text = "第一页：商务部公告2025年第55号\n第二页：自2025年12月1日起实施。"
    d = Document(doc_id="a", doc_type="announcement", title="附件", text=text, source="test",
                 meta={"page_starts": [0, text.index("第二页")]})
    facts = extract(d)
    assert [(r.target_number, r.span.page) for r in facts.references if r.source == "text"] == [("商务部公告2025年第55号", 1)]
    assert [(x.date, x.span.page) for x in facts.dates] == [("2025-12-01", 2)]


def test_a_body_list_opened_by_a_sentence_ends_at_the_first_other_paragraph() -> None:
    text = ("工作机制决定将以下样例实体列入不可靠实体清单：\n1. 甲样例公司（Sample A Ltd.）；\n2. 乙样例公司（Sample B Ltd.）。\n"
            "本公告自公布之日起实施。\n1. 这不是实体\n")
    entities = find_entities(text, "关于将样例公司列入不可靠实体清单的公告")
    assert [(e.name_zh, e.name_en, e.span.text) for e in entities] == [
        ("甲样例公司", "Sample A Ltd.", "甲样例公司（Sample A Ltd.）"), ("乙样例公司", "Sample B Ltd.", "乙样例公司（Sample B Ltd.）")]


@pytest.mark.parametrize(("sentence", "relation", "part"), [
    ("商务部公告2024年第46号第二款修改为：“……”。", "amends", "第二款"),
    ("商务部公告2023年第39号与本公告不一致的，以本公告为准。", "supersedes", None),
    ("商务部公告2025年第18号所列物项的管理措施予以调整。", "adjusts", None),
    ("本公告说明参照商务部公告2025年第18号。", "references", None),
])
def test_relation_verbs(sentence: str, relation: str, part: str | None) -> None:
    facts = extract(doc(sentence))
    assert [(r.relation, r.part) for r in facts.relations] == [(relation, part)]


def test_a_law_in_force_on_publication_takes_its_adoption_date() -> None:
    text = "（2015年7月1日第十二届全国人民代表大会常务委员会第十五次会议通过）\n第一章 总则\n第八十四条 本法自公布之日起施行。"
    facts = extract(Document(doc_id="l", doc_type="law", title="中华人民共和国样例法", text=text, source="test"))
    assert (facts.effective_date, facts.effective_on_publication) == ("2015-07-01", True)
    assert [(d.date, d.role) for d in facts.dates] == [("2015-07-01", "mention")]


def test_ranges_give_two_limits_and_date_spans_none() -> None:
    got = [(t.parameter, t.operator, t.value, t.unit) for t in find_thresholds("工作温度200至300℃，波长1~10nm")]
    assert got == [("工作温度", ">=", 200.0, "℃"), ("工作温度", "<=", 300.0, "℃"),
                   ("波长", ">=", 1.0, "nm"), ("波长", "<=", 10.0, "nm")]
    assert find_thresholds("自2024年12月1日至2026年11月10日，第1至3条") == []


@pytest.mark.parametrize(
    ("printed", "dates"),
    [
        ("工作机制于2025年4月4日和9日，将17家美国实体列入", [("2025-04-04", "mention"), ("2025-04-09", "mention")]),
        ("2025年4月4日、5月9日和6月1日", [("2025-04-04", "mention"), ("2025-05-09", "mention"), ("2025-06-01", "mention")]),
        ("二〇二五年四月四日及九日", [("2025-04-04", "mention"), ("2025-04-09", "mention")]),
        ("暂停2025年4月4日至9日", [("2025-04-04", "mention"), ("2025-04-09", "end")]),  # a window's last day
        ("自2025年4月4日及15日内提交", [("2025-04-04", "mention")]),  # 15日内 is a period, not a day
        ("2025年2月28日和30日", [("2025-02-28", "mention")]),  # no 30 February
    ],
)
def test_a_bare_day_after_a_date_takes_its_month_and_year(printed: str, dates: list[tuple[str, str]]) -> None:
    from kb.extract.components import find_date_mentions

    found = [(v["date"], v["context"]) for _s, _e, label, v in find_date_mentions(printed) if label == "DATE"]
    assert found == dates
