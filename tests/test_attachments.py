"""Attachments archived beside their notice become Documents: catalogue PDFs with their rows and
pages, other files as annexes; a bad attachment is a failure naming its URL, the rest still parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.archive import Archive
from ingest.archive_documents import load_documents
from ingest.snapshot_import import import_site
from kb.paths import SAMPLES_DIR

CATALOGUE_URL = "https://exportcontrol.mofcom.gov.cn.invalid/upload/uploadfile/attach/202510/13/20251013093000001.pdf"
ANNEX_URL = "https://www.mofcom.gov.cn.invalid/cms_files/filemanager/1/attach/202504/287dc6fce19a1ccb9d8c690134556d86.pdf"


@pytest.fixture()
def sample_archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "archive")
    import_site(SAMPLES_DIR / "site", archive)
    return archive


def test_catalogue_attachment_keeps_rows_and_pages(sample_archive: Archive) -> None:
    documents, failures = load_documents(sample_archive)
    assert failures == []
    catalogue = next(d for d in documents if CATALOGUE_URL in d.source_urls)
    assert catalogue.doc_type == "catalogue"
    assert catalogue.doc_id.startswith("attachment:") and catalogue.doc_number is None
    codes = [r.control_code for r in catalogue.rows]
    assert codes[:3] == ["1C909.a", "1C909.b", "1C909.c"]
    assert {r.page for r in catalogue.rows} == {1}
    assert "28053019" in catalogue.rows[0].hs_codes
    parent = next(d for d in documents if d.doc_number == "商务部公告2025年第57号")  # its notice, restated
    assert catalogue.meta["attachment_of"] == parent.doc_id
    assert catalogue.title.startswith(parent.title)
    assert catalogue.is_sample and parent.is_sample  # a sample's annex is a sample


def test_other_pdf_attachment_is_an_annex_with_page_offsets(sample_archive: Archive) -> None:
    documents, _ = load_documents(sample_archive)
    annex = next(d for d in documents if ANNEX_URL in d.source_urls)
    assert annex.doc_type == "annex"
    assert annex.meta["page_starts"][0] == 0
    assert "样例" in annex.text
    # An annex cites its parent's number but never becomes that publication.
    assert annex.doc_number is None
    assert any(d.doc_number == "商务部公告2025年第18号" for d in documents)


def test_corrupt_attachment_is_a_failure_naming_it_and_the_rest_parse(sample_archive: Archive) -> None:
    record = sample_archive.latest()[CATALOGUE_URL]
    bad_url = CATALOGUE_URL.replace("001.pdf", "002.pdf")
    sample_archive.store(b"%PDF-1.7\n garbage without objects", url=bad_url, source=record.source,
                         kind="attachment", parent_url=record.parent_url, name="broken.pdf")
    documents, failures = load_documents(sample_archive)
    assert [f.url for f in failures] == [bad_url]
    assert bad_url in failures[0].reason
    assert any(CATALOGUE_URL in d.source_urls for d in documents)


def test_a_catalogue_is_in_force_when_its_notice_is(tmp_path: Path) -> None:
    """The catalogue PDF takes its notice's periods: its rows are 'controlled on D' exactly when the notice is."""
    import sqlite3

    from kb.build import build

    archive = Archive(tmp_path / "archive")
    import_site(SAMPLES_DIR / "site", archive)
    build(archive.root, tmp_path / "mofcom.db", state_dir=tmp_path / "state")
    conn = sqlite3.connect(tmp_path / "mofcom.db")
    catalogue, parent = conn.execute(
        "select id, attachment_of from documents where doc_type = 'catalogue'").fetchone()
    assert parent is not None and catalogue.startswith("attachment:")

    def periods(doc: str) -> list[tuple[str, str, str | None]]:
        return conn.execute("select status, start_date, end_date from document_status_periods "
                            "where document_id = ? and part is null order by start_date", [doc]).fetchall()

    assert periods(catalogue) == periods(parent) == [
        ("published_not_effective", "2025-10-09", "2025-11-08"), ("in_force", "2025-11-08", None)]

    def in_force(date: str) -> set[tuple[str, int | None]]:
        return set(conn.execute(
            "select v.control_code, s.page from control_status_periods v join controls c on c.id = v.control_id "
            "join spans s on s.id = c.span_id where v.document_id = ? and v.status = 'in_force' "
            "and v.start_date <= ? and (v.end_date is null or ? < v.end_date)", [catalogue, date, date]).fetchall())

    assert in_force("2025-10-20") == set()
    assert {("1C909.a", 1), ("1C913.c", 1)} <= in_force("2025-12-01")
