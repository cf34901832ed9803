"""Every layout of the layout generator (tests/catalogue_layouts.yml) at 100+ pages, parsed back.

The rows are the real control list's 189 codes with their descriptions and the 2026 licence
catalogue's HS numbers (repeated and renumbered until the rendering passes `--pages`), or the
generator's team-written rows without the corpus. Per layout: pages, rows, rows broken across pages,
header rows, merged cells, whether every row came back exactly (code, HS numbers, page, every cell),
rows with header words inside, parse pages/s. Fails unless every layout is exact.

    .venv/bin/python -m bench.catalogue_layouts_speed [--pages 100] [--layout NAME]...
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the generator imports its sibling modules by name

ROWS_PER_PAGE = 7  # the densest layouts print about 13 corpus rows a page; 7 leaves a margin


def measure_layout(name: str, pages: int, corpus: Path | None, tmp: Path) -> dict[str, Any]:
    from catalogue_layouts import (
        corpus_items,
        header_words_inside,
        load_layouts,
        render_rows,
        synthetic_items,
    )

    from ingest.catalogue import read_catalogue

    layout = load_layouts()[name]
    rows = pages * ROWS_PER_PAGE
    path = tmp / f"{name}.pdf"
    while True:
        items = corpus_items(corpus, -(-rows // 189)) if corpus else synthetic_items(rows)
        drawn = render_rows(layout, items, path, volumes=4)
        if drawn.pages >= pages:
            break
        rows = int(rows * pages / drawn.pages) + 20
    started = time.perf_counter()
    parsed = list(read_catalogue(path).rows)
    seconds = time.perf_counter() - started
    leaks = sum(1 for got, want in zip(parsed, drawn.rows, strict=False) if header_words_inside(got, want, layout))
    wrong = sum(1 for got, want in zip(parsed, drawn.rows, strict=False) if got != want)
    wrong += abs(len(parsed) - len(drawn.rows))
    return {
        "layout": name, "pages": drawn.pages, "rows": len(drawn.rows), "parsed": len(parsed),
        "broken_rows": drawn.broken_rows, "header_rows": drawn.header_rows, "merged_cells": drawn.merged_groups,
        "rows_wrong": wrong, "rows_with_header_words": leaks, "exact": wrong == 0 and leaks == 0,
        "codes_exact": [r.control_code for r in parsed] == [r.control_code for r in drawn.rows],
        "hs_exact": [r.hs_codes for r in parsed] == [r.hs_codes for r in drawn.rows],
        "pages_exact": [r.page for r in parsed] == [r.page for r in drawn.rows],
        "parse_s": round(seconds, 2), "pages_per_s": round(drawn.pages / seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    from catalogue_layouts import load_layouts

    from kb.paths import SHARED_CORPUS

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--layout", action="append", default=[], help="Only this layout (repeatable).")
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    args = parser.parse_args(argv)
    corpus = args.corpus if (args.corpus / "control-list-codes.jsonl").is_file() else None
    names = args.layout or sorted(load_layouts())
    with tempfile.TemporaryDirectory(prefix="catalogue-layouts-") as tmp:
        layouts = [measure_layout(n, args.pages, corpus, Path(tmp)) for n in names]
    result = {"rows_from": "corpus" if corpus else "synthetic", "min_pages": args.pages, "layouts": layouts,
              "all_exact": all(r["exact"] for r in layouts)}
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["all_exact"] else 2


if __name__ == "__main__":
    sys.exit(main())
