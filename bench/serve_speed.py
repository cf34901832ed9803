"""JSON/HTML requests per second from the served knowledge base: a real `datasette` process
(`mofcom-kb serve`'s command) over a corpus build on 127.0.0.1, one keep-alive client, bounded loops
of sequential requests per URL (three rounds, the best one reported).

    .venv/bin/python -m bench serve                      # via the bench runner
    .venv/bin/python -m bench.serve_speed --requests 300 [--db data/mofcom.db]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from kb.paths import SAMPLES_DIR, SHARED_CORPUS, DataDir
from kb.serve import running_datasette

URLS = {
    "table_json": "/mofcom/documents.json?_shape=array&_size=10&_col=id&_col=title",
    "table_json_nofacet": "/mofcom/documents.json?_shape=array&_size=10&_col=id&_col=title&_nofacet=1&_nocount=1",
    "canned_controlled_on": "/mofcom/controlled_on.json?_shape=array&date=2026-12-01",
    "canned_search": "/mofcom/search.json?_shape=array&q=稀土",
    "search_page_json": "/-/search.json?q=稀土",
    "document_page_html": "/-/document/商务部公告2025年第61号",
    "timeline_json": "/-/timeline.json",
    "atom_documents": "/-/feeds/documents.atom",
}


def build_corpus(root: Path) -> Path:
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot
    from kb.build import build

    data = DataDir(root)
    archive = Archive(data.archive)
    for file in sorted(SAMPLES_DIR.glob("*.jsonl")):
        import_snapshot(file, archive)
    if SHARED_CORPUS.is_dir():
        import_snapshot(SHARED_CORPUS / "exportcontrol-notices.jsonl", archive)
    build(data.archive, data.db)
    return data.db


ROUNDS = 3  # best of three rounds per URL: the machine is shared, the best round is the least disturbed


def measure(base: str, requests: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, url in URLS.items():
            client.get(url).raise_for_status()  # warm-up, and a failed URL fails the bench
            rates = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                for _ in range(requests):
                    client.get(url).raise_for_status()
                rates.append(requests / (time.perf_counter() - started))
            out[name] = round(max(rates), 1)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per URL and round")
    parser.add_argument("--db", type=Path, default=None, help="a built mofcom.db (default: build the corpus)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_corpus(Path(tmp) / "data")
        with running_datasette(db, Path(tmp) / "datasette.log") as base:
            per_second = measure(base, args.requests)
    return {"requests_per_round": args.requests, "rounds": ROUNDS, "requests_per_second_best_round": per_second,
            "corpus": SHARED_CORPUS.is_dir()}


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=1))
