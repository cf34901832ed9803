"""The KB knows what it missed: each kind of extraction_checks row appears when the extractor misses
(kb/extract/checks.py), and `mofcom-kb build --strict` fails on any open check."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.evaluate import parse_record
from kb.extract import extract
from kb.facts import Entity

URL = "https://www.mofcom.gov.cn/test/checks.html"


def _checks(title: str, text: str, doc_type_hint: str = "") -> list[tuple[str, str, str]]:
    doc = parse_record({"source_url": URL, "title": title, "text": text, "posted": "2025-01-02", "column": "",
                        "attachments": []})
    return [(c.check, c.expected, c.found) for c in extract(doc).records("extraction_checks")]


UEL = ("不可靠实体清单工作机制\n公告\n2025年 第1号\n不可靠实体清单工作机制决定将甲公司（Alpha Inc.）、乙公司（Beta LLC）"
       "列入不可靠实体清单。\n本公告自公布之日起实施。\n不可靠实体清单工作机制\n2025年1月2日")


def test_a_list_notice_read_in_full_has_no_open_check() -> None:
    assert _checks("不可靠实体清单工作机制关于将甲公司等两家美国企业列入不可靠实体清单的公告", UEL) == []


def test_a_count_the_text_states_but_the_extraction_lacks_is_a_check() -> None:
    got = _checks("不可靠实体清单工作机制关于将甲公司等3家美国企业列入不可靠实体清单的公告", UEL)
    assert got == [("entity_count", "3 parties (as printed)", "2 entities")]


def test_a_list_notice_with_no_entities_is_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    assemble = importlib.import_module("kb.extract.facts_builder")

    monkeypatch.setattr(assemble, "find_entities", lambda text, title: [])  # the entity rules stripped
    got = _checks("不可靠实体清单工作机制关于将甲公司等两家美国企业列入不可靠实体清单的公告", UEL)
    assert got == [("no_entities", "a list notice names its parties", "0 entities")]


def test_checks_read_the_extracted_facts_and_never_extract_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.extract.checks as checks
    import kb.extract.entities as entities

    assert not hasattr(checks, "find_entities")
    calls: list[str] = []

    def counted(text: str, title: str) -> list[Entity]:
        calls.append(title)
        return entities.find_entities(text, title)

    monkeypatch.setattr(importlib.import_module("kb.extract.facts_builder"), "find_entities", counted)
    assert _checks("不可靠实体清单工作机制关于将甲公司等两家美国企业列入不可靠实体清单的公告", UEL) == []
    assert len(calls) == 1  # once, by the extractor; the check read its result


TITLE_ANNEX = "商务部公告2025年第98号 公布将3家美国实体列入出口管制管控名单"
ANNEX = ("【发布文号】商务部公告2025年第98号\n【发文日期】2025年01月02日\n"
         "根据有关规定，决定将甲公司等3家美国实体列入出口管制管控名单（见附件），并采取以下措施：\n"
         "一、禁止向上述3家美国实体出口两用物项。\n本公告自公布之日起正式实施。\n"
         "附件：出口管制管控名单（2025年1月2日）\n商务部\n2025年1月2日\n"
         "附件\n出口管制管控名单\n（2025年1月2日）\n1. 甲公司（Alpha Inc.）\n地址：1 Main St., Springfield, USA\n"
         "2. 乙公司（Beta LLC）\n3. 丙实验室（Gamma Lab）\n")


def test_an_annex_read_in_full_has_no_open_check() -> None:
    assert _checks(TITLE_ANNEX, ANNEX) == []


def test_an_annex_entry_no_entity_was_read_from_is_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    assemble = importlib.import_module("kb.extract.facts_builder")
    from kb.extract.entities import find_entities

    # the extractor misses the last entry (as it would one printed in a numbering it does not know)
    monkeypatch.setattr(assemble, "find_entities", lambda text, title: find_entities(text, title)[:-1])
    assert _checks(TITLE_ANNEX, ANNEX) == [
        ("entity_count", "3 parties (as printed)", "2 entities"),
        ("annex_entry", "a party from annex entry 丙实验室（Gamma Lab）", "no entity read from it"),
    ]
    monkeypatch.setattr(assemble, "find_entities", lambda text, title: [])  # every entity rule stripped
    got = _checks(TITLE_ANNEX, ANNEX)
    assert got[0] == ("no_entities", "a list notice names its parties", "0 entities")
    assert [g[1] for g in got[1:]] == [f"a party from annex entry {n}" for n in
                                      ("甲公司（Alpha Inc.）", "乙公司（Beta LLC）", "丙实验室（Gamma Lab）")]


def test_an_annex_numbered_in_another_form_is_flagged_where_the_extractor_misses_it() -> None:
    # （1） numbering: the annex rule reads 1. / 1、 only, the check reads every numbering
    text = ANNEX.replace("3. 丙实验室", "（3）丙实验室")
    got = _checks(TITLE_ANNEX, text)
    assert ("annex_entry", "a party from annex entry 丙实验室（Gamma Lab）", "no entity read from it") in got


def test_a_control_notice_with_no_control_is_a_check() -> None:
    text = "商务部公告\n根据有关规定，决定对以下物项实施出口管制，未经许可不得出口：\n一、某种特殊材料。\n商务部\n2025年1月2日"
    assert _checks("商务部公告2025年第99号 关于对某物项实施出口管制的公告", text) == [
        ("no_controls", "the items it controls", "0 control codes")]


def test_annex_entries_are_read_in_any_numbering_with_fields_on_their_line() -> None:
    from ingest.document import Document
    from kb.extract.checks import _annex_entries

    text = ("决定将甲公司等3家实体列入出口管制管控名单，并采取以下措施：\n一、禁止出口。\n附件：出口管制管控名单\n"
            "1.甲集团（Alpha S.p.A.） 地址：Via Roma 1, Italy 邮编：30027\n地址：Via Roma 2, Italy\n"
            "（2）乙公司\n3、丙实验室（Gamma Lab）；\n商务部\n2026年1月2日")
    doc = Document(doc_id="d", doc_type="announcement", title="t", text=text, source="test")  # no parsed annexes
    entries = list(_annex_entries(doc))
    assert [name for _s, _e, name in entries] == ["甲集团（Alpha S.p.A.）", "乙公司", "丙实验室（Gamma Lab）"]
    assert [text[s:e] for s, e, _n in entries] == ["1.甲集团（Alpha S.p.A.） 地址：Via Roma 1, Italy 邮编：30027",
                                                  "（2）乙公司", "3、丙实验室（Gamma Lab）；"]  # each span: its line


NO62 = Path(__file__).parent / "fixtures" / "codes-after-items.jsonl"


def _fixture_checks() -> list[tuple[str, str, str]]:
    record = json.loads(NO62.read_text(encoding="utf-8").splitlines()[0])
    return [(c.check, c.expected, c.found) for c in extract(parse_record(record)).records("extraction_checks")]


def test_a_printed_code_not_stored_as_a_control_is_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.extract.controls as controls

    assert _fixture_checks() == []  # both codes read as controls: nothing to check
    monkeypatch.setattr(controls, "after_item_codes", lambda text: {})  # the code-after-item rule stripped
    assert _fixture_checks() == [
        ("no_controls", "the items it controls", "0 control codes"),
        ("unread_code", "1E902.a as a control (printed with its 编码)", "a mention only"),
        ("unread_code", "1E902.b as a control (printed with its 编码)", "a mention only"),
    ]


def test_a_numbered_item_with_no_control_read_in_it_is_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.extract.controls as controls

    real = controls.after_item_codes

    def first_only(text: str) -> dict[int, controls.AfterItem]:  # the rule misses the second item's code
        found = real(text)
        return {k: v for k, v in found.items() if k == min(found)}

    monkeypatch.setattr(controls, "after_item_codes", first_only)
    assert _fixture_checks() == [
        ("unread_item", "a control in item （二）", "no control code read in it"),
        ("unread_code", "1E902.b as a control (printed with its 编码)", "a mention only"),
    ]


def test_a_list_that_ends_before_the_next_paragraph_is_not_read_past_it() -> None:
    # the paragraph after the list (出口经营者…) and the numbered duties after it are not items
    text = ("商务部公告\n决定对下列物项实施出口管制：\n一、1C999 某物项\n（一）1C999.a．某金属。\n"
            "出口经营者应当依照有关规定办理。\n一、本公告自公布之日起正式实施。\n商务部\n2025年1月2日")
    assert _checks("商务部公告2025年第99号 关于对某物项实施出口管制的公告", text) == []


def test_build_prints_the_count_and_strict_fails(tmp_path: Path) -> None:
    sample = tmp_path / "one.jsonl"
    sample.write_text(json.dumps({"source_url": URL, "title": "不可靠实体清单工作机制关于将甲公司等3家美国企业列入不可靠实体清单的公告",
                                  "text": UEL, "posted": "2025-01-02", "column": "", "attachments": []},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*data, "import", str(sample)]).exit_code == 0
    result = runner.invoke(cli, [*data, "build"])
    assert result.exit_code == 0, result.output
    assert "1 open extraction checks" in result.output
    strict = runner.invoke(cli, [*data, "build", "--strict"])
    assert strict.exit_code == 1
    assert "--strict: 1 open extraction checks" in str(strict.exception)  # main() prints it as one line


def test_the_real_corpus_raises_no_false_check(corpus_dir: Path) -> None:
    """Every corpus text is read in full today: a check on one is a false alarm (or a new miss to look at)."""
    from kb.extract import extract_many

    records = [json.loads(line) for name in ("exportcontrol-notices.jsonl", "entity-list-notices.jsonl")
               for line in (corpus_dir / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [parse_record(r) for r in records]
    flagged = [(d.doc_id, c.check, c.expected) for d, f in zip(docs, extract_many(docs), strict=True)
               for c in f.records("extraction_checks")]
    assert flagged == []
