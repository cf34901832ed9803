"""The evaluation gate (CI): the real extractor on the dev split of the real gold must meet every
floor pinned in annotations/baseline.json, and the floors must be pinned against THIS gold data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kb.eval import gate
from kb.eval.gold import gold_data_sha256, load_split
from kb.eval.scoring import Scores
from kb.evaluate import evaluate, pipeline_extractor

# The issue's target fact types: the gate must always pin them.
TARGETS = ("doc_numbers", "dates", "control_codes", "hs_codes", "relations")


@pytest.fixture(scope="module")
def pinned() -> dict:
    data = gate.load()
    assert data is not None, f"{gate.BASELINE_FILE} is missing: run `mofcom-kb eval --update-floors`"
    return data


@pytest.fixture(scope="module")
def dev_scores(corpus_dir: Path) -> tuple[Scores, float]:
    started = time.perf_counter()
    scores = evaluate(load_split("dev"), pipeline_extractor(), corpus_dir / "exportcontrol-notices.jsonl")
    return scores, time.perf_counter() - started


def test_floors_are_pinned_against_the_current_gold(pinned: dict) -> None:
    assert pinned["gold_sha256"] == gold_data_sha256(), (
        "annotations/gold or split.json changed since the floors were pinned: re-run "
        "`mofcom-kb eval --update-floors` (and `--allow-lower \"why\"` if a floor must fall)"
    )
    assert pinned["split"] == "dev"


def test_issue_targets_are_pinned(pinned: dict) -> None:
    assert set(TARGETS) <= set(pinned["floors"])


def test_dev_scores_meet_every_floor(pinned: dict, dev_scores: tuple[Scores, float]) -> None:
    scores, _ = dev_scores
    failures = gate.check(pinned, scores.f1())
    assert not failures, "\n".join(str(f) for f in failures)


def test_eval_runs_well_under_a_minute(dev_scores: tuple[Scores, float]) -> None:
    scores, seconds = dev_scores
    assert scores.documents and seconds < 60
