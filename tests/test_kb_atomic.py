"""Atomic build: a real build subprocess killed with SIGKILL mid-way leaves the previous database
byte-for-byte intact and still served by a running Datasette; the next build cleans up and succeeds."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from kb_facts_fixture import hand_facts, sample_archive

from kb.build import build
from kb.serve import datasette_command

REPO = Path(__file__).resolve().parent.parent

# A real build (kb.build.build) whose extractor is slowed down, so the kill lands mid-way.
SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from kb.build import build
    from kb_facts_fixture import hand_facts

    def slow(doc):
        time.sleep(0.3)
        return hand_facts(doc)

    build(Path(sys.argv[1]) / "archive", Path(sys.argv[1]) / "mofcom.db", extractor=slow, version="slow", full=True)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def document_count(port: int) -> int:
    r = httpx.get(f"http://127.0.0.1:{port}/mofcom.json",
                  params={"sql": "select count(*) as n from documents", "_shape": "array"}, timeout=5)
    r.raise_for_status()
    return int(r.json()[0]["n"])


def test_killed_build_leaves_the_previous_database_intact_and_served(tmp_path: Path) -> None:
    sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(tmp_path / "archive", db, extractor=hand_facts, version="hand")
    digest = hashlib.sha256(db.read_bytes()).hexdigest()

    port = free_port()
    log = open(tmp_path / "datasette.log", "wb")  # noqa: SIM115 (closed in finally)
    server = subprocess.Popen(datasette_command(db, "127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD.format(tests=str(REPO / "tests")), encoding="utf-8")
    try:
        wait_for(lambda: _up(port), 30, "datasette")
        served = document_count(port)
        builder = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        new = tmp_path / "mofcom.db.new"
        wait_for(lambda: new.exists() and new.stat().st_size > 0, 30, "the build to start writing")
        time.sleep(0.5)  # well inside extraction (0.3 s per document)
        assert builder.poll() is None, builder.stderr.read() if builder.stderr else ""
        os.kill(builder.pid, signal.SIGKILL)
        builder.wait(10)
        assert builder.returncode == -signal.SIGKILL

        assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
        assert document_count(port) == served  # still served
    finally:
        server.terminate()
        server.wait(10)
        log.close()

    # The next build removes the half-written file and swaps in a complete database.
    summary = build(tmp_path / "archive", db, extractor=hand_facts, version="hand-2")
    assert summary.documents > 0 and not (tmp_path / "mofcom.db.new").exists()


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
