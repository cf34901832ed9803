"""Crawl speed from the local replay of MOFCOM's sites (tests/replay: a real HTTP server on 127.0.0.1)
against the replay server's raw throughput for the same requests, measured in the same run.

The crawler (`mofcom-kb fetch --mirror`'s code, rate limit off, as the crawl tests run it) crawls the
replay into a fresh data dir; then a bare client sends the very requests the server logged (same
methods, paths and forms, one connection each, as the server speaks HTTP/1.0) as fast as it can. The
ratio says how much of the server's speed the crawler uses (parsing lists, archiving, fsyncs); a
second crawl of the same site (conditional requests, 304s) is timed too. Best of `ROUNDS`.

    .venv/bin/python -m bench crawl
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from kb.paths import REPO_ROOT

ROUNDS = 3


def _replay() -> Any:
    sys.path.insert(0, str(REPO_ROOT / "tests"))  # the replay lives with the crawl tests
    from replay import harness, server

    return harness, server


def raw_requests(base: str, log: list[Any]) -> float:
    """Seconds to send the logged requests again with a bare client."""
    parts = urlsplit(base)
    started = time.perf_counter()
    for entry in log:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        path = quote(entry.path, safe="/?&=%:;,+@")
        if entry.method == "POST":
            body = urlencode(entry.form)
            conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                              "X-Requested-With": "XMLHttpRequest"})
        else:
            conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, Any]:
    harness, server_module = _replay()
    crawls, recrawls, raws = [], [], []
    requests = 0
    summary: Any = None
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="mofcom-kb-crawl-") as tmp, server_module.ReplayServer() as server:
            started = time.perf_counter()
            summary = harness.run_crawl(Path(tmp), server.url)
            crawls.append(time.perf_counter() - started)
            log = list(server.log)
            requests = len(log)
            started = time.perf_counter()
            harness.run_crawl(Path(tmp), server.url)
            recrawls.append(time.perf_counter() - started)
            raws.append(raw_requests(server.url, log))
    crawl_s, raw_s = min(crawls), min(raws)
    return {
        "requests": requests, "archived_new": summary.new if summary else None,
        "crawl_s": round(crawl_s, 3), "crawl_requests_per_s": round(requests / crawl_s, 1),
        "recrawl_s": round(min(recrawls), 3),
        "raw_s": round(raw_s, 3), "raw_requests_per_s": round(requests / raw_s, 1),
        "crawl_vs_raw": round(raw_s / crawl_s, 3), "rounds": ROUNDS, "load_1min": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), ensure_ascii=False, indent=1))
