"""The pipeline as a spaCy package: config.cfg, factories found through entry points, saved with
nlp.to_disk and loaded back with spacy.load; its version; the facts record; the CLI command."""

from __future__ import annotations

import json
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import spacy
from click.testing import CliRunner

import kb.extract.pipeline as pipeline
from ingest.document import Document
from kb.cli import cli
from kb.extract import PIPELINE_VERSION, extract, extract_many
from kb.facts import Facts

TEXT = ("经研究，自即日起至2026年11月10日，商务部、海关总署公告2025年第55号、56号暂停实施。"
        "（一）1C909.a．金属钬（参考税则号列：28053019）。\n商务部 海关总署\n2025年11月7日")


def sample(doc_id: str = "sample", text: str = TEXT) -> Document:
    return Document(doc_id=doc_id, doc_type="announcement", title="样例", text=text, source="test")


def test_every_component_is_a_registered_entry_point() -> None:
    registered = {e.name for e in entry_points(group="spacy_factories")}
    nlp = pipeline.build_pipeline(model_dir=None)
    assert nlp.lang == "zh" and nlp.pipe_names
    assert {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names} <= registered


def test_saved_pipeline_loads_with_spacy_load_and_reads_the_same(tmp_path: Path) -> None:
    nlp = pipeline.shared_pipeline()
    nlp.to_disk(tmp_path / "mofcom_extract")
    loaded = spacy.load(tmp_path / "mofcom_extract")
    assert loaded.pipe_names == nlp.pipe_names
    a, b = nlp(TEXT), loaded(TEXT)
    for group in ("control_codes", "hs_codes", "dates", "doc_numbers", "clauses"):
        assert [(s.start_char, s.end_char, s.label_, s._.value) for s in a.spans[group]] == \
               [(s.start_char, s.end_char, s.label_, s._.value) for s in b.spans[group]]
    assert [s._.value for s in b.spans["doc_numbers"]][1]["canonical"] == "商务部公告2025年第56号"


def test_characters_are_tokens_so_every_match_aligns() -> None:
    doc = pipeline.shared_pipeline()(TEXT)
    assert all(len(t.text) == 1 for t in doc)
    assert all(s.text == TEXT[s.start_char : s.end_char] for group in doc.spans.values() for s in group)


def test_pipeline_version_follows_patterns_and_model(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "extract"
    shutil.copytree(pipeline.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pipeline, "_VERSIONED", ((copy, ("*.py", "*.yaml", "*.cfg")), (copy / "model", ("**/*",))))
    before = pipeline.pipeline_version()
    assert before == pipeline.pipeline_version()
    patterns = copy / "patterns.yaml"
    patterns.write_text(patterns.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after_patterns = pipeline.pipeline_version()
    (copy / "model").mkdir(exist_ok=True)
    (copy / "model" / "weights.bin").write_bytes(b"\x00\x01")
    assert len({before, after_patterns, pipeline.pipeline_version()}) == 3
    assert len(PIPELINE_VERSION) == 16


def test_extract_many_matches_extract_and_round_trips() -> None:
    docs = [sample("a"), sample("b", TEXT.replace("56号", "57号"))]
    many = list(extract_many(docs, batch_size=1))
    assert many == [extract(d) for d in docs]
    assert [r.target_number[-3:] for r in many[1].relations] == ["55号", "57号"]
    for facts in many:
        assert Facts.loads(facts.dumps()) == facts
        assert facts.meta["pipeline_version"] == PIPELINE_VERSION


def test_cli_extract_prints_facts_for_a_snapshot_line(tmp_path: Path) -> None:
    snap = tmp_path / "snap.jsonl"
    records = [{"source_url": f"https://example.invalid/{i}", "title": f"样例{i}", "text": text}
               for i, text in enumerate(["本文无编号。", TEXT])]
    snap.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "extract", str(snap), "--line", "2"])
    assert result.exit_code == 0, result.output
    [facts] = json.loads(result.output)
    assert [(r["relation"], r["target_number"]) for r in facts["relations"]] == [
        ("suspends", "商务部公告2025年第55号"), ("suspends", "商务部公告2025年第56号")]
    assert facts["hs_codes"][0]["hs_code"] == "28053019"


def test_cli_extract_names_a_file_no_parser_reads(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body>not a MOFCOM page</body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "extract", str(page)])
    assert result.exit_code != 0
    assert "page.html" in str(result.exception)


UEL_PAGE = Path(__file__).parent / "fixtures" / "pages" / "cms_uel_notice.html"  # team-written sample page


def test_cli_extract_reads_a_saved_html_page(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "extract", str(UEL_PAGE)])
    assert result.exit_code == 0, result.output
    [facts] = json.loads(result.output)
    assert facts["doc_number"] == "不可靠实体清单工作机制公告2025年第96号"
    assert [(e["name_zh"], e["name_en"], e["list_name"]) for e in facts["entities"]] == [
        ("样例航空公司", "Sample Aviation Inc.", "不可靠实体清单"), ("样例防务公司", "Sample Defense LLC", "不可靠实体清单")]
    assert (facts["effective_date"], facts["effective_on_publication"]) == ("2025-04-09", True)


def test_cli_extract_reads_an_archived_object_through_its_manifest_record(tmp_path: Path) -> None:
    from ingest.archive import Archive

    archive = Archive(tmp_path / "data" / "archive")
    record, _new = archive.store(UEL_PAGE.read_bytes(), url="https://www.mofcom.gov.cn/sample/uel.html", source="www",
                                 kind="page", content_type="text/html", status=200)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "extract",
                                      str(archive.object_path(record.sha256))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["doc_id"] == "不可靠实体清单工作机制公告2025年第96号"


def test_texts_over_spacys_default_limit_are_read() -> None:
    text = "商务部公告2025年第55号。" + "样" * 1_000_100
    facts = extract(sample("long", text))
    assert [r.target_number for r in facts.references if r.source == "text"] == ["商务部公告2025年第55号"]


def test_char_tokenizer_matches_spacy_blank_zh() -> None:
    from kb.extract.tokenizer import words_and_spaces

    blank = spacy.blank("zh")
    for text in ["", " ", "  a  b\n\n c ", "中 文\t\t英 \u3000x", TEXT, "一、1C117.d．钨 (参考)\n 2．"]:
        doc = blank(text)
        assert words_and_spaces(text) == ([t.text for t in doc], [bool(t.whitespace_) for t in doc])
    assert pipeline.shared_pipeline().make_doc(TEXT).text == TEXT


def test_a_fresh_process_loads_the_saved_pipeline_through_entry_points_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    pipeline.shared_pipeline().to_disk(tmp_path / "pipe")
    script = ("import json, spacy; nlp = spacy.load(__import__('sys').argv[1]); "
              "doc = nlp('（一）1C909.a．金属钬（参考税则号列：28053019）'); "
              "print(json.dumps([s._.value for s in doc.spans['hs_codes']]))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pipe")], capture_output=True, text=True,
                         check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["28053019"]


def test_char_tokenizer_matches_spacy_on_random_whitespace() -> None:
    import random
    import re
    import sys

    from spacy.util import get_words_and_spaces

    from kb.extract.tokenizer import words_and_spaces

    # the run-at-a-time tokenizer relies on re's \s being exactly str.isspace()
    assert [c for c in range(sys.maxunicode + 1) if bool(re.match(r"\s", chr(c))) != chr(c).isspace()] == []
    rnd = random.Random(3)
    alphabet = ["中", "a", "1", " ", " ", "\n", "\t", "\u3000", "\xa0", "\u200b", "．"]
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 12)))
        assert words_and_spaces(text) == get_words_and_spaces(list(text), text), repr(text)
