"""The floors file logic: floors rise, never fall without a recorded reason, and a gold change is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.eval import gate
from kb.eval.gold import gold_data_sha256


def test_update_pins_every_scored_metric_rounded_down() -> None:
    new = gate.update(None, {"dates": 0.95454545, "entities": None, "hs_codes": 1.0}, "h1", "dev", now="t0")
    assert new["floors"] == {"dates": 0.9545, "hs_codes": 1.0}
    assert new["gold_sha256"] == "h1" and new["split"] == "dev"
    assert new["history"] == [{"at": "t0", "gold_sha256": "h1"}]


def test_update_raises_floors() -> None:
    old = gate.update(None, {"dates": 0.5}, "h1", "dev", now="t0")
    new = gate.update(old, {"dates": 0.75}, "h1", "dev", now="t1")
    assert new["floors"]["dates"] == 0.75
    assert len(new["history"]) == 2


def test_update_refuses_to_lower_without_a_reason() -> None:
    old = gate.update(None, {"dates": 0.9, "relations": 0.8}, "h1", "dev", now="t0")
    with pytest.raises(gate.GateError, match=r"dates 0\.9000 → 0\.8000.*--allow-lower"):
        gate.update(old, {"dates": 0.8, "relations": 0.9}, "h2", "dev")
    with pytest.raises(gate.GateError, match="relations 0.8000 → none"):
        gate.update(old, {"dates": 0.9}, "h2", "dev")  # a metric that lost its score counts as lowered


def test_allow_lower_records_the_reason() -> None:
    old = gate.update(None, {"dates": 0.9}, "h1", "dev", now="t0")
    new = gate.update(old, {"dates": 0.8}, "h2", "dev", allow_lower="harder gold: 3 FAQs added", now="t1")
    assert new["floors"]["dates"] == 0.8
    assert new["history"][-1] == {"at": "t1", "gold_sha256": "h2", "lowered": {"dates": [0.9, 0.8]},
                                  "reason": "harder gold: 3 FAQs added"}
    with pytest.raises(gate.GateError, match="non-empty reason"):
        gate.update(old, {"dates": 0.8}, "h2", "dev", allow_lower="  ")


def test_check_reports_each_metric_below_its_floor() -> None:
    pinned = {"gold_sha256": "h", "floors": {"dates": 0.9, "relations": 0.8, "entities": 0.5, "hs_codes": 0.0}}
    failures = gate.check(pinned, {"dates": 0.9, "relations": 0.79, "hs_codes": None})
    assert [(f.metric, f.score) for f in failures] == [("entities", None), ("relations", 0.79)]
    assert "relations: F1 0.7900 is below its floor 0.8000" in [str(f) for f in failures]


def test_write_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert gate.load(path) is None
    data = gate.update(None, {"dates": 1.0}, "h", "dev", now="t")
    gate.write(data, path)
    assert gate.load(path) == data
    path.write_text(json.dumps({"floors": {}}), encoding="utf-8")
    with pytest.raises(gate.GateError, match="gold_sha256"):
        gate.load(path)


def test_gold_hash_changes_with_any_gold_file_or_the_split(tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text("{}", encoding="utf-8")
    split = tmp_path / "split.json"
    split.write_text('{"dev": ["a"]}', encoding="utf-8")
    first = gold_data_sha256(gold, split)
    assert gold_data_sha256(gold, split) == first
    (gold / "b.json").write_text("{}", encoding="utf-8")
    second = gold_data_sha256(gold, split)
    split.write_text('{"dev": ["a", "b"]}', encoding="utf-8")
    third = gold_data_sha256(gold, split)
    (gold / "a.json").write_text("{ }", encoding="utf-8")
    assert len({first, second, third, gold_data_sha256(gold, split)}) == 4
