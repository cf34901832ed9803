"""Kills survived, nothing lost: `mofcom-kb fetch` SIGKILLed five times at different points of one
crawl, and a build SIGKILLed at three points; after each kill `mofcom-kb verify` finds no missing or
corrupt object and the served database is the old one byte for byte; the reruns finish the work,
and the archive ends up holding every URL of the site exactly as an uninterrupted crawl does."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kb_facts_fixture import hand_facts, sample_archive
from replay.server import ReplayServer
from test_crawl_kill import fetch_command
from test_kb_atomic import SLOW_BUILD

from ingest.archive import Archive
from ingest.archive_verify import verify
from kb.build import build

REPO = Path(__file__).resolve().parent.parent
FETCH_KILLS = 5
BUILD_KILLS_AFTER = (0.4, 1.0, 1.8)  # seconds after the scratch file appears


def _kill_after_requests(data: Path, server: ReplayServer, requests: int) -> bool:
    """Start a fetch, SIGKILL it once the server has answered `requests` more requests; False when
    the fetch finished first."""
    start = len(server.log)
    proc = subprocess.Popen(fetch_command(data, server.url), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(server.log) - start < requests and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.003)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    return True


def test_a_crawl_killed_five_times_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kills = 0
    with ReplayServer(delay=0.01) as server:
        for n in range(FETCH_KILLS):
            kills += _kill_after_requests(data, server, 15 + 9 * n)
            report = verify(Archive(data / "archive"))
            assert report.errors == [], [f.line() for f in report.errors]
        server.delay = 0.0
        done = subprocess.run(fetch_command(data, server.url), cwd=REPO, capture_output=True, text=True,
                              check=False, timeout=120)
        expected = server.site.expected_urls()
    assert kills == FETCH_KILLS
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    archive = Archive(data / "archive")
    records = list(archive.records())
    assert expected <= {r.url for r in records}  # nothing lost
    for url in expected:  # nothing duplicated: one record per version
        shas = [r.sha256 for r in records if r.url == url]
        assert all(a != b for a, b in zip(shas, shas[1:], strict=False)), url
    assert verify(archive).errors == []


def test_a_build_killed_three_times_keeps_the_old_database_each_time(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(archive.root, db, extractor=hand_facts, version="hand")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD.format(tests=str(REPO / "tests")), encoding="utf-8")
    scratch = db.with_name("mofcom.db.new")
    for after in BUILD_KILLS_AFTER:
        builder = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 30
        while not scratch.exists() and builder.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after)
        assert builder.poll() is None, "the build finished before it could be killed"
        os.kill(builder.pid, signal.SIGKILL)
        builder.wait(timeout=10)
        assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
        assert verify(archive).errors == []
    summary = build(archive.root, db, extractor=hand_facts, version="hand-2")
    assert summary.documents > 0 and not scratch.exists()
