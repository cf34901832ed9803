"""snapshot.parse: a corpus-format record → the full Document; bad records are typed errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ingest.archive import Record, sha256_bytes
from ingest.parse.errors import ParseError
from ingest.sources import snapshot

URL = "https://exportcontrol.mofcom.gov.cn/article/zcfg/gnzcfg/zcfggzqd/202511/9999.html"
SAMPLE = {  # written by the team in the corpus format
    "source_url": URL,
    "column": "规章及规范性文件",
    "title": "商务部 海关总署公告2025年第95号 公布对样例物项实施出口管制的决定【样例】",
    "posted": "2025-11-12",
    "text": "根据有关规定，决定：\n\n 一、对样例物项实施出口管制。\n\n 二、本公告自2025年12月1日起正式实施。\n\n 商务部 海关总署\n\n 2025年11月10日",
    "attachments": [
        {"name": None, "url": "https://x.test/download?fileUrl=abc&fileName=%E6%A0%B7%E4%BE%8B.pdf"}
    ],
}


def record(content: bytes) -> Record:
    return Record(url=URL, sha256=sha256_bytes(content), source="snapshot", kind="snapshot", fetched_at="")


def test_parse_builds_the_full_document() -> None:
    content = snapshot.encode(SAMPLE)
    doc = snapshot.parse(content, record(content))
    assert doc.doc_id == doc.doc_number == "商务部公告2025年第95号"
    assert doc.issuers == ("商务部", "海关总署")
    assert (doc.signed_date, doc.posted_date) == (dt.date(2025, 11, 10), dt.date(2025, 11, 12))
    assert [p.path for p in doc.parts] == ["一", "二"]
    assert doc.text.startswith("根据有关规定") and doc.original_text == SAMPLE["text"]
    assert doc.attachments[0].name == "样例.pdf"  # listed without a name: its fileName=
    assert doc.raw_sha256 == sha256_bytes(content)


@pytest.mark.parametrize(
    "content",
    [
        "不是JSON".encode("gbk"),
        b"{not json",
        json.dumps({**SAMPLE, "text": ""}, ensure_ascii=False).encode(),
    ],
)
def test_bad_records_are_typed_errors_naming_the_url(content: bytes) -> None:
    with pytest.raises(snapshot.SnapshotError) as caught:
        snapshot.parse(content, record(content))
    assert isinstance(caught.value, ParseError) and caught.value.source == URL
