"""The archive is checked, not trusted: a flipped byte in an archived object fails `build --full` with
one line naming the object (today it publishes the altered text with 0 failures), `mofcom-kb verify`
lists every missing or corrupt object, orphan, torn manifest line and stray temporary, and
`verify --clean` removes what killed writes left, never what a running write or build still needs."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kb_facts_fixture import KB_SAMPLES, hand_facts, sample_archive

from ingest.archive import Archive, CorruptObjectError, Record
from ingest.archive_verify import verify
from ingest.snapshot_import import import_snapshot
from kb.build import ArchiveDamagedError, build, build_lock
from kb.cleanup import clean
from kb.paths import DataDir

REPO = Path(__file__).resolve().parent.parent
OLD = 7200.0  # seconds: older than verify's default --min-age


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kb.cli", "--data-dir", str(data), *args], cwd=REPO,
                          capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(REPO)})


def _flip_digit(archive: Archive) -> tuple[Record, Path]:
    """Alter one digit of a snapshot's text in place, as bit rot or a hand edit would: still valid JSON,
    still a parseable notice, different text."""
    record = next(r for r in archive.latest().values() if r.kind == "snapshot" and "2025" in
                  archive.get_bytes(r.sha256).decode("utf-8"))
    path = archive.object_path(record.sha256)
    data = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(data.replace(b"2025", b"2026", 1))
    return record, path


def _texts(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT text FROM documents WHERE text IS NOT NULL")}
    finally:
        conn.close()


def test_a_flipped_byte_fails_the_full_build_naming_the_object_and_keeps_the_old_database(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(archive.root, db, extractor=hand_facts, version="h")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    record, path = _flip_digit(archive)

    with pytest.raises(ArchiveDamagedError) as caught:
        build(archive.root, db, extractor=hand_facts, version="h", full=True)
    (damaged,) = caught.value.damaged
    assert damaged.url == record.url and str(path) in damaged.reason and "corrupt" in damaged.reason
    assert "\n" not in damaged.reason
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # nothing altered was published
    assert not db.with_name("mofcom.db.new").exists()


def test_the_build_command_prints_one_line_per_damaged_object_and_exits_1(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    record, path = _flip_digit(archive)
    missing = next(r for r in archive.latest().values() if r.kind == "snapshot" and r.sha256 != record.sha256)
    archive.object_path(missing.sha256).unlink()

    proc = _cli(tmp_path, "build", "--full")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.rstrip().splitlines()
    damaged = [line for line in lines if line.startswith("  damaged: ")]
    assert len(damaged) == 2 and len(lines) == 3, proc.stderr
    assert any(record.url in line and str(path) in line and "corrupt" in line for line in damaged)
    assert any(missing.url in line and "missing" in line for line in damaged)
    assert lines[-1].startswith("mofcom-kb: ") and "nothing built" in lines[-1]
    assert not (tmp_path / "mofcom.db").exists()


def test_refetching_or_reimporting_the_same_bytes_repairs_a_corrupt_object(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    reference = build(archive.root, tmp_path / "ref.db", state_dir=tmp_path / "ref-state", extractor=hand_facts,
                      version="h")
    record, path = _flip_digit(archive)
    with pytest.raises(CorruptObjectError):
        archive.get_bytes(record.sha256)
    manifest = archive.manifest_path.read_bytes()

    for file in (REPO / "ingest" / "samples" / "snapshot.jsonl", KB_SAMPLES):
        import_snapshot(file, archive)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == record.sha256
    assert archive.manifest_path.read_bytes() == manifest  # same bytes: no new manifest line
    assert build(archive.root, db, extractor=hand_facts, version="h", full=True).documents == reference.documents
    assert _texts(db) == _texts(tmp_path / "ref.db")


def test_a_manifest_line_naming_a_path_instead_of_a_sha256_is_refused(tmp_path: Path) -> None:
    """A manifest is data: `../../…` as an object name must never be read as a path."""
    archive = sample_archive(tmp_path / "archive")
    secret = tmp_path / "secret.txt"
    secret.write_text("not archive data", encoding="utf-8")
    line = {"url": "https://exportcontrol.mofcom.gov.cn/x.html", "sha256": f"../../{secret.name}", "source": "snapshot",
            "kind": "snapshot", "fetched_at": "2026-01-01T00:00:00+00:00"}
    with open(archive.manifest_path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")

    with pytest.raises(ArchiveDamagedError) as caught:
        build(archive.root, tmp_path / "mofcom.db", extractor=hand_facts, version="h")
    assert "is not a sha256" in caught.value.damaged[0].reason
    report = verify(archive)
    assert [f.kind for f in report.errors] == ["malformed"]


def _damaged_archive(root: Path) -> tuple[Archive, dict[str, Path]]:
    """An archive with one of each finding verify knows."""
    archive = sample_archive(root)
    records = [r for r in archive.latest().values() if r.kind == "snapshot"]
    corrupt = archive.object_path(records[0].sha256)
    corrupt.chmod(0o644)
    corrupt.write_bytes(corrupt.read_bytes()[:-5])  # truncated
    missing = archive.object_path(records[1].sha256)
    missing.unlink()
    with open(archive.manifest_path, "ab") as fh:
        fh.write(b'{"url": "https://exportcontrol.mofcom.gov.cn/torn.html", "sha2')  # killed mid-append
    orphan_sha = archive.put_bytes(b"an object whose manifest line was never written")
    # The next append completes the torn line with a newline, so the torn line is now mid-file.
    archive.store(b"after the kill", url="https://exportcontrol.mofcom.gov.cn/after.html", source="snapshot",
                  kind="snapshot")
    with open(archive.manifest_path, "ab") as fh:
        fh.write(b'{"url": "https://exportcontrol.mofcom.gov.cn/edited.html"}\n')  # JSON, not a record
        fh.write(b'{"url": "https://exportcontrol.mofcom.gov.cn/tail.html", "sha256": "ab')  # torn last line
    old_tmp = corrupt.parent / ".tmp-killed"
    old_tmp.write_bytes(b"half an object")
    os.utime(old_tmp, (time.time() - OLD, time.time() - OLD))
    fresh_tmp = missing.parent / ".tmp-writing"
    fresh_tmp.write_bytes(b"a write in progress")
    stray = archive.objects / "notes.txt"
    stray.write_text("left here by hand", encoding="utf-8")
    paths = {"corrupt": corrupt, "missing": missing, "orphan": archive.object_path(orphan_sha),
             "old_tmp": old_tmp, "fresh_tmp": fresh_tmp, "stray": stray}
    return archive, paths


def test_verify_reports_every_kind_of_damage(tmp_path: Path) -> None:
    archive, paths = _damaged_archive(tmp_path / "archive")
    report = verify(archive)
    by_kind: dict[str, list[str]] = {}
    for finding in report.findings:
        by_kind.setdefault(finding.kind, []).append(finding.where)
    assert by_kind["corrupt"] == [str(paths["corrupt"])]
    assert by_kind["missing"] == [str(paths["missing"])]
    assert by_kind["orphan"] == [str(paths["orphan"])]
    assert sorted(by_kind["temporary"]) == sorted([str(paths["old_tmp"]), str(paths["fresh_tmp"])])
    assert by_kind["stray"] == [str(paths["stray"])]
    lines = archive.manifest_path.read_bytes().splitlines()
    torn = [int(w.rsplit(":", 1)[1]) for w in by_kind["torn"]]
    assert torn == [i + 1 for i, line in enumerate(lines) if b"torn.html" in line or b"tail.html" in line]
    assert len(torn) == 2
    (malformed,) = by_kind["malformed"]
    assert lines[int(malformed.rsplit(":", 1)[1]) - 1].endswith(b'edited.html"}')
    assert report.records == len(list(archive.records()))


def test_verify_command_exits_1_on_damage_and_clean_removes_only_stale_temporaries(tmp_path: Path) -> None:
    archive, paths = _damaged_archive(tmp_path / "archive")
    manifest = archive.manifest_path.read_bytes()
    proc = _cli(tmp_path, "verify", "--clean")
    assert proc.returncode == 1
    assert f"corrupt: {paths['corrupt']}" in proc.stderr and f"missing: {paths['missing']}" in proc.stderr
    assert f"orphan: {paths['orphan']}" in proc.stdout and f"removed: {paths['old_tmp']}" in proc.stdout
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("mofcom-kb: ") and "1 missing, 1 corrupt, 1 malformed" in last
    assert not paths["old_tmp"].exists()
    for kept in ("fresh_tmp", "orphan", "corrupt", "stray"):
        assert paths[kept].exists(), kept  # a write in progress; data; evidence
    assert archive.manifest_path.read_bytes() == manifest  # append-only: torn lines are reported, not edited


def test_verify_json_lists_every_finding(tmp_path: Path) -> None:
    archive, paths = _damaged_archive(tmp_path / "archive")
    proc = _cli(tmp_path, "verify", "--json")
    assert proc.returncode == 1 and proc.stderr.strip().splitlines()[-1].startswith("mofcom-kb: ")
    report = json.loads(proc.stdout)
    assert report["damaged"] is True and report["counts"]["corrupt"] == 1 and report["counts"]["torn"] == 2
    assert {"kind": "missing", "error": True, "where": str(paths["missing"])}.items() <= next(
        f for f in report["findings"] if f["kind"] == "missing").items()
    assert report["records"] == len(list(archive.records())) and report["removed"] == []


def test_verify_passes_a_sound_archive(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    proc = _cli(tmp_path, "verify")
    assert proc.returncode == 0, proc.stderr
    report = verify(archive)
    assert report.findings == [] and report.records == len(list(archive.records())) > 0
    assert report.objects == len({r.sha256 for r in archive.records()})
    assert f"{report.records} records" in proc.stdout and "0 corrupt" in proc.stdout


def test_a_killed_builds_scratch_file_is_removed_even_when_nothing_changed(tmp_path: Path) -> None:
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(archive.root, db, extractor=hand_facts, version="h")
    scratch = db.with_name("mofcom.db.new")
    scratch.write_bytes(b"SQLite format 3\x00 half a database")
    assert build(archive.root, db, extractor=hand_facts, version="h").unchanged
    assert not scratch.exists()


def test_clean_keeps_the_scratch_file_of_a_running_build(tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    scratch = data.db.with_name("mofcom.db.new")
    scratch.write_bytes(b"in progress")
    stale_state = data.state / "crawl" / "journal.tmp"
    stale_state.parent.mkdir(parents=True)
    stale_state.write_text("{}", encoding="utf-8")
    os.utime(stale_state, (time.time() - OLD, time.time() - OLD))
    with build_lock(data.state, data.db):
        assert clean(data, 3600) == [stale_state]
    assert scratch.exists() and not stale_state.exists()
    assert clean(data, 3600) == [scratch] and not scratch.exists()


def test_every_archived_object_with_a_flipped_byte_is_detected_by_verify_and_refused_by_build(tmp_path: Path) -> None:
    """One object at a time, one byte flipped at a seeded random offset: verify names exactly that
    object, and `build --full` refuses it."""
    import random

    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(archive.root, db, extractor=hand_facts, version="h")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    rng = random.Random(14)
    objects = sorted({r.sha256 for r in archive.records()})
    read_by_build = {r.sha256 for r in archive.latest().values()}
    detected = refused = 0
    for sha in objects:
        path = archive.object_path(sha)
        original = path.read_bytes()
        at = rng.randrange(len(original))
        path.write_bytes(original[:at] + bytes([original[at] ^ (1 << rng.randrange(8))]) + original[at + 1:])
        try:
            report = verify(archive)
            assert [(f.kind, f.where) for f in report.errors] == [("corrupt", str(path))]
            detected += 1
            if sha in read_by_build:
                with pytest.raises(ArchiveDamagedError):
                    build(archive.root, db, extractor=hand_facts, version="h", full=True)
                refused += 1
                assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        finally:
            path.write_bytes(original)
    assert detected == len(objects) >= 5 and refused == len(read_by_build)
    assert verify(archive).findings == []


def test_every_object_of_a_crawled_archive_is_checked(tmp_path: Path) -> None:
    """The replay crawl's archive (pages, lists, PDF and XLSX attachments): each object corrupted in
    turn is the one verify reports, and reading it raises."""
    import random

    from replay.harness import run_crawl
    from replay.server import ReplayServer

    with ReplayServer() as server:
        assert run_crawl(tmp_path, server.url).failed == []
    archive = Archive(tmp_path / "archive")
    rng = random.Random(14)
    objects = sorted({r.sha256 for r in archive.records()})
    detected = 0
    for sha in objects:
        path = archive.object_path(sha)
        original = path.read_bytes()
        at = rng.randrange(len(original))
        path.write_bytes(original[:at] + bytes([original[at] ^ 0x20]) + original[at + 1:])
        try:
            assert [(f.kind, f.where) for f in verify(archive).errors] == [("corrupt", str(path))]
            with pytest.raises(CorruptObjectError):
                archive.get_bytes(sha)
            detected += 1
        finally:
            path.write_bytes(original)
    assert detected == len(objects) > 100
