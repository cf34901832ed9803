"""A batch of files with bad ones among them: the good ones parse, each bad one is a typed
failure naming its file."""

from __future__ import annotations

import shutil
from pathlib import Path

from office_samples import write_docx, write_xls

from ingest.document import Document
from ingest.office import OfficeText
from ingest.parse.batch import parse_files

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def test_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    good_page = shutil.copy(PAGES / "cms_announcement.html", tmp_path / "01-good.html")
    good_gbk = shutil.copy(PAGES / "old_notice_gbk.html", tmp_path / "02-good-gbk.html")
    good_docx = write_docx(tmp_path / "03-good.docx")
    good_xls = write_xls(tmp_path / "04-good.xls")
    bad = {
        "05-wrong-encoding.html": ((PAGES / "wrong_encoding.html").read_bytes(), "EncodingError"),
        "06-404.html": ((PAGES / "not_found.html").read_bytes(), "NotFoundPageError"),
        "07-empty.html": (b"", "EmptyInputError"),
        "08-corrupt.docx": (b"PK\x03\x04" + b"\x01" * 64, "CorruptFileError"),
        "09-truncated.pdf": (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "TruncatedPdfError"),
        "10-broken.html": (b'<html><head><meta name="ArticleTitle" content="x"></head>', "BrokenHtmlError"),
    }
    for name, (content, _) in bad.items():
        (tmp_path / name).write_bytes(content)
    result = parse_files(sorted(tmp_path.iterdir()))
    assert set(result.parsed) == {str(good_page), str(good_gbk), str(good_docx), str(good_xls)}
    assert isinstance(result.parsed[str(good_page)], Document)
    assert isinstance(result.parsed[str(good_docx)], OfficeText)
    failures = {Path(f.source).name: f for f in result.failures}
    assert {name: f.error for name, f in failures.items()} == {
        name: error for name, (_, error) in bad.items()
    }
    assert all(f.typed for f in result.failures)
    assert all(str(tmp_path) in f.source for f in result.failures)
