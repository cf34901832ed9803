"""Throughput of the extraction pipeline against the bare `spacy.blank("zh")` tokenizer on the same
texts (the corpus notices, repeated to ~1 MB). Issue 5's bar: the full pipeline at >= 10% of the
tokenizer's characters per second.

    .venv/bin/python -m bench.extract_speed [--corpus PATH] [--target-chars N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy

from bench.timing import best_of
from ingest.document import Document
from ingest.sources import snapshot
from kb.extract import PIPELINE_VERSION, extract_many
from kb.paths import SHARED_CORPUS

BAR = 0.10


def corpus_documents(path: Path) -> list[Document]:
    return snapshot.parse_file(path)


def measure(docs: list[Document], repeat: int) -> dict[str, float | int | str]:
    chars = sum(len(d.text) for d in docs)
    blank = spacy.blank("zh")
    texts = [d.text for d in docs]
    list(extract_many(docs[:2]))  # load the pipeline outside the timing
    tokenizer_s = best_of(repeat, lambda: [blank.make_doc(t) for t in texts])
    pipeline_s = best_of(repeat, lambda: list(extract_many(docs)))
    tokenizer_cps = chars / tokenizer_s
    pipeline_cps = chars / pipeline_s
    return {
        "documents": len(docs),
        "chars": chars,
        "tokenizer_chars_per_s": round(tokenizer_cps),
        "pipeline_chars_per_s": round(pipeline_cps),
        "ratio": round(pipeline_cps / tokenizer_cps, 3),
        "bar": BAR,
        "pipeline_version": PIPELINE_VERSION,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--target-chars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"extract_speed: corpus not found: {args.corpus}", file=sys.stderr)
        return 1
    docs = corpus_documents(args.corpus)
    base_chars = sum(len(d.text) for d in docs)
    docs = docs * max(1, args.target_chars // max(base_chars, 1))
    result = measure(docs, args.repeat)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if float(result["ratio"]) >= BAR else 2


if __name__ == "__main__":
    sys.exit(main())
