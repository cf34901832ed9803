"""Catalogue PDF parsing speed against bare pdfplumber text extraction on the same file.

The file is the 100+ page catalogue rendered from the real corpus (tests/catalogue_pdfs.py). Bare
extraction is `page.extract_text()` over all pages; the parse is `parse_catalogue(path)`, checked
to give exactly the rows drawn. Issue 4's bar: the parse at >= 75% of bare extraction's speed.

    .venv/bin/python -m bench.catalogue_speed [--corpus DIR] [--repeat N] [--volumes N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber

from ingest.catalogue import parse_catalogue
from kb.paths import SHARED_CORPUS
from tests.catalogue_pdfs import render_corpus_catalogue

BAR = 0.75


def bare_extract_text(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()


def best_of(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Fastest time of each run, the runs interleaved so that load on the machine hits them alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def measure(corpus: Path, repeat: int, volumes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as tmp:
        pdf = Path(tmp) / "catalogue.pdf"
        rendered = render_corpus_catalogue(corpus, pdf, volumes)
        exact = parse_catalogue(pdf) == rendered.rows  # also warms caches (fonts, CMaps) for both
        times = best_of(repeat, {"bare": lambda: bare_extract_text(pdf), "parse": lambda: parse_catalogue(pdf)})
        size = pdf.stat().st_size
    return {
        "pages": rendered.pages,
        "rows": len(rendered.rows),
        "bytes": size,
        "exact": exact,
        "bare_extract_text_s": round(times["bare"], 3),
        "parse_catalogue_s": round(times["parse"], 3),
        "bare_pages_per_s": round(rendered.pages / times["bare"], 1),
        "parse_pages_per_s": round(rendered.pages / times["parse"], 1),
        "ratio": round(times["bare"] / times["parse"], 3),  # parse speed as a share of bare speed
        "bar": BAR,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--volumes", type=int, default=5, help="Annexes rendered (5 gives 112 pages).")
    args = parser.parse_args(argv)
    if not (args.corpus / "control-list-codes.jsonl").is_file():
        print(f"catalogue_speed: corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    result = measure(args.corpus, args.repeat, args.volumes)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["exact"] and result["ratio"] >= BAR else 2


if __name__ == "__main__":
    sys.exit(main())
