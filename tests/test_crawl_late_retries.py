"""Transient failures are asked again at the end of the same run, after a backoff, before they are left
to the next run (today a JavaScript-only frame, a 5xx or a timeout met once is simply reported and
left for the next run). Against the real replay server with injected faults."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from replay.harness import TODAY, fast_config, run_crawl
from replay.server import ReplayServer, ReplaySite
from replay.site import AQY, PORTAL, WWW

from ingest.archive import Archive
from ingest.crawl import CrawlOptions, crawl
from ingest.crawl_state import CrawlJournal
from ingest.http import Fetcher


def item(host: str, index: int = 3):  # type: ignore[no-untyped-def]
    return ReplaySite().by_host(host)[index]


@pytest.mark.parametrize(
    ("kind", "host", "source", "times"),
    [
        ("500", AQY, "aqygzj", 2),  # both attempts of the request itself (retries=1), then the site recovers
        ("timeout", WWW, "www", 2),
        ("jsframe", PORTAL, "portal", 1),
        ("challenge", AQY, "aqygzj", 1),
    ],
)
def test_a_transient_failure_is_retried_after_the_rest_and_recovers(tmp_path: Path, kind: str, host: str,
                                                                     source: str, times: int) -> None:
    target = item(host)
    with ReplayServer() as server:
        server.inject(host, target.path, kind, times)
        summary = run_crawl(tmp_path, server.url, sources=(source,))
        log = list(server.log)
    assert summary.failed == [], summary.failed
    assert (summary.retried, summary.recovered, summary.fallbacks) == (1, 1, 0)
    record = Archive(tmp_path / "archive").latest_for(target.url)
    assert record is not None and record.kind == "page" and record.source == source  # the page, not a fallback
    hits = [i for i, entry in enumerate(log) if entry.path.startswith(f"/{host}{target.path}")]
    assert len(hits) == times + 1
    others = [i for i, entry in enumerate(log) if entry.path.startswith(f"/{host}/") and i not in hits
              and "robots.txt" not in entry.path]
    assert hits[-1] > max(others), "the late retry comes after everything else the run fetched"
    assert "1 transient failures retried at the end of the run: 1 recovered" in summary.lines()
    assert CrawlJournal(tmp_path / "state").pending_failures() == []  # nothing left for the next run


def test_a_lasting_failure_is_retried_each_round_with_backoff_then_left_to_the_next_run(tmp_path: Path) -> None:
    target = item(AQY)
    with ReplayServer() as server:
        options = CrawlOptions(http=fast_config(server.url), today=TODAY, sources=("aqygzj",), late_retries=2,
                               late_backoff=0.3)
        server.inject(AQY, target.path, "500")
        started = time.monotonic()
        summary = crawl(Archive(tmp_path / "archive"), tmp_path / "state", options)
        elapsed = time.monotonic() - started
        requests = len(server.requested(target.path))
    assert summary.failed == [(target.url, "HTTP 500 after 2 attempts")]
    assert (summary.retried, summary.recovered) == (1, 0)
    assert requests == 2 * 3  # the request's own 2 attempts, in the queue and in each of 2 late rounds
    assert elapsed >= 0.3 + 0.6  # the rounds waited 0.3 s then 0.6 s after the failure
    (pending,) = CrawlJournal(tmp_path / "state").pending_failures()
    assert pending[0].key == target.url


@pytest.mark.parametrize(("kind", "host", "source"), [("notfound200", WWW, "www"), ("garbled", AQY, "aqygzj"),
                                                      ("foreign_redirect", AQY, "aqygzj")])
def test_a_failure_that_answers_the_request_itself_is_not_retried_in_the_run(tmp_path: Path, kind: str, host: str,
                                                                               source: str) -> None:
    target = item(host)
    with ReplayServer() as server:
        server.inject(host, target.path, kind)
        summary = run_crawl(tmp_path, server.url, sources=(source,))
        requests = len(server.requested(target.path))
    assert [url for url, _ in summary.failed] == [target.url]
    assert summary.retried == 0 and requests == 1


def test_a_run_killed_while_waiting_to_retry_leaves_the_failure_to_the_next_run(tmp_path: Path) -> None:
    target = item(AQY)

    def sleep(seconds: float) -> None:
        if seconds > 5:  # the late-retry wait (the request's own backoff is 0.01 s here)
            raise KeyboardInterrupt
        time.sleep(seconds)

    with ReplayServer() as server:
        server.inject(AQY, target.path, "500")
        options = CrawlOptions(http=fast_config(server.url), today=TODAY, sources=("aqygzj",), late_backoff=30)
        fetcher = Fetcher(options.http, sleep=sleep)
        with pytest.raises(KeyboardInterrupt):
            crawl(Archive(tmp_path / "archive"), tmp_path / "state", options, fetcher=fetcher)
        fetcher.close()
        assert [link.key for link, _parent in CrawlJournal(tmp_path / "state").pending_failures()] == [target.url]
        del server.faults[f"/{AQY}{target.path}"]
        again = run_crawl(tmp_path, server.url, sources=("aqygzj",))
    assert again.failed == [] and again.resumed_run is not None
    record = Archive(tmp_path / "archive").latest_for(target.url)
    assert record is not None and record.kind == "page"


def test_a_corrupt_archived_copy_is_fetched_afresh_and_repaired(tmp_path: Path) -> None:
    """A 304 would leave the damaged bytes in place: the crawler asks unconditionally instead."""
    target = item(WWW)
    with ReplayServer() as server:
        assert run_crawl(tmp_path, server.url, sources=("www",)).failed == []
        archive = Archive(tmp_path / "archive")
        record = archive.latest_for(target.url)
        assert record is not None
        path = archive.object_path(record.sha256)
        path.write_bytes(path.read_bytes().replace("商务部".encode(), "商务局".encode(), 1))
        before = len(server.log)
        summary = run_crawl(tmp_path, server.url, sources=("www",))
        asked = [e for e in server.log[before:] if e.path == f"/{WWW}{target.path}"]
    assert summary.failed == [] and summary.new == summary.changed == 0
    assert len(asked) == 1 and "If-None-Match" not in asked[0].headers and asked[0].status == 200
    assert archive.get_bytes(record.sha256)  # hashes to its name again


def test_a_crawl_removes_the_temporaries_killed_writes_left_and_keeps_fresh_ones(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "archive" / "objects" / "ab"
    folder.mkdir(parents=True)
    old, fresh = folder / ".tmp-killed", folder / ".tmp-writing"
    old.write_bytes(b"half an object")
    fresh.write_bytes(b"a write in progress")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    with ReplayServer() as server:
        run_crawl(tmp_path, server.url, sources=("aqygzj",))
    assert not old.exists() and fresh.exists()


def test_a_list_page_that_fails_once_is_retried_before_the_floors_are_checked(tmp_path: Path) -> None:
    """A busy list API for a moment must not fail the run on its floor: the list is asked again, its
    items are crawled in the late round, and the floors are checked after that."""
    with ReplayServer() as server:
        server.inject(PORTAL, "/edi_ecms_web_front/front/column/getColumnList", "500", times=2)
        summary = run_crawl(tmp_path, server.url, sources=("portal",))  # raises CrawlError on a floor
        expected = {i.url for i in server.site.listed(PORTAL)}
    assert summary.failed == [] and (summary.retried, summary.recovered) == (1, 1)
    archived = {r.url for r in Archive(tmp_path / "archive").records()}
    assert expected <= archived
