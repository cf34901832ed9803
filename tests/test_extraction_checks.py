"""The KB knows what it missed: each kind of extraction_checks row appears when the extractor misses
(kb/extract/checks.py), and `mofcom-kb build --strict` fails on any open check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.evaluate import parse_record
from kb.extract import extract

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
    import kb.extract.checks as checks

    monkeypatch.setattr(checks, "find_entities", lambda text, title: [])  # the entity rules stripped
    got = _checks("不可靠实体清单工作机制关于将甲公司等两家美国企业列入不可靠实体清单的公告", UEL)
    assert got == [("no_entities", "a list notice names its parties", "0 entities")]


def test_a_control_notice_with_no_control_is_a_check() -> None:
    text = "商务部公告\n根据有关规定，决定对以下物项实施出口管制，未经许可不得出口：\n一、某种特殊材料。\n商务部\n2025年1月2日"
    assert _checks("商务部公告2025年第99号 关于对某物项实施出口管制的公告", text) == [
        ("no_controls", "the items it controls", "0 control codes")]


def test_build_prints_the_count_and_strict_fails(tmp_path: Path) -> None:
    sample = tmp_path / "one.jsonl"
    import json

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
