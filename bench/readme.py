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

def scale_table(scale: dict[str, Any]) -> str:
    rows = ["| notices | characters | full build s (peak MB) | after 10 new s | no-op s | DB MB "
            "| end to end / bare tokenizer |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for _key, r in sorted((k, v) for k, v in scale.items() if k.startswith("n")):
        inc = r["incremental_after_10_new"]
        rows.append(f"| {r['notices']} | {r['characters']} | {r['full_build']['s']} ({r['full_build']['peak_rss_mb']}) "
                    f"| {inc['s']} | {r['noop']['s']} | {r['db_mb']} | {r['ratio_to_bare_tokenizer']} |")
    return "\n".join(rows) + "\n"


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


def serve_table(serve: dict[str, Any]) -> str:
    speeds = serve["requests_per_second_best_round"]
    unknown = set(speeds) - set(SERVE_URLS)
    if unknown:
        raise ReadmeError(f"serve_speed.json: no README label for {sorted(unknown)} (bench/readme.py SERVE_URLS)")
    rows = ["| URL | requests/s (best of "
            f"{serve['rounds']} rounds of {serve['requests_per_round']}) |", "|---|---:|"]
    rows += [f"| {label} | {speeds[key]:.0f} |" for key, label in SERVE_URLS.items() if key in speeds]
    return "\n".join(rows) + "\n"


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "scale_speed": scale_table,
    "serve_speed": serve_table,
}


def bench_result(source: str) -> str:
    name = Path(source).stem
    if Path(source).parent != Path("bench/results") or name not in RENDERERS:
        raise ReadmeError(f"<!-- generated: {source} -->: no renderer for it (bench/readme.py RENDERERS)")
    record = json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return RENDERERS[name](record["result"])


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
