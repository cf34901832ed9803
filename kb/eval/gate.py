"""The evaluation gate: F1 floors pinned in annotations/baseline.json with the hash of the gold data.

Floors only rise. `update` raises every floor to the current score; lowering one (a harder
gold set, a deliberate trade-off) needs a written reason, which is kept in the file. A gold
hash that differs from the pinned one fails the gate until the floors are re-pinned against
the new gold, so scores are never compared across different gold data.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.eval.gold import ANNOTATIONS_DIR

BASELINE_FILE = ANNOTATIONS_DIR / "baseline.json"
TOLERANCE = 1e-9


class GateError(KbError):
    """The floors file is unusable, or an update would lower a floor without a reason."""


@dataclass(frozen=True)
class Failure:
    metric: str
    floor: float
    score: float | None

    def __str__(self) -> str:
        shown = "no score" if self.score is None else f"{self.score:.4f}"
        return f"{self.metric}: F1 {shown} is below its floor {self.floor:.4f}"


def pinned(score: float) -> float:
    """Round down to 4 places so a floor is never above the score it was pinned from."""
    return math.floor(score * 10000 + TOLERANCE) / 10000


def load(path: Path = BASELINE_FILE) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise GateError(f"{path}: unreadable floors file ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("floors"), dict) or "gold_sha256" not in data:
        raise GateError(f"{path}: expected an object with gold_sha256 and floors")
    return data


def check(baseline: dict[str, Any], f1: dict[str, float | None]) -> list[Failure]:
    """Every pinned metric whose current F1 is below its floor (a metric with no score fails a floor > 0)."""
    failures = []
    for metric, floor in sorted(baseline["floors"].items()):
        score = f1.get(metric)
        if (score is None and floor > 0) or (score is not None and score + TOLERANCE < floor):
            failures.append(Failure(metric, floor, score))
    return failures


def update(
    baseline: dict[str, Any] | None,
    f1: dict[str, float | None],
    gold_sha256: str,
    split: str,
    allow_lower: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """New floors file contents: every floor at its current score; refuses to lower one without a reason."""
    old = dict(baseline["floors"]) if baseline else {}
    new = {m: pinned(s) for m, s in sorted(f1.items()) if s is not None}
    lowered = {m: [old[m], new.get(m)] for m in sorted(old) if new.get(m) is None or new[m] < old[m]}
    if lowered and not allow_lower:
        detail = ", ".join(f"{m} {a:.4f} → {'none' if b is None else f'{b:.4f}'}" for m, (a, b) in lowered.items())
        raise GateError(f"refusing to lower floors ({detail}); pass --allow-lower \"reason\" to record why")
    if allow_lower is not None and not allow_lower.strip():
        raise GateError("--allow-lower needs a non-empty reason")
    stamp = now or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    history = list(baseline.get("history", [])) if baseline else []
    entry: dict[str, Any] = {"at": stamp, "gold_sha256": gold_sha256}
    if lowered:
        entry["lowered"] = lowered
        entry["reason"] = allow_lower
    history.append(entry)
    return {
        "_about": "F1 floors for `mofcom-kb eval`, checked by tests/test_eval_gate.py. "
        "Re-pin with `mofcom-kb eval --update-floors`; floors only rise unless --allow-lower \"reason\".",
        "split": split,
        "gold_sha256": gold_sha256,
        "floors": new,
        "history": history,
    }


def write(data: dict[str, Any], path: Path = BASELINE_FILE) -> None:
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
