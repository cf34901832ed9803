"""The build (kb/build.py): rows from Documents + Facts, reference-only documents, point-in-time
queries, determinism, incremental rebuilds and the atomic swap — on real SQLite files."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from kb_facts_fixture import KB_SAMPLES, N, hand_facts, sample_archive

from ingest.document import Document
from ingest.snapshot_import import import_snapshot
from kb import build as build_module
from kb import query_functions
from kb.build import build
from kb.errors import KbError
from kb.facts import Facts
from kb.schema import load_schema

QUERIES = load_schema().queries


class CountingExtractor:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, doc: Document) -> Facts:
        self.calls.append(doc.doc_id)
        return hand_facts(doc)


def make(tmp: Path, extractor: CountingExtractor | None = None, **kw: object) -> tuple[Path, build_module.BuildSummary]:
    db = tmp / "mofcom.db"
    summary = build(tmp / "archive", db, extractor=extractor or CountingExtractor(), version="hand-1", **kw)  # type: ignore[arg-type]
    return db, summary


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for the tests that only read it."""
    tmp = tmp_path_factory.mktemp("kb-build")
    sample_archive(tmp / "archive")
    return make(tmp)[0]


def rows(db: Path, sql: str, params: dict[str, str] | tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    query_functions.register(conn)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_fact_cites_a_span_of_its_document_text(db: Path) -> None:
    conn = sqlite3.connect(db)
    for table in ("controls", "hs_codes", "thresholds", "listed_entities", "document_relations", "part_effective_dates"):
        doc_col = "source_document_id" if table == "document_relations" else "document_id"
        found = conn.execute(
            f"SELECT s.text, substr(d.text, s.start + 1, s.end - s.start) FROM {table} f "
            f"JOIN spans s ON s.id = f.span_id JOIN documents d ON d.id = f.{doc_col}").fetchall()
        assert found, table
        assert all(a == b for a, b in found), table
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_cited_notices_not_in_the_archive_are_known_by_reference(db: Path) -> None:
    docs = dict(rows(db, "SELECT id, known_only_by_reference FROM documents"))
    assert docs[N(55)] == docs[N(56)] == docs[N(62)] == 1
    assert docs[N(57)] == docs[N(58)] == docs[N(61)] == 0
    assert rows(db, "SELECT doc_type, year, number, cited_by_count FROM documents WHERE id = ?", (N(55),)) == [
        ("announcement", 2025, 55, 1)]
    targets = rows(db, "SELECT target_document_id FROM document_relations WHERE relation = 'suspends' ORDER BY 1")
    assert [t for (t,) in targets] == sorted(N(n) for n in (55, 56, 57, 58, 61, 62))


def test_fetching_a_referenced_notice_later_fills_its_row_in(tmp_path: Path) -> None:
    sample_archive(tmp_path / "archive", with_kb_samples=False)
    db, _ = make(tmp_path)
    assert rows(db, "SELECT known_only_by_reference, title FROM documents WHERE id = ?", (N(58),)) == [(1, None)]
    import_snapshot(KB_SAMPLES, sample_archive(tmp_path / "archive", with_kb_samples=False))
    extractor = CountingExtractor()
    db, summary = make(tmp_path, extractor)
    assert sorted(extractor.calls) == sorted([N(18), N(58), "商务部公告2023年第23号"])  # only the new ones
    [(flag, title)] = rows(db, "SELECT known_only_by_reference, title FROM documents WHERE id = ?", (N(58),))
    assert flag == 0 and "锂电池" in title
    assert rows(db, "SELECT status FROM document_status_periods WHERE document_id = ? AND start_date = '2025-10-09'",
                (N(58),)) == [("published_not_effective",)]


def test_status_on_a_date_through_the_published_query(db: Path) -> None:
    def status(date: str, doc: str, part: str | None = None) -> tuple:
        found = [r for r in rows(db, QUERIES["status_on"]["sql"], {"date": date}) if r[0] == doc and r[3] == part]
        assert len(found) == 1, (date, doc, part, found)
        return found[0][4], found[0][8]  # status, caused_by_document_id

    assert status("2025-10-20", N(61), "一（三）") == ("in_force", N(61))
    assert status("2025-10-20", N(61), "一（一）") == ("published_not_effective", N(61))
    assert status("2026-01-15", N(61), "一（三）") == ("suspended", N(70))
    assert status("2026-12-01", N(61), "一（三）") == ("in_force", N(61))
    assert status("2025-10-20", N(57)) == ("published_not_effective", N(57))


def test_what_was_controlled_on_a_date(db: Path) -> None:
    def codes(date: str) -> set[str]:
        return {r[0] for r in rows(db, QUERIES["controlled_on"]["sql"], {"date": date})}

    assert codes("2025-04-03") == set()
    assert codes("2025-05-01") == {"1C902.a"}  # 2025 No. 18, in force on publication
    assert codes("2025-10-20") == {"1C902.a"}  # No. 57 published, not yet effective
    assert codes("2026-01-15") == {"1C902.a"}  # No. 57 suspended by No. 70
    assert codes("2026-12-01") == {"1C902.a", "1C909.a", "1C913.a"}


def test_same_archive_gives_a_byte_identical_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The code is an input too (build_info records its digest): hold it still while teammates edit files.
    monkeypatch.setattr(build_module.fingerprint, "tree_digest", lambda roots: "code")
    sample_archive(tmp_path / "archive")
    first, _ = make(tmp_path)
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    second, _ = make(tmp_path, full=True)
    assert hashlib.sha256(second.read_bytes()).hexdigest() == digest


def test_noop_rebuild_runs_no_extraction_and_full_runs_all(tmp_path: Path) -> None:
    sample_archive(tmp_path / "archive")
    first = CountingExtractor()
    _, summary = make(tmp_path, first)
    assert summary.extracted == len(first.calls) == summary.documents
    db = tmp_path / "mofcom.db"
    before = (db.stat().st_mtime_ns, db.read_bytes())
    again = CountingExtractor()
    _, summary = make(tmp_path, again)
    assert summary.unchanged and again.calls == []
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before  # kept, not rewritten
    elsewhere = CountingExtractor()  # a new database file from the same archive: every fact from the cache
    summary = build(tmp_path / "archive", tmp_path / "other.db", state_dir=tmp_path / "state",
                    extractor=elsewhere, version="hand-1")
    assert elsewhere.calls == [] and summary.cached == summary.documents and not summary.unchanged
    full = CountingExtractor()
    _, summary = make(tmp_path, full, full=True)
    assert len(full.calls) == summary.documents
    newer = CountingExtractor()
    build(tmp_path / "archive", tmp_path / "mofcom.db", extractor=newer, version="hand-2")
    assert len(newer.calls) == summary.documents  # a new pipeline version misses the cache


def test_a_build_that_fails_validation_leaves_the_old_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample_archive(tmp_path / "archive")
    db, _ = make(tmp_path)
    before = db.read_bytes()

    def broken(path: Path, expected: dict[str, int]) -> None:
        raise KbError(f"{path}: 0 rows in documents, 9 expected")

    monkeypatch.setattr(build_module, "validate", broken)
    with pytest.raises(KbError, match="expected"):
        make(tmp_path, full=True)
    assert db.read_bytes() == before
    assert not (tmp_path / "mofcom.db.new").exists()


def test_validation_catches_missing_rows_and_foreign_keys(tmp_path: Path) -> None:
    sample_archive(tmp_path / "archive")
    db, summary = make(tmp_path)
    with pytest.raises(KbError, match="rows in documents"):
        build_module.validate(db, {**summary.rows, "documents": summary.rows["documents"] + 1})
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO controls (id, document_id, control_code, control_code_root, span_id) "
                 "VALUES (999, 'nowhere', '0A001', '0A001', 'none')")
    conn.commit()
    conn.close()
    with pytest.raises(KbError, match="foreign key"):
        build_module.validate(db, {})


def test_empty_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KbError, match=str(tmp_path / "archive")):
        make(tmp_path)


def test_a_second_concurrent_build_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    sample_archive(tmp_path / "archive")
    with build_module.build_lock(tmp_path / "state", tmp_path / "mofcom.db"), \
            pytest.raises(KbError, match="another build is running"):
        make(tmp_path)
    db, summary = make(tmp_path)  # released: the next build runs
    assert summary.documents > 0 and db.exists()


def test_cli_build_then_unchanged_then_full(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import cli

    sample_archive(tmp_path / "archive")
    runner = CliRunner()
    first = runner.invoke(cli, ["--data-dir", str(tmp_path), "build"])
    assert first.exit_code == 0, first.output
    assert re.search(r"\d+ documents \(\+\d+ known by reference\), \d+ extracted", first.output)
    again = runner.invoke(cli, ["--data-dir", str(tmp_path), "build"])
    assert again.exit_code == 0 and "unchanged" in again.output
    full = runner.invoke(cli, ["--data-dir", str(tmp_path), "build", "--full"])
    assert full.exit_code == 0 and "0 from cache" in full.output and (tmp_path / "state" / "facts-cache.sqlite").exists()


def test_a_code_only_mentioned_is_not_controlled(built_kb: Path) -> None:
    """2025 No. 10 controls 1C117.d and mentions 1C226 only to exclude it (非1C226项下管制的碳化钨)."""
    conn = sqlite3.connect(built_kb)
    no10 = "商务部公告2025年第10号"
    roles = set(conn.execute(
        "select control_code, role from controls where document_id = ? and control_code in ('1C117.d', '1C226')",
        [no10]).fetchall())
    # 1C117.d is controlled in 一（一） and mentioned again in 一（四） (生产…1C117.d项的技术).
    assert roles == {("1C117.d", "control"), ("1C117.d", "mention"), ("1C226", "mention")}
    in_force = {r[0] for r in conn.execute(
        "select control_code from control_status_periods where document_id = ? and status = 'in_force'", [no10])}
    assert "1C117.d" in in_force and "1C226" not in in_force


def test_documents_fts_built_apart_holds_what_the_one_process_build_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two workers documents_fts is built in a process of its own and copied in: every table and every
    FTS index, token by token, must equal the one-process build's, and no side file may stay behind."""
    from bench.compare_builds import fingerprints
    from kb import extract_pool, table_search

    monkeypatch.setattr(build_module.fingerprint, "tree_digest", lambda roots: "code")
    monkeypatch.setattr(extract_pool, "MIN_PARALLEL", 1)  # the sample archive is small
    finished: list[str] = []
    finish = table_search.ApartBuild.finish

    def spy(self: table_search.ApartBuild, conn: sqlite3.Connection) -> None:
        finished.append(self.table)
        finish(self, conn)

    monkeypatch.setattr(table_search.ApartBuild, "finish", spy)
    sample_archive(tmp_path / "archive")
    for name, workers in (("one", "1"), ("two", "2")):
        monkeypatch.setenv("MOFCOM_KB_WORKERS", workers)
        # one archive for both: its manifest stamps fetch times, which the inputs fingerprint reads
        shutil.copytree(tmp_path / "archive", tmp_path / name / "archive")
        make(tmp_path / name)
    assert finished == ["documents"]  # only the two-worker build went apart
    assert fingerprints(tmp_path / "one" / "mofcom.db") == fingerprints(tmp_path / "two" / "mofcom.db")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["archive", "mofcom.db", "state"]


def test_a_failed_apart_build_fails_the_build_and_keeps_the_old_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb import extract_pool, table_search

    sample_archive(tmp_path / "archive")
    db, _ = make(tmp_path)
    before = db.read_bytes()
    monkeypatch.setattr(extract_pool, "MIN_PARALLEL", 1)
    monkeypatch.setenv("MOFCOM_KB_WORKERS", "2")

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(table_search, "_build_apart", broken)  # inherited by the forked child
    with pytest.raises(KbError, match="apart failed"):
        make(tmp_path, full=True)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "mofcom.db", "state"]


def test_a_no_op_rebuild_imports_no_build_machinery(tmp_path: Path) -> None:
    """A rebuild with nothing new answers from the fingerprints alone: it must not import the derivations,
    the catalogue readers (pdfplumber), sqlite-utils or spaCy (each costs tens of ms to seconds; with them
    a no-op took 0.26 s, with none 0.14)."""
    import subprocess
    import sys

    from kb.paths import REPO_ROOT

    sample_archive(tmp_path / "archive")
    make(tmp_path)
    probe = ("import sys\nfrom pathlib import Path\nfrom kb.build import build\n"
             f"s = build(Path({str(tmp_path / 'archive')!r}), Path({str(tmp_path / 'mofcom.db')!r}), "
             "extractor=lambda d: None, version='hand-1')\nassert s.unchanged, s\n"
             "heavy = ('spacy', 'pdfplumber', 'pdfminer', 'sqlite_utils', 'kb.derived', 'kb.build_delta', 'kb.editions')\n"
             "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
