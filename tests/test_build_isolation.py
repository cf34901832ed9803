"""One document's failure never stops a build: a record too big for the pipeline, an extraction that
runs past its time budget or raises, a zip bomb named .docx, a PDF whose stream inflates to a GiB —
each is a recorded failure naming its input, and every other document is built (limits in
ingest/limits.yml)."""

from __future__ import annotations

import io
import sqlite3
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from kb_facts_fixture import hand_facts, sample_archive

from ingest import limits as limits_module
from ingest.archive import Archive
from ingest.document import Document
from ingest.limits import LimitError
from ingest.sources import snapshot
from ingest.time_budget import DocumentTimeout, time_budget
from kb.build import build
from kb.errors import KbError
from kb.facts import Facts


@pytest.fixture
def tight_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Override some limits through $MOFCOM_KB_LIMITS, as a user would."""

    def apply(**values: object) -> None:
        path = tmp_path / "limits.yml"
        path.write_text("".join(f"{k}: {v}\n" for k, v in values.items()), encoding="utf-8")
        monkeypatch.setenv(limits_module.LIMITS_ENV, str(path))

    return apply


def _store_record(archive: Archive, url: str, text: str) -> None:
    """Archive a snapshot record directly (as an earlier import or fetch would have)."""
    data = {"source_url": url, "title": "商务部公告2025年第999号 超大记录", "text": text, "column": "x"}
    archive.store(snapshot.encode(data), url=url, source=snapshot.NAME, kind="snapshot",
                  content_type=snapshot.CONTENT_TYPE, status=200)


def _documents(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM documents WHERE known_only_by_reference = 0").fetchone()[0]
    finally:
        conn.close()


def test_a_record_too_big_for_the_pipeline_is_one_failure_and_every_build_goes_on(tmp_path: Path):
    """Today a 50 MB record makes every later build fail (spaCy's max_length); 21 M characters here."""
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    reference = build(tmp_path / "archive", tmp_path / "ref.db", state_dir=tmp_path / "ref-state",
                      extractor=hand_facts, version="h")
    url = "https://exportcontrol.mofcom.gov.cn/huge.html"
    _store_record(archive, url, "a" * 21_000_000)
    for _ in range(2):  # and again: the bad record stays in the archive
        summary = build(tmp_path / "archive", db, extractor=hand_facts, version="h", full=True)
        (failure,) = summary.failures
        assert failure.url == url and "LimitError" in failure.reason and "character limit" in failure.reason
        assert summary.documents == reference.documents == _documents(db)


class SlowOn:
    """An extractor that hangs on one document and raises on another."""

    def __init__(self, slow: str, broken: str) -> None:
        self.slow, self.broken = slow, broken

    def __call__(self, doc: Document) -> Facts:
        if doc.doc_id == self.slow:
            time.sleep(30)
        if doc.doc_id == self.broken:
            raise RecursionError("maximum recursion depth exceeded")
        return hand_facts(doc)


def test_an_extraction_past_its_budget_or_raising_is_a_recorded_failure(tmp_path: Path, tight_limits):
    tight_limits(document_seconds=1)
    sample_archive(tmp_path / "archive")
    first = build(tmp_path / "archive", tmp_path / "all.db", state_dir=tmp_path / "s0",
                  extractor=hand_facts, version="h")
    ids = sorted(_ids(tmp_path / "all.db"))
    slow, broken = ids[0], ids[1]
    started = time.monotonic()
    summary = build(tmp_path / "archive", tmp_path / "mofcom.db", extractor=SlowOn(slow, broken), version="h")
    assert time.monotonic() - started < 20
    reasons = sorted(f.reason for f in summary.failures)
    assert len(reasons) == 2
    assert any("DocumentTimeout" in r and "extraction took longer than the 1s budget" in r for r in reasons)
    assert any("RecursionError" in r for r in reasons)
    assert summary.documents == first.documents - 2
    assert slow not in _ids(tmp_path / "mofcom.db") and broken not in _ids(tmp_path / "mofcom.db")


def _ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM documents WHERE known_only_by_reference = 0")}
    finally:
        conn.close()


def test_time_budget_interrupts_python_work():
    started = time.monotonic()
    with (pytest.raises(DocumentTimeout, match=r"doc\.html: parsing took longer than the 0\.2s budget"),
          time_budget("doc.html", "parsing", 0.2)):
        while True:
            sum(range(1000))
    assert time.monotonic() - started < 2


def zip_bomb(member_bytes: int) -> bytes:
    """A .docx-shaped ZIP whose document.xml inflates to `member_bytes` (written in 1 MiB chunks)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * 2**20
            for _ in range(member_bytes // 2**20):
                fh.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_named_docx_is_refused_from_its_directory(tmp_path: Path):
    from ingest.office import read_office

    path = tmp_path / "annex.docx"
    path.write_bytes(zip_bomb(64 * 2**20))
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"annex\.docx: ZIP inflates \d+x .*ratio limit"):
        read_office(path)
    assert time.monotonic() - started < 1  # nothing inflated


def pdf_with_stream(inflated: int) -> bytes:
    """A one-page PDF whose page content is a Flate stream of `inflated` bytes (spaces)."""
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(b" " * 2**20) for _ in range(inflated // 2**20)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_stream_that_inflates_too_far_is_refused_before_reading(tight_limits):
    from ingest.catalogue.reader import parse_catalogue

    tight_limits(pdf_stream_bytes=4 * 2**20)
    with pytest.raises(LimitError, match=r"bomb\.pdf: a PDF stream at byte \d+ inflates beyond the 4\.0 MiB limit"):
        parse_catalogue(pdf_with_stream(16 * 2**20), "bomb.pdf")


def test_a_pdf_with_too_many_pages_is_refused(tight_limits):
    from ingest.catalogue.reader import parse_catalogue

    tight_limits(pdf_pages=0)
    with pytest.raises(LimitError, match=r"one\.pdf: PDF of 1 pages is over the 0-page limit"):
        parse_catalogue(pdf_with_stream(2**20), "one.pdf")


def test_a_bomb_attachment_is_a_failure_of_the_build_not_of_the_build(tmp_path: Path, tight_limits):
    tight_limits(pdf_stream_bytes=4 * 2**20)
    archive = sample_archive(tmp_path / "archive")
    archive.store(pdf_with_stream(16 * 2**20), url="https://www.mofcom.gov.cn/attach/bomb.pdf", source="www",
                  kind="attachment", content_type="application/pdf", status=200)
    archive.store(zip_bomb(64 * 2**20), url="https://www.mofcom.gov.cn/attach/bomb.docx", source="www",
                  kind="attachment", status=200)
    summary = build(tmp_path / "archive", tmp_path / "mofcom.db", extractor=hand_facts, version="h")
    reasons = {f.url.rsplit("/", 1)[-1]: f.reason for f in summary.failures}
    assert set(reasons) == {"bomb.pdf", "bomb.docx"}
    assert "inflates beyond" in reasons["bomb.pdf"] and "ratio limit" in reasons["bomb.docx"]
    assert summary.documents > 0


def test_limits_are_data_with_unknown_keys_refused(tight_limits):
    tight_limits(zip_bombs=1)
    with pytest.raises(ValueError, match="unknown limits zip_bombs"):
        limits_module.limits()


def test_a_pipeline_failing_on_every_document_says_so_and_keeps_the_old_database(tmp_path: Path):
    """A broken rule (e.g. a registered rule with a stale signature) fails every document: the build
    names the failure instead of "no documents written", and the served file is untouched."""
    sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(tmp_path / "archive", db, extractor=hand_facts, version="h")
    before = db.read_bytes()

    def broken(document: Any) -> Any:
        raise TypeError("technology_facts() takes 3 positional arguments but 4 were given")

    with pytest.raises(KbError, match=r"every document failed extraction \(\d+\); first: .*takes 3 positional"):
        build(tmp_path / "archive", db, extractor=broken, version="b", full=True)
    assert db.read_bytes() == before
