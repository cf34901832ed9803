"""Old-layout pages (pre-2023, `…/<YYYYMM>/<YYYYMMDD><6 digits>.shtml`, GB2312, div.art-title and
div.art-con-bottonmLine): reached from CMS lists and from other articles' bodies, archived once
under one https URL, and merged on their number with the new-layout copy of the same notice."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from replay.harness import run_crawl
from replay.server import Logged, ReplayServer, ReplaySite
from replay.site import AQY, OLD_CITED, OLD_LISTED, WWW, old_article

from ingest.archive import Archive, Record
from ingest.archive_documents import load_documents
from ingest.crawl import CrawlSummary
from ingest.document import Document
from ingest.sources import source_module
from ingest.sources.article_pages import cited_page, is_list_item

CITED = f"https://{WWW}{OLD_CITED}"
LISTED = f"https://{WWW}{OLD_LISTED}"


def test_which_links_are_old_layout_pages() -> None:
    link = cited_page(f"http://{WWW}{OLD_CITED}")
    assert link is not None and (link.url, link.kind, link.date) == (CITED, "page", dt.date(2022, 12, 30))
    assert is_list_item(LISTED) and is_list_item(f"https://{WWW}/zcfb/blgg/art/2026/art_{'0' * 32}.html")
    assert not is_list_item(f"https://{WWW}/article/zwgk/zcfb/")
    for other in (f"https://{WWW}/zcfb/blgg/art/2026/art_{'0' * 32}.html",  # new layout: lists reach it
                  f"https://{WWW}/article/b/c/202212/2022123010.shtml",  # not <YYYYMMDD><6 digits>
                  "https://example.com/article/b/c/202212/20221230103210.shtml"):  # not an allowed host
        assert cited_page(other) is None, other


def test_a_cms_list_yields_old_layout_items() -> None:
    from ingest.sources.cms_layout import parse_unit_list

    html = (f'<div count="2"><ul><li><a href="http://{WWW}{OLD_LISTED}" title="旧版样例">旧版样例</a>'
            '<span>[2021-06-18]</span></li><li><a href="/zwgk/zcfb/">更多</a></li></ul></div>')
    answer = json.dumps({"success": True, "data": {"html": html}}).encode()
    items, total = parse_unit_list(answer, f"https://{WWW}/api-gateway/x")
    assert [(i.url, i.date) for i in items] == [(LISTED, dt.date(2021, 6, 18))] and total == 2


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrawlSummary, list[Logged]]:
    data = tmp_path_factory.mktemp("old")
    with ReplayServer() as server:
        summary = run_crawl(data, server.url, sources=("www", "aqygzj"))
    assert summary.failed == []
    return data, summary, server.log


def test_old_pages_from_a_list_and_from_a_body_are_archived_once(
    crawled: tuple[Path, CrawlSummary, list[Logged]],
) -> None:
    data, _summary, log = crawled
    records = list(Archive(data / "archive").records())
    by_url: dict[str, list[Record]] = {}
    for record in records:
        by_url.setdefault(record.url, []).append(record)
    for url in (CITED, LISTED):
        assert [(r.kind, r.source, r.content_type) for r in by_url[url]] == [("page", "www", "text/html")], url
    # cited as http:// from an aqygzj body, archived under its https URL, by the source owning its host
    assert not any(r.url.startswith("http://") for r in records)
    site = ReplaySite()
    citing = next(i for i in site.by_host(AQY) if i.cites)
    assert f"http://{WWW}{OLD_CITED}" in {href for _text, href in citing.cites}
    assert not any(OLD_CITED in i.url for i in site.listed(WWW))  # no list shows it: only the body leads there
    gets = Counter(e.path for e in log if e.method == "GET")
    assert gets[f"/{WWW}{OLD_CITED}"] == gets[f"/{WWW}{OLD_LISTED}"] == 1


def test_an_old_page_and_its_new_layout_copy_are_one_document_with_both_urls(
    crawled: tuple[Path, CrawlSummary, list[Logged]],
) -> None:
    documents, failures = load_documents(Archive(crawled[0] / "archive"))
    assert failures == []
    by_number: dict[str, list[Document]] = {}
    for doc in documents:
        by_number.setdefault(doc.doc_number or "", []).append(doc)
    [merged] = by_number["商务部公告2022年第31号"]
    assert CITED in merged.source_urls and any("/art/2022/art_" in u for u in merged.source_urls)
    assert merged.signed_date == dt.date(2022, 12, 30) and merged.posted_date == dt.date(2022, 12, 30)
    [alone] = by_number["商务部公告2021年第25号"]
    assert alone.source_urls == (LISTED,) and alone.meta["layout"] == "old"
    assert alone.posted_date == alone.signed_date == dt.date(2021, 6, 18)  # art-time; 二〇二一年六月十八日
    assert "出口经营者" in alone.text and "?" not in alone.text  # GB2312 bytes read right


def test_a_second_crawl_asks_old_pages_conditionally(
    crawled: tuple[Path, CrawlSummary, list[Logged]], tmp_path: Path,
) -> None:
    shutil.copytree(crawled[0], tmp_path, dirs_exist_ok=True)
    with ReplayServer() as server:
        again = run_crawl(tmp_path, server.url, sources=("www", "aqygzj"))
        hits = server.requested(".shtml")
    assert (again.new, again.changed, again.failed) == (0, 0, [])
    assert sorted(h.path for h in hits) == sorted(f"/{WWW}{p}" for p in (OLD_CITED, OLD_LISTED))
    assert all(h.status == 304 and h.headers.get("If-None-Match") for h in hits)


def test_since_skips_a_cited_old_page_by_the_date_in_its_name(tmp_path: Path) -> None:
    with ReplayServer() as server:
        summary = run_crawl(tmp_path, server.url, sources=("aqygzj",), since=dt.date(2023, 1, 1))
        assert summary.failed == [] and server.requested(".shtml") == []
        citing = next(i for i in server.site.by_host(AQY) if i.cites)
        assert citing.posted >= dt.date(2023, 1, 1) and server.requested(citing.path)


def test_an_old_page_parses_from_its_gb2312_bytes() -> None:
    item = next(i for i in ReplaySite().items if i.path == OLD_CITED)
    record = Record(url=CITED, sha256="0" * 64, source="www", kind="page", fetched_at="", content_type="text/html")
    doc = source_module("www").parse(old_article(item), record)
    assert doc.doc_number == "商务部公告2022年第31号" and doc.meta["layout"] == "old" and doc.source == "www"
