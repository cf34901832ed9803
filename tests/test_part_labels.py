"""One numbered-part grammar (ingest/parse/structure.yml `part_labels`): the parser, the fallback part
detector, extraction's label stripping and the glossary all read labels the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingest.parse import part_labels
from ingest.parse.structure import lines_of, parse_parts
from kb.extract.part_index import detect_parts
from kb.glossary import Glossary

TEXT = "一、甲类物项\n（一）1C001.a．材料：\n1．第一项；\n2．3C902.b.2 氮化镓晶片\na．子项\n（1）条件\n二、乙类物项"


def test_parser_and_fallback_detector_agree_on_the_enumerators() -> None:
    parsed = [(p.path, p.start) for p in parse_parts(lines_of(TEXT)) if "（1）" not in p.path]
    detected = [(p.path, p.start) for p in detect_parts(TEXT)]
    assert detected == parsed
    assert [p for p, _ in parsed] == ["一", "一（一）", "一（一）1", "一（一）2", "一（一）2a", "二"]


@pytest.mark.parametrize(("line", "kind"), [
    ("一、总则", "l1"), ("（三）物项", "l2"), ("(三) 物项", "l2"), ("2．3C902.b.2 氮化镓", "l3"), ("12、说明", "l3"),
    ("（4）条件", "l4n"), ("b．子项", "l4a"), ("③另", "l5"), ("第十二条 出口", "article"), ("第二章 管制", "chapter"),
    ("2.5毫米以上", None), ("3．A．1 系统", None), ("ab.c", None),
])
def test_label_forms(line: str, kind: str | None) -> None:
    found = next((m.kind for m in part_labels.markers() if m.regex.match(line)), None)
    assert found == kind


def test_label_stripping_is_the_grammar() -> None:
    assert part_labels.strip_label(" （一）1．金属镓", repeated=True) == "金属镓"
    assert part_labels.strip_label("2.5毫米", repeated=True) == "2.5毫米"
    assert Glossary({"elements": {"镓": "gallium"}}).clean("1．（1）a．镓（参考税则号列：81129290）") == "镓"


def test_a_form_added_to_the_grammar_reaches_parser_and_extraction(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    grammar = yaml.safe_load(part_labels.GRAMMAR_FILE.read_text(encoding="utf-8"))
    grammar["part_labels"].append({"kind": "l5p", "regex": "(?P<n>[⑴-⒇])", "rank": 5, "numbered": True})
    changed = tmp_path / "structure.yml"
    changed.write_text(yaml.safe_dump(grammar, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(part_labels, "GRAMMAR_FILE", changed)
    part_labels.markers.cache_clear()
    part_labels.label_regex.cache_clear()
    try:
        assert [p.path for p in parse_parts(lines_of("一、甲\n⑵乙"))] == ["一", "一⑵"]
        assert part_labels.strip_label("⑵镓") == "镓"
    finally:
        part_labels.markers.cache_clear()
        part_labels.label_regex.cache_clear()
