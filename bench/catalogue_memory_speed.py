"""Catalogue parsing memory and speed: peak RSS on a 100- and a 500-page render, and the parse's speed
against bare pdfplumber `extract_tables()` on the same file.

Each measurement runs in its own child process (its peak RSS: VmHWM), on PDFs rendered beforehand by
the layout generator (tests/catalogue_layouts.py, the ruled licence-catalogue layout). Bars (issue 12):
peak RSS at 500 pages within 1.2x of the 100-page figure; parse speed >= 75% of bare extract_tables.

    .venv/bin/python -m bench.catalogue_memory_speed [--layout NAME] [--small 100] [--large 500]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the generator imports its sibling modules by name

RSS_BAR = 1.2
SPEED_BAR = 0.75
ROWS_PER_PAGE = 13.6  # the synthetic rows in the ruled layout, measured


def render(layout: str, pages: int, path: Path) -> dict[str, int]:
    from catalogue_layouts import load_layouts, render_rows, synthetic_items

    drawn = render_rows(load_layouts()[layout], synthetic_items(round(pages * ROWS_PER_PAGE)), path, volumes=4)
    (path.with_suffix(".rows.json")).write_text(json.dumps([r.control_code for r in drawn.rows]), encoding="utf-8")
    return {"pages": drawn.pages, "rows": len(drawn.rows)}


def child(task: str, path: Path) -> dict[str, Any]:
    """Run one task in a fresh process: its seconds, peak RSS in MB and rows found."""
    done = subprocess.run([sys.executable, "-m", "bench.catalogue_memory_speed", "--child", task, str(path)],
                          stdout=subprocess.PIPE, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM): unlike getrusage's maxrss, which Linux carries over from the
    parent at fork and across exec, it counts this program's own pages only."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_task(task: str, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    if task == "parse":
        from ingest.catalogue import parse_catalogue

        rows = parse_catalogue(path)
        expected = json.loads(path.with_suffix(".rows.json").read_text(encoding="utf-8"))
        found = {"rows": len(rows), "exact_codes": [r.control_code for r in rows] == expected}
    else:  # bare pdfplumber: every page's tables, pages released as they go
        import pdfplumber

        tables = 0
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables += len(page.extract_tables())
                page.close()
        found = {"tables": tables}
    return {"seconds": round(time.perf_counter() - started, 3), "peak_rss_mb": peak_rss_mb(), **found}


def measure(layout: str, small: int, large: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="catalogue-memory-") as tmp:
        paths = {n: Path(tmp) / f"catalogue-{n}.pdf" for n in (small, large)}
        drawn = {n: render(layout, n, p) for n, p in paths.items()}
        parse = {n: child("parse", p) for n, p in paths.items()}
        bare = child("bare", paths[small])
    rss_ratio = parse[large]["peak_rss_mb"] / parse[small]["peak_rss_mb"]
    speed_ratio = bare["seconds"] / parse[small]["seconds"]
    return {
        "layout": layout,
        "renders": {str(n): d for n, d in drawn.items()},
        "parse": {str(n): r for n, r in parse.items()},
        "bare_extract_tables": bare,
        "rss_ratio": round(rss_ratio, 3),
        "rss_bar": RSS_BAR,
        "speed_ratio": round(speed_ratio, 3),  # parse speed as a share of bare extract_tables' speed
        "speed_bar": SPEED_BAR,
        "exact": all(r["exact_codes"] for r in parse.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("TASK", "PDF"), help=argparse.SUPPRESS)
    parser.add_argument("--layout", default="licence-ruled")
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=500)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_task(args.child[0], Path(args.child[1]))))
        return 0
    result = measure(args.layout, args.small, args.large)
    print(json.dumps(result, ensure_ascii=False))
    ok = result["exact"] and result["rss_ratio"] <= RSS_BAR and result["speed_ratio"] >= SPEED_BAR
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
