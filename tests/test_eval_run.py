"""`kb.evaluate` and `mofcom-kb eval` end to end on a tiny corpus and gold written here by the team
(restating facts of 2025 No. 70 in our own words), with a hand-made extractor for exact numbers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.document import Document
from kb.cli import cli
from kb.errors import KbError
from kb.eval import baseline as naive
from kb.eval.command import EvalOptions, run
from kb.eval.gold import GoldError, load_gold_file
from kb.evaluate import evaluate
from kb.facts import Clause, DateMention, DocReference, Facts, Relation, Span

TEXT = ("商务部公告2025年第70号（团队样例）\n 商务部、海关总署公告2025年第55号自2025年11月7日起暂停实施，至2026年11月10日。"
        "出口经营者应当如实申报。\n 商务部\n 2025年11月7日")
URL = "https://example.invalid/team-sample/70.html"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def obligation() -> tuple[int, int, str]:
    span = "出口经营者应当如实申报"
    start = TEXT.index(span)
    return start, start + len(span), span


def gold_record(**over: object) -> dict:
    start, end, text = obligation()
    gold = {
        "source_url": URL, "title": "商务部公告2025年第70号（团队样例）", "text_sha256": sha(TEXT),
        "doc_type": "announcement", "doc_number": "商务部公告2025年第70号", "signed_date": "2025-11-07",
        "effective_date": None, "effective_on_publication": False, "issuers": ["商务部"],
        "facts": {
            "doc_numbers": ["商务部公告2025年第70号", "商务部公告2025年第55号"],
            "dates": [{"date": "2025-11-07", "role": "window_start"}, {"date": "2026-11-10", "role": "window_end"},
                      {"date": "2025-11-07", "role": "signed"}],
            "control_codes": [], "hs_codes": [], "thresholds": [],
            "relations": [{"relation": "suspends", "target": "商务部公告2025年第55号", "part": None,
                           "start_date": "2025-11-07", "end_date": "2026-11-10"}],
            "clause_effective": [], "law_references": [], "entities": [],
        },
        "spans": [{"label": "OBLIGATION", "start": start, "end": end, "text": text}],
        "flags": [], "notes": "written by the team for tests",
    }
    gold.update(over)
    return gold


@pytest.fixture()
def workspace(tmp_path: Path) -> dict[str, Path]:
    corpus = tmp_path / "corpus.jsonl"
    record = {"source_url": URL, "column": "管制清单", "title": "商务部公告2025年第70号（团队样例）", "posted": "2025-11-11",
              "text": TEXT, "attachments": []}
    corpus.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / "ann-sample-070.json").write_text(json.dumps(gold_record(), ensure_ascii=False), encoding="utf-8")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"train": [], "dev": ["ann-sample-070"]}), encoding="utf-8")
    return {"corpus": corpus, "gold_dir": gold_dir, "split": split, "floors": tmp_path / "baseline.json"}


def hand_extractor(doc: Document) -> Facts:
    s = Span(0, 1, "x")
    start, end, text = obligation()
    return Facts(
        doc_id=doc.doc_id, doc_number="商务部公告2025年第70号",
        references=(DocReference("商务部公告2025年第55号", s),),
        dates=(DateMention("2025-11-07", "window_start", s), DateMention("2025-11-07", "signed", s)),
        relations=(Relation("suspends", "商务部公告2025年第55号", s, start_date="2025-11-07", end_date=None),),
        clauses=(Clause("obligation", text, Span(start, end - 2, text[:-2])),),
    )


def test_evaluate_end_to_end_exact_numbers(workspace: dict[str, Path]) -> None:
    gold = load_gold_file(workspace["gold_dir"] / "ann-sample-070.json")
    scores = evaluate([gold], hand_extractor, workspace["corpus"])
    m = scores.metrics
    assert (m["doc_numbers"].tp, m["doc_numbers"].fp, m["doc_numbers"].fn) == (2, 0, 0)
    assert (m["dates"].tp, m["dates"].fn) == (2, 1) and m["dates"].precision == 1.0
    assert m["relations"].f1 == 1.0 and m["relations.window"].f1 == 0.0
    assert m["spans.OBLIGATION.exact"].f1 == 0.0 and m["spans.OBLIGATION.overlap"].f1 == 1.0
    assert m["entities"].f1 is None
    assert scores.documents == ["ann-sample-070"]


def test_naive_baseline_sees_only_plain_forms(workspace: dict[str, Path]) -> None:
    gold = load_gold_file(workspace["gold_dir"] / "ann-sample-070.json")
    m = evaluate([gold], naive.extract, workspace["corpus"]).metrics
    # 商务部、海关总署公告… is not the one form it knows; every date is a role-less mention
    assert (m["doc_numbers"].tp, m["doc_numbers"].fn) == (1, 1)
    assert m["dates"].tp == 0 and m["dates.date_only"].f1 == 1.0
    assert m["relations"].recall == 0.0


def test_changed_text_is_refused(workspace: dict[str, Path]) -> None:
    path = workspace["gold_dir"] / "ann-sample-070.json"
    path.write_text(json.dumps(gold_record(text_sha256=sha(TEXT + "。")), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GoldError, match="text_sha256 .* does not match .* re-annotate"):
        evaluate([load_gold_file(path)], hand_extractor, workspace["corpus"])


def test_missing_record_and_bad_gold_files_are_named(workspace: dict[str, Path], tmp_path: Path) -> None:
    path = workspace["gold_dir"] / "ann-sample-070.json"
    path.write_text(json.dumps(gold_record(source_url="https://example.invalid/none")), encoding="utf-8")
    with pytest.raises(GoldError, match="is not in"):
        evaluate([load_gold_file(path)], hand_extractor, workspace["corpus"])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(GoldError, match="broken.json"):
        load_gold_file(broken)
    broken.write_text('{"source_url": "x"}', encoding="utf-8")
    with pytest.raises(GoldError, match="missing text_sha256, facts, spans"):
        load_gold_file(broken)


def test_an_extractor_crash_names_the_document(workspace: dict[str, Path]) -> None:
    def crash(doc: Document) -> Facts:
        raise RuntimeError("boom")

    gold = load_gold_file(workspace["gold_dir"] / "ann-sample-070.json")
    with pytest.raises(KbError, match="ann-sample-070.json: the extractor failed .*boom"):
        evaluate([gold], crash, workspace["corpus"])


def opts(ws: dict[str, Path], **over: object) -> EvalOptions:
    base = {"corpus": ws["corpus"], "gold_dir": ws["gold_dir"], "split_file": ws["split"], "floors_file": ws["floors"]}
    return EvalOptions(**{**base, **over})  # type: ignore[arg-type]


def test_json_output_carries_both_extractors_and_errors(workspace: dict[str, Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    run(opts(workspace, as_json=True, errors=True, with_baseline=True))
    out = json.loads(capsys.readouterr().out)
    assert out["split"] == "dev" and out["extractor"]["documents"] == ["ann-sample-070"]
    assert set(out["baseline"]["metrics"]) == set(out["extractor"]["metrics"])
    assert {"tp", "fp", "fn", "precision", "recall", "f1", "support"} <= set(out["extractor"]["metrics"]["dates"])
    assert all(e["kind"] in ("miss", "false") for e in out["baseline"]["errors"])
    assert out["seconds"] < 60
    assert out["gate"].startswith("no floors pinned yet")


def test_update_floors_then_gate_verdicts(workspace: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    run(opts(workspace, update_floors=True))
    pinned = json.loads(workspace["floors"].read_text(encoding="utf-8"))
    assert pinned["floors"] and pinned["split"] == "dev"
    assert "floors met" in capsys.readouterr().out
    # editing the gold data makes the floors incomparable until re-pinned
    (workspace["gold_dir"] / "notes.json").write_text("{}", encoding="utf-8")
    run(opts(workspace))
    assert "gold data changed" in capsys.readouterr().out


def test_update_floors_refuses_to_lower(workspace: dict[str, Path]) -> None:
    workspace["floors"].write_text(json.dumps({"gold_sha256": "x", "floors": {"doc_numbers": 1.01}}), encoding="utf-8")
    with pytest.raises(KbError, match="refusing to lower floors .*doc_numbers"):
        run(opts(workspace, update_floors=True))
    run(opts(workspace, update_floors=True, allow_lower="test: an impossible floor"))
    pinned = json.loads(workspace["floors"].read_text(encoding="utf-8"))
    assert pinned["history"][-1]["reason"] == "test: an impossible floor"


def test_cli_usage_errors(workspace: dict[str, Path]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", "--corpus", str(workspace["corpus"]), "--allow-lower", "why"])
    assert result.exit_code == 2 and "--allow-lower only makes sense" in result.output
    result = runner.invoke(cli, ["eval", "--split", "train", "--update-floors"])
    assert result.exit_code == 2 and "pins the dev split" in result.output
    result = runner.invoke(cli, ["eval", "--corpus", str(workspace["gold_dir"] / "absent.jsonl")])
    assert result.exit_code == 1 and "corpus snapshot not found" in str(result.exception)


def test_cli_scores_given_gold_files(workspace: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["eval", "--gold", str(workspace["gold_dir"]), "--corpus",
                                      str(workspace["corpus"]), "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("| metric (gold: 1 documents)")
    assert "| doc_numbers | 2 |" in result.output


def test_naive_baseline_patterns_are_the_documented_ones() -> None:
    doc = Document(doc_id="d", doc_type="announcement", title="商务部公告2025第61号", source="t",
                   text="（参考税则号列：28053019）（参考海关商品编号：2846901920）1C902.a 商务部令2025年第6号 2025年12月1日")
    facts = naive.extract(doc)
    assert [h.hs_code for h in facts.hs_codes] == ["2846901920"]  # 8-digit 税则号列 unseen
    assert facts.references == ()  # neither 公告2025第61号 (no 年) nor orders
    assert [c.control_code for c in facts.controls] == ["1C902.a"]
    assert [(d.date, d.role) for d in facts.dates] == [("2025-12-01", "mention")]
    assert facts.relations == () and facts.thresholds == ()
