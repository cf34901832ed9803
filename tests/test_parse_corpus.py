"""The real corpus (../shared/corpus/exportcontrol-notices.jsonl): every record parses; the team's
reading of each notice's own number, type, issuers and signing date (listed by hand below, from
reading the texts) is what the parser returns."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.document import Document
from ingest.parse.document_builder import build_document
from ingest.sources.snapshot import fields_of

D = dt.date
MOFCOM_GAC = ("商务部", "海关总署")

# url tail → (canonical number, doc_type, issuers, signed date). Read from the texts:
# the number as printed in 【发布文号】, the title or the masthead; the date in 【发文日期】 or under
# the signature.
NOTICES: dict[str, tuple[str | None, str, tuple[str, ...], dt.date | None]] = {
    "gzqd/202601/1205.html": ("商务部公告2026年第1号", "announcement", ("商务部",), D(2026, 1, 6)),
    # the 2026 licence catalogue notice (2025 No. 91) prints no number of its own
    "gzqd/202601/1203.html": (None, "announcement", MOFCOM_GAC, D(2025, 12, 31)),
    "gzqd/202511/1198.html": ("商务部公告2025年第70号", "announcement", MOFCOM_GAC, D(2025, 11, 7)),
    "gzqd/202511/1190.html": (
        "商务部公告2025年第73号",
        "announcement",
        ("商务部", "公安部", "应急管理部", "海关总署", "国家药监局"),
        D(2025, 11, 10),
    ),
    "gzqd/202502/1102.html": ("商务部公告2025年第10号", "announcement", MOFCOM_GAC, D(2025, 2, 4)),
    "gzqd/202411/1067.html": (
        "商务部公告2024年第51号",
        "announcement",
        ("商务部", "工业和信息化部", "海关总署", "国家密码局"),
        D(2024, 11, 15),
    ),
    "gzqd/202312/941.html": ("商务部公告2023年第66号", "announcement", MOFCOM_GAC, D(2023, 12, 29)),
    # masthead only: 中华人民共和国商务部 / 中华人民共和国海关总署 / 公 告 / 2022年 第42号
    "gzqd/202301/759.html": ("商务部公告2022年第42号", "announcement", MOFCOM_GAC, D(2022, 12, 30)),
    "gzqd/202111/225.html": ("商务部公告2021年第48号", "announcement", MOFCOM_GAC, D(2021, 12, 31)),
    "gzjgfxwj/202410/1057.html": ("国务院令第792号", "decree", ("国务院",), D(2024, 9, 30)),
    "flfg/202111/226.html": (None, "law", ("全国人民代表大会常务委员会",), D(2020, 10, 17)),
    "flfg/202111/227.html": (None, "law", ("全国人民代表大会常务委员会",), None),
    "flfg/202111/228.html": (None, "law", ("全国人民代表大会常务委员会",), None),
    "flfg/202111/229.html": (None, "law", ("全国人民代表大会常务委员会",), None),
    "flfg/202111/230.html": (None, "law", ("全国人民代表大会常务委员会",), None),
    "zcfggzqd/202607/1306.html": ("商务部公告2026年第28号", "announcement", ("商务部",), D(2026, 6, 29)),
    "zcfggzqd/202606/1299.html": ("商务部公告2026年第26号", "announcement", ("商务部",), D(2026, 6, 24)),
    "zcfggzqd/202606/1298.html": ("商务部公告2026年第23号", "announcement", ("商务部",), D(2026, 6, 22)),
    "zcfggzqd/202602/1209.html": ("商务部公告2026年第11号", "announcement", ("商务部",), D(2026, 2, 24)),
    "zcfggzqd/202602/1208.html": ("商务部公告2026年第12号", "announcement", ("商务部",), D(2026, 2, 24)),
    "zcfggzqd/202601/1206.html": ("商务部公告2026年第1号", "announcement", ("商务部",), D(2026, 1, 6)),
    # printed 中华人民共和国商务部令二〇二五年第6号, signed 部长 王文涛
    "zcfggzqd/202510/1181.html": ("商务部令2025年第6号", "order", ("商务部",), D(2025, 10, 14)),
    "zcfggzqd/202510/1177.html": ("商务部公告2025年第57号", "announcement", MOFCOM_GAC, D(2025, 10, 9)),
    # printed 商务部公告2025第61号 (no 年)
    "zcfggzqd/202510/1171.html": ("商务部公告2025年第61号", "announcement", ("商务部",), D(2025, 10, 9)),
}


@pytest.fixture(scope="module")
def parsed(corpus_notices: list[dict]) -> dict[str, Document]:
    return {r["source_url"]: build_document(fields_of(r)) for r in corpus_notices}


def _by_tail(parsed: dict[str, Document], tail: str) -> Document:
    [doc] = [d for url, d in parsed.items() if url.endswith(tail)]
    return doc


def test_all_fifty_records_parse(corpus_notices: list[dict], parsed: dict[str, Document]) -> None:
    assert len(corpus_notices) == 50
    assert len(parsed) == 50
    for doc in parsed.values():
        assert doc.text and doc.original_text
        for part in doc.parts:
            assert 0 <= part.start < part.end <= len(doc.text)
        for annex in doc.annexes:
            assert 0 <= annex.start < annex.end <= len(doc.text)


@pytest.mark.parametrize("tail", sorted(NOTICES))
def test_numbers_types_issuers_and_signed_dates(parsed: dict[str, Document], tail: str) -> None:
    number, doc_type, issuers, signed = NOTICES[tail]
    doc = _by_tail(parsed, tail)
    assert (doc.doc_number, doc.doc_type, doc.issuers, doc.signed_date) == (number, doc_type, issuers, signed)


def test_faqs_have_no_number_and_no_signed_date(parsed: dict[str, Document]) -> None:
    faqs = [d for url, d in parsed.items() if "/cjwt/" in url]
    assert len(faqs) == 26
    assert all(d.doc_type == "faq" and d.doc_number is None and d.signed_date is None for d in faqs)


def test_posted_date_is_kept_apart_from_the_signed_date(parsed: dict[str, Document]) -> None:
    doc = _by_tail(parsed, "zcfggzqd/202607/1306.html")  # signed 2026-06-29, posted 2026-07-03
    assert (doc.signed_date, doc.posted_date) == (D(2026, 6, 29), D(2026, 7, 3))


def test_printed_numbers_are_kept(parsed: dict[str, Document]) -> None:
    assert _by_tail(parsed, "202510/1171.html").doc_number_printed == "商务部公告2025第61号"
    assert _by_tail(parsed, "202510/1181.html").doc_number_printed == "中华人民共和国商务部令二〇二五年第6号"
    assert _by_tail(parsed, "202410/1057.html").doc_number_printed == "国务院令〔2024〕792号"


def test_offsets_map_back_to_the_original(parsed: dict[str, Document]) -> None:
    from ingest.parse.text import normalise

    for doc in parsed.values():
        norm = normalise(doc.original_text)
        assert norm.text == doc.text
        for part in doc.parts[:5]:
            printed = norm.original_of(part.start, part.end)
            assert (
                printed.replace(" ", "").replace("\n", "")[:5]
                == doc.text[part.start : part.end].replace(" ", "").replace("\n", "")[:5]
            )
