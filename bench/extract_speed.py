"""Throughput of the extraction pipeline against the bare `spacy.blank("zh")` tokenizer on the same texts, in
the same run: the corpus notices (repeated to ~1 MB) and generated notices (bench/corpus.py, as the scale
bench builds them), each extracted one document at a time as the build does (`kb.extract.extract`), in this
process and over the build's worker pool (`kb.extract_pool.parallel_map`, one worker per core).

Figures: characters per second of wall time for the tokenizer, the pipeline in one process and the pipeline
over the pool; the ratios to the tokenizer (issue 5's bar: 0.10 in one process; issue 16's acceptance: 0.25);
the one-process ratio per CPU second (what the machine's load moves least); the load average around each set.
The tokenizer runs in one process: the pooled ratio credits the pipeline with the second core.

    .venv/bin/python -m bench.extract_speed [--corpus PATH] [--target-chars N] [--generated N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

from ingest.document import Document
from ingest.sources import snapshot
from kb.extract import PIPELINE_VERSION, extract
from kb.extract_pool import parallel_map, workers
from kb.paths import SHARED_CORPUS

BAR = 0.10  # issue 5: the pipeline in one process
TARGET = 0.25  # issue 16: extraction against the bare tokenizer


def corpus_documents(path: Path) -> list[Document]:
    return snapshot.parse_file(path)


def _timed(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of this process for the fastest of `repeat` runs."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def measure(docs: list[Document], repeat: int, processes: int | None = None) -> dict[str, Any]:
    processes = workers() if processes is None else processes
    chars = sum(len(d.text) for d in docs)
    blank = spacy.blank("zh")
    texts = [d.text for d in docs]
    extract(docs[0])  # the pipeline loads outside the timing, and before the pool forks
    load_before = os.getloadavg()[0]
    tokenizer_s, tokenizer_cpu = _timed(repeat, lambda: [blank.make_doc(t) for t in texts])
    pipeline_s, pipeline_cpu = _timed(repeat, lambda: [extract(d) for d in docs])
    pooled_s, _ = _timed(repeat, lambda: list(parallel_map(extract, docs, processes)))
    tokenizer_cps, pipeline_cps, pooled_cps = chars / tokenizer_s, chars / pipeline_s, chars / pooled_s
    return {
        "documents": len(docs),
        "chars": chars,
        "tokenizer_chars_per_s": round(tokenizer_cps),
        "pipeline_chars_per_s": round(pipeline_cps),
        "ratio": round(pipeline_cps / tokenizer_cps, 3),
        "cpu_ratio": round((chars / max(pipeline_cpu, 1e-9)) / (chars / max(tokenizer_cpu, 1e-9)), 3),
        "pipeline_ms_per_document": round(pipeline_s / len(docs) * 1000, 2),
        "workers": processes,
        "pooled_chars_per_s": round(pooled_cps),
        "pooled_ratio": round(pooled_cps / tokenizer_cps, 3),
        "bar": BAR,
        "target": TARGET,
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def generated_documents(n: int) -> list[Document]:
    from bench.extract_golden import generated_documents as generated

    return generated(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--target-chars", type=int, default=1_000_000)
    parser.add_argument("--generated", type=int, default=300, help="generated notices (0: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="pool size (default: one per core)")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"extract_speed: corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    docs = corpus_documents(args.corpus)
    base_chars = sum(len(d.text) for d in docs)
    docs = docs * max(1, args.target_chars // max(base_chars, 1))
    result: dict[str, Any] = measure(docs, args.repeat, args.workers)
    if args.generated:
        result["generated"] = measure(generated_documents(args.generated), args.repeat, args.workers)
    result["pipeline_version"] = PIPELINE_VERSION
    print(json.dumps(result, ensure_ascii=False))
    return 0 if float(result["ratio"]) >= BAR else 2


if __name__ == "__main__":
    sys.exit(main())
