"""The real crawler against the real replay server (HTTP on 127.0.0.1, via --mirror)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
from replay.harness import run_crawl
from replay.server import Logged, ReplayServer, ReplaySite
from replay.site import AQY, PORTAL, PORTAL_COLUMNS, PORTAL_PAGE_SIZE, WWW, Item, catalogue_items

from ingest.archive import Archive
from ingest.archive_documents import load_documents
from ingest.crawl import CrawlError, CrawlSummary


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrawlSummary, list[Logged]]:
    """One full crawl of the replay: its data dir, its summary and the server's request log."""
    data = tmp_path_factory.mktemp("crawled")
    with ReplayServer() as server:
        summary = run_crawl(data, server.url)
    return data, summary, server.log


def test_full_crawl_archives_every_item_once_and_a_second_crawl_changes_nothing(
    crawled: tuple[Path, CrawlSummary, list[Logged]], tmp_path: Path
) -> None:
    shutil.copytree(crawled[0], tmp_path, dirs_exist_ok=True)
    first = crawled[1]
    with ReplayServer() as server:
        archive = Archive(tmp_path / "archive")
        records = list(archive.records())
        urls = Counter(r.url for r in records)
        assert set(server.site.expected_urls()) <= set(urls)
        assert max(urls.values()) == 1, "an item archived twice"
        lists = [r for r in records if r.kind == "list"]
        assert {r.source for r in lists} == {"portal", "www", "aqygzj"}
        # ≥ 3 list pages per family, pagination followed
        assert all(sum(r.source == s for r in lists) >= 3 for s in ("portal", "www", "aqygzj"))
        assert first.failed == [] and first.new == len(records) and first.changed == 0

        attachments = [r for r in records if r.kind == "attachment"]
        assert len(attachments) == sum(len(i.attachments) for i in server.site.items) > 0
        pages = {r.url for r in records if r.kind == "page"}
        assert all(a.parent_url in pages for a in attachments)
        manifest = (tmp_path / "archive" / "manifest.jsonl").read_bytes()
        assert all(e.status == 200 for e in crawled[2])

        second = run_crawl(tmp_path, server.url)
        assert (second.new, second.changed, second.failed) == (0, 0, [])
        assert second.unchanged == len(records)
        assert (tmp_path / "archive" / "manifest.jsonl").read_bytes() == manifest
        again = server.log
        page_gets = [e for e in again if e.method == "GET" and "/art/" in e.path]
        assert page_gets and all(e.headers.get("If-None-Match") and e.status == 304 for e in page_gets)


def test_the_same_notice_under_two_hosts_is_one_document_with_both_urls(
    crawled: tuple[Path, CrawlSummary, list[Logged]]
) -> None:
    site = ReplaySite()
    twin = site.items[0]
    documents, failures = load_documents(Archive(crawled[0] / "archive"))
    assert failures == []
    doc = next(d for d in documents if d.doc_number == twin.number)
    assert {u.split("/")[2] for u in doc.source_urls} == {WWW, AQY}
    assert doc.signed_date == twin.posted - dt.timedelta(days=2)  # 【发文日期】, not the posting date
    assert doc.posted_date == twin.posted
    assert doc.attachments and doc.attachments[0].url.startswith(f"https://{WWW}/cms_files/")
    archived = Archive(crawled[0] / "archive").latest_for(doc.attachments[0].url)
    assert archived is not None and doc.attachments[0].sha256 == archived.sha256
    assert doc.attachments[0].media_type == "application/pdf"
    notices = [d for d in documents if d.doc_type != "annex"]
    assert len(notices) == len({i.number or i.url for i in site.items})  # twins and old-layout copies merged
    # Every archived attachment is parsed too, as an annex of the notice that links it.
    annexes = [d for d in documents if d.doc_type == "annex"]
    attachments = [r for r in Archive(crawled[0] / "archive").latest().values() if r.kind == "attachment"]
    assert len(annexes) == len({r.sha256 for r in attachments}) > 0  # the same bytes are one annex
    assert all(a.meta["attachment_of"] in {d.doc_id for d in notices} for a in annexes)


def test_a_changed_page_is_archived_as_a_new_version(tmp_path: Path) -> None:
    with ReplayServer() as server:
        run_crawl(tmp_path, server.url, sources=("aqygzj",))
        item = server.site.by_host(AQY)[4]
        item.body.append("三、本公告更正了第二条的笔误。")
        summary = run_crawl(tmp_path, server.url, sources=("aqygzj",))
    assert (summary.new, summary.changed) == (0, 1)
    versions = Archive(tmp_path / "archive").records_for(item.url)
    assert len(versions) == 2 and versions[0].sha256 != versions[1].sha256


def test_since_source_and_dry_run(tmp_path: Path) -> None:
    with ReplayServer() as server:
        dry = run_crawl(tmp_path, server.url, sources=("www",), dry_run=True)
        assert not (tmp_path / "archive").exists() and not (tmp_path / "state").exists()
        www_items = server.site.by_host(WWW)
        assert len(dry.would_fetch) >= len(server.site.listed(WWW))  # pages only bodies cite need a fetch
        assert not any(AQY in url or PORTAL in url for url in dry.would_fetch)

        since = dt.date(2026, 6, 1)
        before = len(server.log)
        summary = run_crawl(tmp_path, server.url, sources=("www",), since=since)
        pages = {r.url for r in Archive(tmp_path / "archive").records() if r.kind == "page"}
        assert pages == {i.url for i in www_items if i.posted >= since}
        assert summary.failed == []
        # paging stopped once a CMS list page held only older items
        later = [e.path for e in server.log[before:] if "page/build/unit" in e.path]
        assert any('"pageNo":2' in p for p in later) and not any('"pageNo":3' in p for p in later)


def test_an_empty_list_fails_the_run_loudly_and_stores_nothing(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.inject(AQY, "/api-gateway/jpaas-publish-server/front/page/build/unit", "empty_list")
        with pytest.raises(CrawlError, match=r"aqygzj/gzjgfxwj yielded 0 items, below its floor of 30") as caught:
            run_crawl(tmp_path, server.url, sources=("aqygzj",))
    assert caught.value.summary.failed[0][1] == "empty list where items are expected"
    assert list(Archive(tmp_path / "archive").records()) == []


def test_failures_are_retried_by_the_next_run(tmp_path: Path) -> None:
    with ReplayServer() as server:
        target = server.site.by_host(PORTAL, "管制清单")[5]  # its API row carries no text: no fallback
        server.inject(PORTAL, target.path, "500")
        first = run_crawl(tmp_path, server.url, sources=("portal",))
        assert [url for url, _ in first.failed] == [target.url]
        del server.faults[f"/{PORTAL}{target.path}"]
        second = run_crawl(tmp_path, server.url, sources=("portal",))
    assert second.failed == [] and second.new == 1
    assert Archive(tmp_path / "archive").latest_for(target.url) is not None


def test_robots_txt_is_honoured(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.site.robots[PORTAL] = "User-agent: *\nDisallow: /article/zcfg/\n"
        summary = run_crawl(tmp_path, server.url, sources=("portal",))
        blocked = [i.url for i in server.site.by_host(PORTAL) if "/article/zcfg/" in i.path]
        assert blocked and {url for url, _ in summary.failed} == set(blocked)
        assert all(reason == "disallowed by robots.txt" for _, reason in summary.failed)
        assert server.requested("/article/zcfg/") == []


def test_a_portal_page_served_as_a_js_frame_falls_back_to_its_api_row(tmp_path: Path) -> None:
    with ReplayServer() as server:
        item = server.site.by_host(PORTAL, "规章及规范性文件")[0]
        server.inject(PORTAL, item.path, "jsframe")
        first = run_crawl(tmp_path, server.url, sources=("portal",))
        assert first.failed == [(item.url, first.failed[0][1])] and "JavaScript-only frame" in first.failed[0][1]
        assert first.fallbacks == 1
        record = Archive(tmp_path / "archive").latest_for(item.url)
        assert record is not None and (record.kind, record.source) == ("snapshot", "snapshot")
        documents, failures = load_documents(Archive(tmp_path / "archive"))
        doc = next(d for d in documents if item.url in d.source_urls)
        assert failures == [] and doc.doc_number == item.number and "出口经营者" in doc.text

        del server.faults[f"/{PORTAL}{item.path}"]
        second = run_crawl(tmp_path, server.url, sources=("portal",))
    assert second.failed == [] and second.changed == 1  # the page itself, retried, now stands
    latest = Archive(tmp_path / "archive").latest_for(item.url)
    assert latest is not None and (latest.kind, latest.source) == ("page", "portal")


def test_cli_fetch_summary_and_exit_codes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import cli

    base = ["--data-dir", str(tmp_path), "fetch", "--rate", "0", "--timeout", "1", "--retries", "0", "--no-progress"]
    with ReplayServer() as server:
        ok = CliRunner().invoke(cli, [*base, "--mirror", server.url, "--source", "portal", "--since", "2026-01-01"])
        assert ok.exit_code == 0, ok.output
        recent = [i for i in server.site.by_host(PORTAL) if i.posted >= dt.date(2026, 1, 1)]
        # each column and the catalogue are paged until a page holds only older items (column 9: pages 1-3)
        since = dt.date(2026, 1, 1)
        lists = sum(pages_until_older(server.site.by_host(PORTAL, column), since)
                    for column, _path in PORTAL_COLUMNS.values())
        lists += pages_until_older(catalogue_items(server.site.items, "11"), since)
        expected = lists + sum(1 + len(i.attachments) for i in recent)
        assert ok.output.startswith(f"{expected} new, 0 changed, 0 unchanged, 0 failed"), ok.output
        server.inject(PORTAL, "/edi_ecms_web_front/front/column/getColumnList", "empty_list")
        bad = CliRunner().invoke(cli, [*base, "--mirror", server.url, "--source", "portal"])
    assert bad.exit_code == 1
    assert "fetch FAILED: list portal/column-9 yielded" in bad.output
    assert "failed: https://exportcontrol.mofcom.gov.cn/edi_ecms_web_front/front/column/getColumnList?" in bad.output


def pages_until_older(items: list[Item], since: dt.date) -> int:
    """How many pages of a portal column a crawl with --since asks for (at least the first)."""
    pages = [items[n: n + PORTAL_PAGE_SIZE] for n in range(0, len(items), PORTAL_PAGE_SIZE)] or [[]]
    return next((n + 1 for n, page in enumerate(pages) if page and all(i.posted < since for i in page)), len(pages))


def test_a_long_journal_is_compacted_to_its_pending_failures(tmp_path: Path) -> None:
    from ingest.crawl_state import CrawlJournal

    with ReplayServer() as server:
        target = server.site.by_host(PORTAL, "管制清单")[1]
        server.inject(PORTAL, target.path, "500")
        run_crawl(tmp_path, server.url, sources=("portal",))
        run_crawl(tmp_path, server.url, sources=("portal",))
        journal = CrawlJournal(tmp_path / "state")
        assert len(journal.events()) > 40
        journal.compact(max_events=10)
        assert [e["key"] for e in journal.events()] == [target.url]
        del server.faults[f"/{PORTAL}{target.path}"]
        again = run_crawl(tmp_path, server.url, sources=("portal",))
    assert again.failed == [] and again.new == 1
