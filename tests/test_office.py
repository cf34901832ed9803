"""Office attachments: DOCX, DOC (catdoc), XLS, XLSX, and typed errors naming the file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from office_samples import ROWS, write_doc, write_docx, write_xls, write_xlsx

from ingest.office import read_office
from ingest.parse.errors import (
    CorruptFileError,
    EmptyInputError,
    ParseError,
    ReaderMissingError,
    UnsupportedFormatError,
)


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    out = read_office(write_docx(tmp_path / "附件.docx"))
    assert out.format == "docx"
    lines = out.text.split("\n")
    assert lines[:4] == [
        "附件1",
        "样例物项列表",
        "一、样例甲相关物项",
        "（一）1C998.a．样例金属（参考税则号列：28053019）。",
    ]
    assert lines[4] == "序号\t管制编码\t物项名称\t海关商品编号"
    assert lines[-1] == "商务部"
    assert out.tables == (tuple(ROWS),)


@pytest.mark.parametrize("writer", [write_xlsx, write_xls], ids=["xlsx", "xls"])
def test_spreadsheets_keep_hs_numbers_as_digits(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    path = writer(tmp_path / ("目录" + (".xlsx" if writer is write_xlsx else ".xls")))
    out = read_office(path)
    assert out.format == path.suffix.lstrip(".")
    assert out.sheet_names == ("两用物项",)
    assert out.tables[0] == tuple(ROWS)  # 2841801000.0 → "2841801000"
    assert "1\t1C117.d\t仲钨酸铵\t2841801000" in out.text


@pytest.mark.skipif(shutil.which("catdoc") is None, reason="Debian catdoc not installed (make system-deps)")
def test_doc_through_catdoc(tmp_path: Path) -> None:
    out = read_office(write_doc(tmp_path / "通知.doc"))
    assert out.format == "doc"
    assert out.text == "两用物项出口管制样例文件\n第二段：参考海关商品编号2841801000"


def test_doc_without_catdoc_names_the_missing_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    path = write_doc(tmp_path / "通知.doc")
    with pytest.raises(ReaderMissingError, match="catdoc") as caught:
        read_office(path)
    assert caught.value.source == str(path)


def test_missing_library_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_docx(tmp_path / "a.docx")
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    with pytest.raises(ReaderMissingError, match="python-docx"):
        read_office(path)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("empty.docx", b"", EmptyInputError),
        ("notice.doc", b"%PDF-1.4\n1 0 obj\n", UnsupportedFormatError),  # a PDF named .doc
        ("page.xls", b"<!DOCTYPE html><html><body>404</body></html>", UnsupportedFormatError),
        ("plain.docx", "纯文本，不是Office文件".encode(), UnsupportedFormatError),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, CorruptFileError),
    ],
)
def test_bad_files_raise_typed_errors_naming_the_file(
    tmp_path: Path, name: str, content: bytes, error: type
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        read_office(path)
    assert isinstance(caught.value, ParseError)
    assert caught.value.source == str(path) and name in str(caught.value)


def test_truncated_docx_and_xlsx_are_corrupt(tmp_path: Path) -> None:
    for writer, name in ((write_docx, "t.docx"), (write_xlsx, "t.xlsx")):
        whole = writer(tmp_path / f"whole-{name}").read_bytes()
        path = tmp_path / name
        path.write_bytes(whole[: len(whole) // 2])
        with pytest.raises(CorruptFileError) as caught:
            read_office(path)
        assert caught.value.source == str(path)
