"""Parties named inline in list decisions (kb.extract.decisions), in every printed form.

Sentences are team-written restatements of the forms MOFCOM prints (not corpus text); the corpus cases
(first-contact set) are checked in test_extract_corpus.py style at the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.extract.entities import find_entities

UEL_TITLE = "不可靠实体清单工作机制关于将甲公司等三家美国企业列入不可靠实体清单的公告"


def _names(text: str, title: str = UEL_TITLE) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(e.list_name, e.action, e.name_zh, e.name_en, e.country) for e in find_entities(text, title)]


def test_inline_listing_strips_qualifier_and_country_and_reads_mixed_brackets() -> None:
    text = ("不可靠实体清单工作机制决定将参与对台湾地区军售的美国甲航空公司（Alpha Aero Inc.）、"
            "乙防务公司(Beta Defense LLC）、丙实验室（Gamma Lab)列入不可靠实体清单，并采取以下处理措施：")
    assert _names(text) == [
        ("不可靠实体清单", "add", "甲航空公司", "Alpha Aero Inc.", "美国"),
        ("不可靠实体清单", "add", "乙防务公司", "Beta Defense LLC", "美国"),
        ("不可靠实体清单", "add", "丙实验室", "Gamma Lab", "美国"),
    ]


def test_a_country_word_the_english_name_echoes_is_part_of_the_name() -> None:
    text = "决定将美国稀土公司（USA Rare Earth, Inc.）、美国甲公司（Alpha Inc.）列入不可靠实体清单。"
    assert [row[2:5] for row in _names(text)] == [("美国稀土公司", "USA Rare Earth, Inc.", "美国"),  # from the title
                                                  ("甲公司", "Alpha Inc.", "美国")]


def test_a_party_printed_only_in_latin_letters_in_an_annex_has_that_english_name() -> None:
    text = "附件\n反制清单\n1. Alpha Shipping LLC\n2. 乙公司（Beta Corp.）\n"
    assert _names(text, "关于对某公司采取反制措施的决定") == [
        ("反制清单", "add", "Alpha Shipping LLC", "Alpha Shipping LLC", None), ("反制清单", "add", "乙公司", "Beta Corp.", None)]


def test_spans_quote_the_printed_name_without_qualifier() -> None:
    text = "决定将参与对台湾地区军售的美国甲航空公司（Alpha Aero Inc.）列入不可靠实体清单。"
    (entity,) = find_entities(text, UEL_TITLE)
    assert entity.span.text == "甲航空公司（Alpha Aero Inc.）"
    assert text[entity.span.start : entity.span.end] == entity.span.text


def test_zero_width_characters_are_not_part_of_names() -> None:
    text = "决定将甲\u200b航空公司（Alpha\u200b Aero Inc.）列入不可靠实体清单。"
    assert _names(text)[0][2:4] == ("甲航空公司", "Alpha Aero Inc.")


def test_a_count_pointing_at_an_annex_is_not_an_inline_list() -> None:
    text = "决定将甲公司等28家美国实体列入出口管制管控名单（见附件），并采取以下措施："
    assert _names(text, "商务部公告 公布将28家美国实体列入出口管制管控名单") == []


def test_a_recalled_listing_is_not_a_decision() -> None:
    text = "2023年2月16日，不可靠实体清单工作机制将甲公司（Alpha Inc.）列入不可靠实体清单，并采取相关处理措施。"
    assert _names(text) == []


def test_investigation_is_not_a_listing() -> None:
    title = "不可靠实体清单工作机制关于对美国甲集团启动不可靠实体清单调查的公告"
    text = "决定对美国甲集团针对涉疆产品涉嫌违反正常的市场交易原则，中断正常交易等问题启动调查。一、甲集团应当提交材料。"
    assert _names(text, title) == [("不可靠实体清单", "investigate", "甲集团", None, "美国")]


def test_a_warning_names_a_party_that_is_not_listed() -> None:
    text = ("有证据显示，美国乙公司（Beta Co.）规避相关规定。为提示可能存在通过美国乙公司与不可靠实体清单中企业交易的风险，"
            "现就有关事项公告如下：")
    assert _names(text) == [("不可靠实体清单", "warn", "乙公司", "Beta Co.", "美国")]


def test_measures_suspension_and_stop_against_named_parties() -> None:
    assert _names("决定对甲公司（Alpha Inc.）、乙公司（Beta LLC）采取以下措施：")[0][:3] == (
        "不可靠实体清单", "measures", "甲公司")
    assert [e[1] for e in _names("决定暂停对甲公司（Alpha Inc.）采取的处理措施。")] == ["suspend"]
    assert [e[1] for e in _names("决定停止对甲公司（Alpha Inc.）采取的处理措施。")] == ["stop"]


def test_countermeasure_list_with_english_only_names_joined_by_he() -> None:
    text = ("中方决定将甲株式会社3家美国相关子公司Alpha Shipping LLC、Beta Yard Inc.和Gamma Holdings Corp."
            "列入反制清单，并采取以下反制措施：")
    assert _names(text, "关于对甲株式会社3家美国相关子公司采取反制措施的决定") == [
        ("反制清单", "add", "Alpha Shipping LLC", "Alpha Shipping LLC", "美国"),
        ("反制清单", "add", "Beta Yard Inc.", "Beta Yard Inc.", "美国"),
        ("反制清单", "add", "Gamma Holdings Corp.", "Gamma Holdings Corp.", "美国"),
    ]


def test_a_name_containing_he_is_one_party() -> None:
    assert [e[2] for e in _names("决定将吉布斯和考克斯公司（Gibbs&Cox, Inc.）列入不可靠实体清单。")] == ["吉布斯和考克斯公司"]


def test_a_clause_that_is_not_names_yields_nothing() -> None:
    assert _names("决定将有关情况列入不可靠实体清单工作机制的年度报告。") == []


@pytest.mark.corpus
def test_first_contact_inline_entities_all_found(corpus_dir: Path) -> None:
    """The five unreliable-entity-list notices of entity-list-notices.jsonl: every party, action as annotated."""
    from kb.eval.gold import load_corpus, load_gold_file, record_for
    from kb.evaluate import parse_record

    corpus_file = corpus_dir / "entity-list-notices.jsonl"
    corpus = load_corpus(corpus_file)
    folder = Path(__file__).resolve().parent.parent / "annotations" / "first-contact"
    for path in sorted(folder.glob("uel-*.json")):
        gold = load_gold_file(path)
        doc = parse_record(record_for(gold, corpus, corpus_file))
        got = {(e.action, e.name_zh, e.name_en) for e in find_entities(doc.text, doc.title)}
        want = {(e["action"], e["name_zh"], e["name_en"]) for e in json.loads(path.read_text())["facts"]["entities"]}
        assert got == want, path.name


def test_an_annex_named_on_its_own_line_with_fields_on_each_entry_line() -> None:
    text = ("决定将甲集团等2家实体列入出口管制管控名单。\n附件：出口管制管控名单（节选）\n"
            "1.甲集团（Alpha S.p.A.） 地址：Via Roma 1, Venice, Italy 邮编：30027\n2.乙公司（Beta GmbH）\n商务部\n2026年1月2日")
    found = find_entities(text, "商务部公告 公布将2家欧盟实体列入出口管制管控名单")
    assert [(e.name_zh, e.name_en, e.address, e.postcode, e.country) for e in found] == [
        ("甲集团", "Alpha S.p.A.", "Via Roma 1, Venice, Italy", "30027", "意大利"), ("乙公司", "Beta GmbH", None, None, "欧盟")]  # country from the title
    assert [text[e.span.start : e.span.end] for e in found] == ["甲集团（Alpha S.p.A.）", "乙公司（Beta GmbH）"]


def test_the_body_line_naming_the_annex_opens_no_list_before_the_signature() -> None:
    # real notices print 附件：出口管制管控名单（…） in the body, then the signature, then the annex itself
    text = ("决定将甲公司等1家实体列入出口管制管控名单（见附件）。\n附件：出口管制管控名单（2025年1月2日）\n商务部\n2025年1月2日\n"
            "附件\n出口管制管控名单\n（2025年1月2日）\n1. 甲公司（Alpha Inc.）\n")
    assert [e.name_zh for e in find_entities(text, "商务部公告 公布将1家美国实体列入出口管制管控名单")] == ["甲公司"]
