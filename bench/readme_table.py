"""The README's performance tables, generated from bench/results/ (scale_speed.json: builds at 1k and
10k generated notices; serve_load_speed.json: the served KB under 1 and 8 clients) and written between
`<!-- bench:start -->` and `<!-- bench:end -->` in README.md.

    .venv/bin/python -m bench.readme_table          # rewrite the tables in README.md (make bench does)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.__main__ import RESULTS_DIR
from kb.paths import REPO_ROOT

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NEW = "incremental_after_10_new"


def _load(r: dict[str, Any]) -> str:
    return str(r.get("load_1min", "–"))


def table(scale: dict[str, Any]) -> str:
    rows = ["| notices | characters | full build s (peak MB, load) | after 10 new s (load) | no-op s | DB MB "
            "| end to end / bare tokenizer (per CPU s) |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for _key, r in sorted(((k, v) for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()),
                          key=lambda kv: int(kv[0][1:])):
        full, inc = r["full_build"], r[NEW]
        rows.append(f"| {r['notices']} | {r['characters']} | {full['s']} ({full['peak_rss_mb']}, {_load(full)}) "
                    f"| {inc['s']} ({_load(inc)}) | {r['noop']['s']} | {r['db_mb']} | {r['ratio_to_bare_tokenizer']} "
                    f"({r.get('cpu_ratio_to_bare_tokenizer', '–')}) |")
    largest = max((v for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()), key=lambda v: v["notices"],
                  default=None)
    if largest is not None:
        rows.append("")
        rows.append(f"Targets at {largest['notices']} notices: " + "; ".join(
            f"{label} {value}{unit} ({'met' if ok else 'not met'})" for label, value, unit, ok in targets(largest)) + ".")
    growth = scale.get("growth")
    if growth:
        rows.append("")
        rows.append(f"From {int(min(_sizes(scale)))} to {int(max(_sizes(scale)))} notices (×{growth['size']:g}): "
                    f"full build ×{growth['full_build']}, after 10 new ×{growth[NEW]}, no-op ×{growth['noop']}, "
                    f"peak memory ×{growth.get('peak_rss', '–')}, database ×{growth.get('db', '–')}.")
    return "\n".join(rows)


def targets(r: dict[str, Any]) -> list[tuple[str, Any, str, bool]]:
    """Issue 16's acceptance bars, against one size's figures."""
    full, inc, noop = r["full_build"], r[NEW], r["noop"]
    return [("full build < 120 s:", full["s"], " s", full["s"] < 120), ("after 10 new < 5 s:", inc["s"], " s", inc["s"] < 5),
            ("no-op < 1 s:", noop["s"], " s", noop["s"] < 1),
            ("peak memory < 1 GB:", full["peak_rss_mb"], " MB", full["peak_rss_mb"] < 1024),
            ("end to end ≥ 0.25 of the bare tokenizer:", r["ratio_to_bare_tokenizer"], "", r["ratio_to_bare_tokenizer"] >= 0.25)]


def _sizes(scale: dict[str, Any]) -> list[int]:
    return [v["notices"] for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()]


def level_name(level: str) -> str:
    """c8 → "8 clients", c1_uncached → "1 client, no cache"."""
    count, _, rest = level[1:].partition("_")
    return f"{count} client{'s' if count != '1' else ''}" + (", no cache" if rest else "")


def serve_table(load: dict[str, Any]) -> str:
    levels = load["levels"]
    names = list(next(iter(levels.values()))["endpoints"])
    rows = ["| endpoint | " + " | ".join(f"{level_name(lv)}: p50 / p99 ms (p99 ÷ select 1)" for lv in levels) + " |",
            "|---|" + "---:|" * len(levels)]
    for name in names:
        cells = []
        for lv in levels:
            e = levels[lv]["endpoints"][name]
            errors = f", {e['errors']} errors" if e["errors"] else ""
            cells.append(f"{e['p50_ms']} / {e['p99_ms']} (×{e['p99_vs_select_1']}{errors})")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("")
    rows.append("; ".join(f"{level_name(lv)}: {d['requests_per_s']} req/s, {d['errors']} errors, load "
                          f"{d['load_1min'][0]}–{d['load_1min'][1]}, target {'met' if d['meets_target'] else 'not met'}"
                          for lv, d in levels.items()) + f" (database {load['db_mb']} MB"
                + (f", {load['notices']} generated notices)." if load.get("notices") else ")."))
    return "\n".join(rows)


def render(readme: str, body: str) -> str:
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the {START} / {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"


def body(results: Path = RESULTS_DIR) -> str:
    parts = []
    scale = results / "scale_speed.json"
    if scale.exists():
        record = json.loads(scale.read_text(encoding="utf-8"))
        parts.append(f"Builds (`bench.scale_speed`, {record['measured_at']}):\n\n" + table(record["result"]))
    load = results / "serve_load_speed.json"
    if load.exists():
        record = json.loads(load.read_text(encoding="utf-8"))
        if record.get("result"):
            parts.append(f"Serving (`bench.serve_load_speed`, {record['measured_at']}):\n\n" + serve_table(record["result"]))
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    readme = REPO_ROOT / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8"), body()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
