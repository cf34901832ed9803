"""Walking skeleton: snapshot → archive → documents → SQLite, on the team's samples."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ingest.archive import Archive
from ingest.snapshot_import import import_snapshot
from kb.build import build
from kb.paths import SAMPLES_DIR


def test_samples_build_a_database(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    first = import_snapshot(SAMPLES_DIR / "snapshot.jsonl", archive)
    assert first.new == 3
    again = import_snapshot(SAMPLES_DIR / "snapshot.jsonl", archive)
    assert (again.new, again.unchanged) == (0, 3)
    summary = build(archive.root, tmp_path / "mofcom.db")
    assert summary.documents == 3
    conn = sqlite3.connect(tmp_path / "mofcom.db")
    numbers = {r[0] for r in conn.execute("select doc_number from documents")}
    assert "商务部公告2025年第70号" in numbers
