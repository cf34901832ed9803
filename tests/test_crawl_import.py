"""`mofcom-kb import DIR` also archives a mirror tree DIR/site/<host>/<path> (the offline samples)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.archive import Archive
from ingest.archive_documents import load_documents
from ingest.snapshot_import import SiteImportError, import_site
from kb.build import build
from kb.cli import cli
from kb.paths import SAMPLES_DIR

SITE = SAMPLES_DIR / "site"


def test_sample_site_is_archived_like_a_crawl_and_builds(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    first = import_site(SITE, archive)
    files = [p for p in SITE.rglob("*") if p.is_file()]
    assert first.new == len(files) >= 6 and first.failed == []
    assert import_site(SITE, archive).unchanged == len(files)
    records = {r.url: r for r in archive.records()}
    assert {r.source for r in records.values()} == {"www", "aqygzj", "portal"}
    pdfs = [r for r in records.values() if r.kind == "attachment"]
    assert pdfs and all(r.url.endswith(".pdf") and r.parent_url in records for r in pdfs)

    documents, failures = load_documents(archive)
    assert failures == []
    numbers = {d.doc_number for d in documents}
    assert {"商务部公告2025年第18号", "商务部公告2025年第55号", "商务部公告2023年第23号", "商务部公告2026年第30号"} <= numbers
    assert all("样例" in d.title and "SAMPLE" in d.title for d in documents)
    build(archive.root, tmp_path / "mofcom.db")
    with sqlite3.connect(tmp_path / "mofcom.db") as conn:
        archived = "select count(*) from documents where not known_only_by_reference"
        assert conn.execute(archived).fetchone()[0] == len(documents)


def test_cli_import_folder_takes_site_and_snapshots(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "import", str(SAMPLES_DIR)])
    assert result.exit_code == 0, result.output
    assert "site: " in result.output and "snapshot.jsonl: " in result.output
    kinds = {r.kind for r in Archive(tmp_path / "archive").records()}
    assert kinds == {"page", "attachment", "snapshot"}


def test_a_file_outside_any_source_host_is_a_named_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    stray = site / "example.com" / "x.html"
    stray.parent.mkdir()
    stray.write_text("<html></html>")
    with pytest.raises(SiteImportError, match="example.com"):
        import_site(site, Archive(tmp_path / "archive"))
    assert not (tmp_path / "archive").exists()  # nothing stored from a tree that fails
