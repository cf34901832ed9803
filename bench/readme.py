"""The README's generated sections, in the manner of cog: each sits between a marker naming what
produces it and an end marker, and this module rewrites (or checks) them.

    <!-- generated: mofcom-kb eval --markdown --gold annotations/blind -->
    …the command's output…
    <!-- end generated -->

A `mofcom-kb …` marker runs that command in-process (arguments as in the README, relative to the
repository root); a `bench/results/<name>.json` marker renders that bench result with the renderer
named after it below. Text outside the markers is never touched.

    .venv/bin/python -m bench.readme            # rewrite README.md's generated sections
    .venv/bin/python -m bench.readme --check    # exit 1 naming every section that differs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.__main__ import RESULTS_DIR
from kb.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
END = "<!-- end generated -->"
SECTION = re.compile(r"(?P<start><!-- generated: (?P<source>.+?) -->\n)(?P<body>.*?)(?P<end>" + re.escape(END) + ")",
                     re.S)


class ReadmeError(Exception):
    """A marker nothing can produce, or a command that failed (names the marker)."""


# -- bench results -------------------------------------------------------------------------------

NEW = "incremental_after_10_new"


def _load(r: dict[str, Any]) -> str:
    return str(r.get("load_1min", "–"))


def build_table(scale: dict[str, Any]) -> str:
    rows = ["| notices | characters | full build s (peak MB, load) | after 10 new s (load) | no-op s | DB MB "
            "| end to end / bare tokenizer (per CPU s) | extraction / bare tokenizer: 1 process, the build's pool |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for _key, r in sorted(((k, v) for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()),
                          key=lambda kv: int(kv[0][1:])):
        full, inc = r["full_build"], r[NEW]
        rows.append(f"| {r['notices']} | {r['characters']} | {full['s']} ({full['peak_rss_mb']}, {_load(full)}) "
                    f"| {inc['s']} ({_load(inc)}) | {r['noop']['s']} | {r['db_mb']} | {r['ratio_to_bare_tokenizer']} "
                    f"({r.get('cpu_ratio_to_bare_tokenizer', '–')}) | {_extraction(r)} |")
    largest = max((v for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()), key=lambda v: v["notices"],
                  default=None)
    if largest is not None:
        rows.append("")
        rows.append(f"Targets at {largest['notices']} notices: " + "; ".join(
            f"{label} {value}{unit} ({'met' if ok else 'not met'})" for label, value, unit, ok in targets(largest)) + ". "
            f"End to end (parse, extract, load, index, validate: the whole build) runs at "
            f"{largest['ratio_to_bare_tokenizer']} of the bare tokenizer's speed.")
    growth = scale.get("growth")
    if growth:
        rows.append("")
        rows.append(f"From {int(min(_sizes(scale)))} to {int(max(_sizes(scale)))} notices (×{growth['size']:g}): "
                    f"full build ×{growth['full_build']}, after 10 new ×{growth[NEW]}, no-op ×{growth['noop']}, "
                    f"peak memory ×{growth.get('peak_rss', '–')}, database ×{growth.get('db', '–')}.")
    return "\n".join(rows)


def _extraction(r: dict[str, Any]) -> str:
    """bench.extract_speed's figures on a sample of the notices: one process, then over the build's workers."""
    e = r.get("extraction")
    if not e:
        return "–"
    return f"{e['ratio']}, {e.get('pooled_ratio', '–')} ({e.get('workers', '–')} workers, {e.get('documents', '–')} notices)"


def targets(r: dict[str, Any]) -> list[tuple[str, Any, str, bool]]:
    """Issue 16's acceptance bars, against one size's figures. Extraction is measured as the build runs it
    (over its pool of workers); end to end (parse, extract, load, index, validate) is stated beside it."""
    full, inc, noop = r["full_build"], r[NEW], r["noop"]
    out = [("full build < 120 s:", full["s"], " s", full["s"] < 120), ("after 10 new < 5 s:", inc["s"], " s", inc["s"] < 5),
           ("no-op < 1 s:", noop["s"], " s", noop["s"] < 1),
           ("peak memory < 1 GB:", full["peak_rss_mb"], " MB", full["peak_rss_mb"] < 1024)]
    pooled = (r.get("extraction") or {}).get("pooled_ratio")
    if pooled is not None:
        out.append(("extraction ≥ 0.25 of the bare tokenizer:", pooled, "", pooled >= 0.25))
    return out


def _sizes(scale: dict[str, Any]) -> list[int]:
    return [v["notices"] for k, v in scale.items() if k.startswith("n") and k[1:].isdigit()]


def level_name(level: str) -> str:
    """c8 → "8 clients", c1_uncached → "1 client, no cache"."""
    count, _, rest = level[1:].partition("_")
    return f"{count} client{'s' if count != '1' else ''}" + (", no cache" if rest else "")


def load_table(load: dict[str, Any]) -> str:
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


def scale_table(record: dict[str, Any]) -> str:
    return f"Builds (`bench.scale_speed`, {record['measured_at']}):\n\n" + build_table(record["result"]) + "\n"


def serve_load_table(record: dict[str, Any]) -> str:
    return (f"Serving (`bench.serve_load_speed`, {record['measured_at']}):\n\n" + load_table(record["result"])
            + "\n")


# What each URL of bench/serve_speed.py is, in the order the table lists them.
SERVE_URLS = {
    "canned_search": "canned query `search`",
    "search_page_json": "`/-/search.json`",
    "canned_controlled_on": "canned query `controlled_on`",
    "timeline_json": "`/-/timeline.json`",
    "atom_documents": "Atom feed `/-/feeds/documents.atom`",
    "document_page_html": "document page (HTML)",
    "table_json": "a table as JSON",
    "table_json_nofacet": "a table as JSON, `_nofacet=1&_nocount=1`",
}


def serve_table(record: dict[str, Any]) -> str:
    serve = record["result"]
    speeds = serve["requests_per_second_best_round"]
    unknown = set(speeds) - set(SERVE_URLS)
    if unknown:
        raise ReadmeError(f"serve_speed.json: no README label for {sorted(unknown)} (bench/readme.py SERVE_URLS)")
    rows = ["| URL | requests/s (best of "
            f"{serve['rounds']} rounds of {serve['requests_per_round']}) |", "|---|---:|"]
    rows += [f"| {label} | {speeds[key]:.0f} |" for key, label in SERVE_URLS.items() if key in speeds]
    return "\n".join(rows) + "\n"


def _catalogue_memory(r: dict[str, Any]) -> tuple[str, str, str]:
    small, large = (r["parse"][k] for k in sorted(r["parse"], key=int))
    pages = [r["renders"][k]["pages"] for k in sorted(r["renders"], key=int)]
    return (f"catalogue PDF parse: peak memory at {pages[1]} pages vs {pages[0]}; speed vs bare pdfplumber "
            "`extract_tables()` on the same pages",
            f"{large['peak_rss_mb']} MB vs {small['peak_rss_mb']} MB (×{r['rss_ratio']}); ×{r['speed_ratio']}",
            f"≤ ×{r['rss_bar']}; ≥ ×{r['speed_bar']}")


def _catalogue_layouts(r: dict[str, Any]) -> tuple[str, str, str]:
    layouts = r["layouts"]
    slowest = min(layouts, key=lambda x: x["pages_per_s"])
    return (f"catalogue PDFs in {len(layouts)} generated layouts of ≥ {r['min_pages']} pages: rows, codes, HS numbers "
            "and pages exact; slowest layout",
            f"{'all exact' if r['all_exact'] else 'NOT all exact'}; {slowest['pages_per_s']} pages/s "
            f"({slowest['layout']})", "exact")


# The headline of each smaller bench: what it measures, the figure, its bar ("–": none).
HEADLINES: dict[str, Callable[[dict[str, Any]], tuple[str, str, str]]] = {
    "build_speed": lambda r: ("no-op rebuild of the corpus vs its full build (after 3 new documents: "
                              f"{r['after_3_new_documents_s']} s, {r['extracted_after_3_new_documents']} extracted)",
                              f"{r['noop_rebuild_s']} s vs {r['full_build_s']} s = {r['noop_ratio']}", f"< {r['bar']}"),
    "extract_speed": lambda r: ("extraction vs the bare tokenizer, corpus texts: one process, the build's pool "
                                f"({r['workers']} workers)",
                                f"{r['ratio']}, {r['pooled_ratio']} ({r['pipeline_ms_per_document']} ms per document)",
                                f"≥ {r['target']}"),
    "parse_speed": lambda r: ("parsing the corpus records (and catalogue pages)",
                              f"{r['ms_per_record']} ms per record, {r['ms_per_page']} ms per page", "–"),
    "crawl_speed": lambda r: ("crawl of the local replay vs the replay server's raw throughput, same requests",
                              f"{r['crawl_requests_per_s']} vs {r['raw_requests_per_s']} requests/s "
                              f"(×{r['crawl_vs_raw']})", "–"),
    "catalogue_speed": lambda r: (f"catalogue PDF parse ({r['pages']} pages) vs bare pdfplumber `extract_text()`",
                                  f"{r['parse_pages_per_s']} vs {r['bare_pages_per_s']} pages/s (×{r['ratio']})",
                                  f"≥ ×{r['bar']}"),
    "catalogue_memory_speed": _catalogue_memory,
    "catalogue_layouts_speed": _catalogue_layouts,
}
SUMMARY = "bench/results/*_speed.json"  # the marker's source for the table of every bench in HEADLINES


def summary_table() -> str:
    rows = ["| bench | measures | figure | bar | status, measured |", "|---|---|---|---|---|"]
    for name, headline in HEADLINES.items():
        record = json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        what, figure, bar = headline(record["result"])
        status = "ok" if record.get("status") == 0 else f"FAILED (exit {record.get('status')})"
        rows.append(f"| `bench.{name}` | {what} | {figure} | {bar} | {status}, {record['measured_at'][:16]} |")
    return "\n".join(rows) + "\n"


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "scale_speed": scale_table,
    "serve_speed": serve_table,
    "serve_load_speed": serve_load_table,
}


def bench_result(source: str) -> str:
    if source == SUMMARY:
        return summary_table()
    name = Path(source).stem
    if Path(source).parent != Path("bench/results") or name not in RENDERERS:
        raise ReadmeError(f"<!-- generated: {source} -->: no renderer for it (bench/readme.py RENDERERS)")
    record = json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return RENDERERS[name](record)


# -- commands --------------------------------------------------------------------------------------

def command_output(source: str) -> str:
    from click.testing import CliRunner

    from kb.cli import cli

    args = shlex.split(source)[1:]
    with contextlib.chdir(REPO_ROOT):  # the README's paths are relative to the checkout
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        raise ReadmeError(f"<!-- generated: {source} -->: exit {result.exit_code}: {result.output.strip()[-300:]}")
    return result.stdout


def produce(source: str) -> str:
    if source.startswith("mofcom-kb "):
        return command_output(source)
    if source.startswith("bench/results/"):
        return bench_result(source)
    raise ReadmeError(f"<!-- generated: {source} -->: neither a `mofcom-kb …` command nor a bench/results/ file")


def regenerate(text: str, produce: Callable[[str], str] = produce) -> tuple[str, list[str]]:
    """The text with every generated section produced afresh, and the sources of those that changed."""
    changed: list[str] = []

    def section(match: re.Match[str]) -> str:
        body = produce(match["source"])
        if not body.endswith("\n"):
            body += "\n"
        if body != match["body"]:
            changed.append(match["source"])
        return f"{match['start']}{body}{match['end']}"

    markers = re.findall(r"<!-- generated: .+? -->|" + re.escape(END), text)
    if markers[0::2] != [m for m in markers if m != END] or any(m != END for m in markers[1::2]) or len(markers) % 2:
        raise ReadmeError("generated markers do not pair up: each `<!-- generated: … -->` needs its own "
                          f"`{END}` before the next one")
    return SECTION.sub(section, text), changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a section differs")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        fresh, changed = regenerate(text)
    except ReadmeError as err:
        print(f"{args.readme}: {err}", file=sys.stderr)
        return 1
    if args.check:
        for source in changed:
            print(f"{args.readme}: out of date: <!-- generated: {source} --> (run python -m bench.readme)",
                  file=sys.stderr)
        return 1 if changed else 0
    if fresh != text:
        args.readme.write_text(fresh, encoding="utf-8")
    for source in changed:
        print(f"rewrote <!-- generated: {source} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
