"""The README's performance table, generated from bench/results/scale_speed.json and written between
`<!-- bench:start -->` and `<!-- bench:end -->` in README.md.

    .venv/bin/python -m bench.readme_table          # rewrite the table in README.md
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.__main__ import RESULTS_DIR
from kb.paths import REPO_ROOT

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def table(scale: dict[str, Any]) -> str:
    rows = ["| notices | characters | full build s (peak MB) | after 10 new s | no-op s | DB MB "
            "| end to end / bare tokenizer |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for _key, r in sorted((k, v) for k, v in scale.items() if k.startswith("n")):
        inc = r["incremental_after_10_new"]
        rows.append(f"| {r['notices']} | {r['characters']} | {r['full_build']['s']} ({r['full_build']['peak_rss_mb']}) "
                    f"| {inc['s']} | {r['noop']['s']} | {r['db_mb']} | {r['ratio_to_bare_tokenizer']} |")
    return "\n".join(rows)


def render(readme: str, body: str) -> str:
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md lacks the {START} / {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    record = json.loads((RESULTS_DIR / "scale_speed.json").read_text(encoding="utf-8"))
    readme = REPO_ROOT / "README.md"
    readme.write_text(render(readme.read_text(encoding="utf-8"), table(record["result"])), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
