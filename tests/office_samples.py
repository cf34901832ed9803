"""Office files written by the team for tests: real DOCX (python-docx), XLSX (openpyxl), XLS (xlwt)
and a minimal Word 97 .doc (a FIB and UTF-16 text in an OLE2 compound file, the container written
by xlwt) that Debian's catdoc reads like any Word document."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import docx
import openpyxl
import xlwt
from xlwt.CompoundDoc import XlsDoc

ROWS = [
    ("序号", "管制编码", "物项名称", "海关商品编号"),
    ("1", "1C117.d", "仲钨酸铵", "2841801000"),
    ("2", "6C002.a", "金属碲", "2804500001"),
]
PARAGRAPHS = [
    "附件1",
    "样例物项列表",
    "一、样例甲相关物项",
    "（一）1C998.a．样例金属（参考税则号列：28053019）。",
]


def write_docx(path: Path) -> Path:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("商务部")
    document.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "两用物项"
    for row in ROWS:
        sheet.append([int(v) if v.isdigit() and len(v) == 10 else v for v in row])  # HS numbers as numbers
    book.save(path)
    return path


def write_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("两用物项")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, float(value) if value.isdigit() and len(value) == 10 else value)
    book.save(str(path))
    return path


def write_doc(
    path: Path, text: str = "两用物项出口管制样例文件\r第二段：参考海关商品编号2841801000\r"
) -> Path:
    data = text.encode("utf-16-le")
    fib = bytearray(0x800)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0xC1)  # wIdent, nFib: Word 97
    struct.pack_into("<H", fib, 0x0A, 0x1000)  # fExtChar: the text is UTF-16
    struct.pack_into("<II", fib, 0x18, 0x800, 0x800 + len(data))  # fcMin, fcMac
    struct.pack_into("<I", fib, 0x4C, len(text))  # ccpText
    stream = bytes(fib) + data
    stream += b"\0" * (4096 - len(stream) % 4096)
    buf = io.BytesIO()
    XlsDoc().save(buf, stream)
    raw = bytearray(buf.getvalue())
    at = raw.index("Workbook\x00".encode("utf-16-le"))  # rename the one stream to WordDocument
    raw[at : at + 64] = "WordDocument\x00".encode("utf-16-le").ljust(64, b"\0")
    struct.pack_into("<H", raw, at + 64, len("WordDocument\x00") * 2)
    path.write_bytes(bytes(raw))
    return path
