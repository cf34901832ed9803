"""Run the benches: every `bench/<name>_speed.py` module's `main()`, in name order.

A bench's `main` takes an optional argv list (it gets []) and either returns its result as a dict,
or prints it as a JSON object (its last JSON line counts) and returns an exit status. Each result
is printed and saved as bench/results/<name>.json with the peak memory (max RSS) of the process that
ran it: each bench runs in its own child process, so one bench's memory never counts for another.
The run fails if any bench fails.

    .venv/bin/python -m bench              # all benches
    .venv/bin/python -m bench catalogue    # those whose module name contains "catalogue"
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import inspect
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def bench_modules(selected: list[str]) -> list[str]:
    names = sorted(path.stem for path in BENCH_DIR.glob("*_speed.py"))
    return [n for n in names if not selected or any(s in n for s in selected)]


def run_bench(name: str) -> tuple[int, dict[str, Any] | None]:
    main = importlib.import_module(f"bench.{name}").main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        returned = main([]) if inspect.signature(main).parameters else main()
    sys.stdout.write(out.getvalue())
    if isinstance(returned, dict):
        return 0, returned
    return int(returned or 0), last_json_object(out.getvalue())


def last_json_object(text: str) -> dict[str, Any] | None:
    for line in reversed(text.splitlines()):
        with contextlib.suppress(ValueError):
            value = json.loads(line)
            if isinstance(value, dict):
                return value
    return None


def run_in_child(name: str) -> tuple[int, dict[str, Any] | None, float]:
    """Run one bench in a child process; its status, result and peak RSS in MB (from wait4)."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "result.json"
        child = subprocess.Popen([sys.executable, "-m", "bench", "--one", name, str(out)])
        _, wait_status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(wait_status)
        result = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return child.returncode, result, round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:  # inside the child: run one bench, hand its result to the parent
        status, result = run_bench(argv[1])
        Path(argv[2]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return status
    failed = []
    RESULTS_DIR.mkdir(exist_ok=True)
    for name in bench_modules(argv):
        print(f"== bench.{name}", flush=True)
        status, result, peak_rss_mb = run_in_child(name)
        record = {"bench": name, "status": status, "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  "peak_rss_mb": peak_rss_mb, "result": result}
        (RESULTS_DIR / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
        print(json.dumps(record, ensure_ascii=False), flush=True)
        if status:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
