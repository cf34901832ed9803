"""Fuzz every parser of untrusted input with N inputs each (targets in tests/fuzz_targets.py) and record,
per parser: inputs tried, parsed, refused with a typed error, untyped exceptions (bugs), inputs over the
per-input budget and the slowest input. Result: bench/results/fuzz.json; exit 1 on any untyped
exception or input over budget, the first few printed with their input.

    .venv/bin/python -m bench.fuzz                 # 1000 inputs per parser (about a minute)
    .venv/bin/python -m bench.fuzz --n 200 dates   # only the parsers whose name contains "dates"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "fuzz.json"


def fuzz(target: Any, n: int, seed: int) -> dict[str, Any]:
    from fuzz_targets import attempt, describe
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    counts = {"ok": 0, "typed": 0, "untyped": 0}
    over: list[str] = []
    untyped: list[str] = []
    slowest = 0.0
    first = [True]

    @hypothesis_seed(seed)
    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def run(value: Any) -> None:
        nonlocal slowest
        outcome = attempt(target, value)
        counts[outcome.kind] += 1
        if first[0]:  # the first input also pays for imports and seed files
            first[0] = False
            return
        slowest = max(slowest, outcome.seconds)
        if outcome.kind == "untyped" and len(untyped) < 5:
            untyped.append(f"{outcome.detail} ← {describe(value)}")
        if outcome.seconds > target.budget:
            over.append(f"{outcome.seconds:.2f}s ← {describe(value)}")

    started = time.perf_counter()
    run()
    return {"entry_point": target.what, "inputs": sum(counts.values()), "parsed": counts["ok"],
            "refused_typed": counts["typed"], "untyped_exceptions": counts["untyped"],
            "budget_seconds": target.budget, "over_budget": len(over), "slowest_seconds": round(slowest, 3),
            "seconds": round(time.perf_counter() - started, 1), "untyped_examples": untyped,
            "over_budget_examples": over[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="inputs per parser")
    parser.add_argument("--seed", type=int, default=14, help="hypothesis seed (same seed, same inputs)")
    parser.add_argument("only", nargs="*", help="parsers whose name contains any of these")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]
    from fuzz_targets import TARGETS

    selected = [t for t in TARGETS if not args.only or any(o in t.name for o in args.only)]
    results: dict[str, Any] = {}
    if RESULT.exists() and args.only:  # a partial run keeps the other parsers' last figures
        results = json.loads(RESULT.read_text(encoding="utf-8")).get("parsers", {})
    for target in selected:
        results[target.name] = fuzz(target, args.n, args.seed)
        row = results[target.name]
        print(f"{target.name}: {row['inputs']} inputs, {row['parsed']} parsed, {row['refused_typed']} refused typed, "
              f"{row['untyped_exceptions']} untyped, {row['over_budget']} over the {row['budget_seconds']}s budget "
              f"(slowest {row['slowest_seconds']}s, {row['seconds']}s)")
        for line in row["untyped_examples"] + row["over_budget_examples"]:
            print(f"  {line}")
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps({"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                  "command": "python -m bench.fuzz " + " ".join(argv or sys.argv[1:]),
                                  "seed": args.seed, "parsers": results}, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    bad = sum(r["untyped_exceptions"] + r["over_budget"] for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
