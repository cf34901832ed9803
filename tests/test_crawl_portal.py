"""The portal's policy columns (laws 13, administrative regulations 14, departmental rules 15,
FAQs 17): declared as data, crawled from the replay, and typed right by the parse layer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from replay.harness import run_crawl
from replay.server import Logged, ReplayServer, ReplaySite
from replay.site import PORTAL, PORTAL_COLUMNS

from ingest.archive import Archive
from ingest.crawl import CrawlError, CrawlSummary
from ingest.document import Document
from ingest.documents import load_documents
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
