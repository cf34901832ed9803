"""The portal's policy columns (laws 13, administrative regulations 14, departmental rules 15,
FAQs 17) and its policy catalogue (getColumnListZcfgGn, parentId=11): declared as data, crawled
from the replay, and typed right by the parse layer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from replay.harness import run_crawl
from replay.server import Logged, ReplayServer, ReplaySite
from replay.site import CATALOGUE_ONLY, PORTAL, PORTAL_COLUMNS, catalogue_items

from ingest.archive import Archive, Record
from ingest.archive_documents import load_documents
from ingest.crawl import CrawlError, CrawlSummary
from ingest.document import Document
from ingest.parse.errors import UnknownLayoutError
from ingest.sources import source_module

POLICY_COLUMNS = {"13": "law", "14": "regulation", "15": "regulation", "17": "faq"}


@pytest.fixture(scope="module")
def portal_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrawlSummary, list[Logged], list[Document]]:
    data = tmp_path_factory.mktemp("portal")
    with ReplayServer() as server:
        summary = run_crawl(data, server.url, sources=("portal",))
    documents, failures = load_documents(Archive(data / "archive"))
    assert failures == []
    return data, summary, server.log, documents


def test_policy_columns_are_declared_with_floors() -> None:
    spec = source_module("portal").SPEC
    for column_id in POLICY_COLUMNS:
        lst = spec.list_by_id(f"column-{column_id}")
        assert lst.params["columnID"] == column_id and lst.headers["X-Requested-With"] == "XMLHttpRequest"
        assert lst.min_items > 0 and lst.column == PORTAL_COLUMNS[column_id][0]


def test_every_policy_column_item_is_archived_once_through_its_pages(
    portal_crawl: tuple[Path, CrawlSummary, list[Logged], list[Document]],
) -> None:
    data, summary, log, _documents = portal_crawl
    assert summary.failed == [] and summary.floor_failures == []
    site_items = ReplaySite().by_host(PORTAL)
    records = list(Archive(data / "archive").records())
    urls = Counter(r.url for r in records)
    for column_id in POLICY_COLUMNS:
        column = PORTAL_COLUMNS[column_id][0]
        expected = {i.url for i in site_items if i.column == column}
        assert expected and all(urls[url] == 1 for url in expected), column
    asked = Counter(e.form.get("pageNumber") for e in log if e.form.get("columnID") == "17")
    assert asked == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}  # 22 FAQs, 5 a page: every page once


def test_laws_faqs_and_regulations_come_out_with_their_types(
    portal_crawl: tuple[Path, CrawlSummary, list[Logged], list[Document]],
) -> None:
    documents = portal_crawl[3]
    by_column: dict[str, list[Document]] = {}
    for doc in documents:
        by_column.setdefault(doc.column or "", []).append(doc)
    for column_id, kind in POLICY_COLUMNS.items():
        column = PORTAL_COLUMNS[column_id][0]
        kinds = Counter(d.doc_type for d in by_column[column])
        if column_id == "14":  # a regulation printed with its State Council decree number is that decree
            assert kinds == {"regulation": 2, "decree": 1}
            decree = next(d for d in by_column[column] if d.doc_type == "decree")
            assert decree.doc_number == "国务院令第792号" and decree.issuers == ("国务院",)
        else:
            assert set(kinds) == {kind}, (column, kinds)
    laws = by_column["法律"]
    assert len(laws) == 6 and all(d.issuers == ("全国人民代表大会常务委员会",) for d in laws)
    # a law whose title carries its adoption note (…主席令第七十三号公布) is typed by its column, not read
    # as an announcement, and takes no number from the presidential order
    noted = next(d for d in laws if "公布）" in d.title)
    assert noted.doc_type == "law" and noted.doc_number is None and noted.meta["adopted_date"] == "2017-09-01"
    faqs = by_column["常见问题"]
    assert len(faqs) == 22 and all(d.doc_number is None and d.issuers == () for d in faqs)
    assert any("常见问题" not in d.title for d in faqs)  # question titles: typed by the column alone


def test_a_policy_column_below_its_floor_fails_the_run(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.site.items = [i for i in server.site.items if i.column != "常见问题" or i.posted.year == 2026]
        kept = sum(i.column == "常见问题" for i in server.site.items)
        with pytest.raises(CrawlError, match=rf"list portal/column-17 yielded {kept} items, below its floor of 20"):
            run_crawl(tmp_path, server.url, sources=("portal",))


# -- the policy catalogue (getColumnListZcfgGn, parentId=11) ------------------------------------------

CATALOGUE = "/edi_ecms_web_front/front/column/getColumnListZcfgGn"


def test_catalogue_is_declared_and_its_answers_are_discovered() -> None:
    portal = source_module("portal")
    lst = portal.SPEC.list_by_id("catalogue-11")
    first = lst.page(1)
    assert (first.method, first.url) == ("POST", f"https://{PORTAL}{CATALOGUE}")
    assert dict(first.form) == {"parentId": "11", "pageNumber": "1"} and lst.min_items > 0
    # a team-written answer in the API's shape: two rows, page 1 of 3
    answer = ('{"pageInfo":{"total":12,"maxPageNum":3,"rows":['
              '{"id":1306,"title":"商务部公告2026年第28号 样例","url":"/article/zcfg/gnzcfg/zcfggzqd/202607/1306.html",'
              '"publishTimeStr":"2026-07-01 10:00:00","columnName":"规章及规范性文件","content":""},'
              '{"id":226,"title":"中华人民共和国出口管制法","url":"/article/zcfg/gnzcfg/flfg/202111/226.html",'
              '"publishTimeStr":"2021-11-20 10:00:00","columnName":"法律","content":""}]}}').encode()
    record = Record(url=first.key, sha256="0" * 64, source="portal", kind="list", fetched_at="")
    links = portal.discover(answer, record)
    pages = [link for link in links if link.kind == "page"]
    assert [p.url for p in pages] == [f"https://{PORTAL}/article/zcfg/gnzcfg/zcfggzqd/202607/1306.html",
                                      f"https://{PORTAL}/article/zcfg/gnzcfg/flfg/202111/226.html"]
    assert all(p.list_id == "catalogue-11" for p in pages) and pages[1].date == dt.date(2021, 11, 20)
    following = [link for link in links if link.kind == "list"]
    assert [dict(f.form) for f in following] == [{"parentId": "11", "pageNumber": "2"}]
    # the catalogue's key is not mistaken for a column's, nor an undeclared parent for the catalogue
    with pytest.raises(UnknownLayoutError):
        portal.discover(answer, replace(record, url=first.key.replace("parentId=11", "parentId=99")))


def test_catalogue_is_crawled_and_reaches_what_no_column_lists(
    portal_crawl: tuple[Path, CrawlSummary, list[Logged], list[Document]],
) -> None:
    data, _summary, log, documents = portal_crawl
    site = ReplaySite()
    listed = catalogue_items(site.items, "11")
    asks = [e for e in log if CATALOGUE in e.path]
    assert sorted(e.form["pageNumber"] for e in asks) == [str(n) for n in range(1, 5)]  # 4 pages of 5, each once
    assert all(e.method == "POST" and e.headers.get("X-Requested-With") == "XMLHttpRequest" and e.status == 200
               and e.form["parentId"] == "11" for e in asks)
    archive = Archive(data / "archive")
    assert sum(r.kind == "list" and CATALOGUE in r.url for r in archive.records()) == 4
    only_here = [i for i in listed if i.column == CATALOGUE_ONLY[0]]
    assert only_here and all(archive.latest_for(i.url) is not None for i in only_here)
    assert {i.number for i in only_here} <= {d.doc_number for d in documents}
    # listed by both the catalogue and its column: requested once
    page_gets = Counter(e.path for e in log if e.method == "GET" and "/article/" in e.path)
    assert all(page_gets[f"/{PORTAL}{i.path}"] == 1 for i in listed)


def test_an_empty_catalogue_fails_the_run_and_stores_nothing_from_it(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.inject(PORTAL, CATALOGUE, "empty_list")
        with pytest.raises(CrawlError, match=r"list portal/catalogue-11 yielded 0 items, below its floor of 10") as caught:
            run_crawl(tmp_path, server.url, sources=("portal",))
    assert [reason for url, reason in caught.value.summary.failed if CATALOGUE in url] == [
        "empty list where items are expected"]
    assert not any(CATALOGUE in r.url for r in Archive(tmp_path / "archive").records())
