"""Killing `mofcom-kb fetch` (a real subprocess, SIGKILL) mid-run, then rerunning the same
command: nothing lost, nothing duplicated, and what the killed run finished is not refetched."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from replay.harness import run_crawl
from replay.server import ReplayServer

from ingest.archive import Archive

REPO = Path(__file__).resolve().parent.parent


def fetch_command(data: Path, mirror: str) -> list[str]:
    return [sys.executable, "-m", "kb.cli", "--data-dir", str(data), "fetch", "--mirror", mirror,
            "--rate", "0", "--timeout", "5", "--retries", "1", "--backoff", "0.01", "--no-progress"]


def test_sigkill_mid_run_then_rerun_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ReplayServer(delay=0.02) as server:
        proc = subprocess.Popen(fetch_command(data, server.url), cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(server.log) < 45 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL, "the crawl finished before it could be killed"
        killed_log = len(server.log)
        server.delay = 0.0
        partial = {r.url for r in Archive(data / "archive").records()}
        assert 0 < len(partial) < len(server.site.expected_urls())
        journal = [json.loads(line) for line in (data / "state" / "crawl" / "journal.jsonl").read_text().splitlines()
                   if line.endswith("}")]
        done_pages = {e["key"] for e in journal if e["event"] == "done" and "/art" in e["key"]}
        assert not any(e["event"] == "finish" for e in journal)

        rerun = subprocess.run(fetch_command(data, server.url), cwd=REPO, capture_output=True, text=True,
                               timeout=60, check=False)
        assert rerun.returncode == 0, rerun.stderr
        assert "already done by the resumed run" in rerun.stdout
        rerun_paths = [e.path for e in server.log[killed_log:]]

    records = list(Archive(data / "archive").records())
    counts = Counter(r.url for r in records)
    assert server.site.expected_urls() <= set(counts), "lost items"
    assert max(counts.values()) == 1, "duplicated items"
    assert all(Archive(data / "archive").has_object(r.sha256) for r in records)
    # what the killed run finished, the resumed run did not request again
    assert done_pages and not any(url.split("://", 1)[1] in path for url in done_pages for path in rerun_paths)

    # and the result equals an uninterrupted crawl's
    clean = tmp_path / "clean"
    with ReplayServer() as server:
        run_crawl(clean, server.url)
    clean_records = {(r.url, r.sha256) for r in Archive(clean / "archive").records()}
    assert {(r.url, r.sha256) for r in records} == clean_records
