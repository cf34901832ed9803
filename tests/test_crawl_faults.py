"""Each injected fault: the right outcome, and the archive and an already-built KB untouched.

A clean crawl of the replay is archived and a KB built from it once; each test copies
that data dir (mtimes preserved), injects one fault, re-crawls, and compares every
file's bytes and mtime before and after.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from replay.harness import fingerprint, run_crawl
from replay.server import ReplayServer, ReplaySite
from replay.site import AQY, PORTAL, WWW

from ingest.archive import Archive
from ingest.crawl import CrawlSummary
from ingest.sources import source_module
from kb.build import build


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("baseline")
    with ReplayServer() as server:
        summary = run_crawl(data, server.url)
    assert summary.failed == []
    build(data / "archive", data / "mofcom.db")
    return data


@pytest.fixture
def data(baseline: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(baseline, target, copy_function=shutil.copy2)
    return target


def crawl_with_fault(data: Path, host: str, path: str, kind: str, source: str,
                     times: int | None = None) -> tuple[CrawlSummary, ReplayServer]:
    before = stored(data)
    assert "mofcom.db" in before and any(k.startswith("archive/objects/") for k in before)
    with ReplayServer() as server:
        server.inject(host, path, kind, times)
        try:
            summary = run_crawl(data, server.url, sources=(source,))
        finally:
            assert stored(data) == before, "the archive or the built KB changed"
    return summary, server


def stored(data: Path) -> dict[str, tuple[str, int]]:
    """Archive and KB (everything but the crawl journal in state/): bytes and mtimes."""
    return {k: v for k, v in fingerprint(data).items() if not k.startswith("state/")}


def article(host: str, index: int) -> str:
    return ReplaySite().by_host(host)[index].path


@pytest.mark.parametrize(
    ("kind", "host", "source", "reason"),
    [
        ("timeout", WWW, "www", "timeout after 2 attempts"),
        ("500", AQY, "aqygzj", "HTTP 500 after 2 attempts"),
        ("truncated", WWW, "www", "truncated or malformed response"),
        ("garbled", AQY, "aqygzj", "garbled: "),
        ("jsframe", PORTAL, "portal", "JavaScript-only frame"),
        ("notfound200", WWW, "www", "'not found' page served with HTTP 200"),
        ("challenge", AQY, "aqygzj", "bot challenge page"),
        ("foreign_redirect", AQY, "aqygzj", "redirect to off-list host 'evil.example.com' refused"),
        ("oversized", PORTAL, "portal", "body of 300026 bytes exceeds the 200000-byte cap"),
    ],
)
def test_fault_is_reported_and_nothing_is_stored(data: Path, kind: str, host: str, source: str, reason: str) -> None:
    path = article(host, 4)
    summary, server = crawl_with_fault(data, host, path, kind, source)
    assert [url for url, _ in summary.failed] == [f"https://{host}{path}"]
    assert summary.failed[0][1].startswith(reason), summary.failed
    assert summary.new == summary.changed == 0
    if kind == "foreign_redirect":
        assert server.requested("evil.example.com") == [], "an off-list redirect was followed"
    if kind in ("timeout", "500"):
        # retried once by the request, then in each of the 2 end-of-run rounds, then reported
        assert len(server.requested(path)) == 2 * 3


def test_429_with_retry_after_is_waited_out_then_succeeds(data: Path) -> None:
    path = article(AQY, 2)
    started = time.monotonic()
    summary, server = crawl_with_fault(data, AQY, path, "429", "aqygzj", times=1)
    hits = server.requested(path)
    assert summary.failed == [] and [h.status for h in hits] == [429, 304]
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 honoured (backoff alone is 0.01 s)


def test_a_list_answering_garbage_fails_loudly_and_stores_nothing(data: Path) -> None:
    from ingest.crawl import CrawlError

    with pytest.raises(CrawlError, match="portal/column-10 yielded 0 items"):
        crawl_with_fault(data, PORTAL, "/edi_ecms_web_front/front/column/getColumnList", "garbled", "portal")


def test_gbk_page_without_charset_is_decoded_right(data: Path) -> None:
    """Not a fault to refuse: the new bytes are archived as a new version that reads right;
    everything archived before stays byte for byte, and the built KB is untouched."""
    path = article(WWW, 6)
    url = f"https://{WWW}{path}"
    archive = Archive(data / "archive")
    old = archive.latest_for(url)
    assert old is not None
    manifest_before = (data / "archive" / "manifest.jsonl").read_bytes()
    db_before = stored(data)["mofcom.db"]
    with ReplayServer() as server:
        server.inject(WWW, path, "gbk_nocharset")
        summary = run_crawl(data, server.url, sources=("www",))
    assert summary.failed == [] and summary.changed == 1
    assert (data / "archive" / "manifest.jsonl").read_bytes().startswith(manifest_before)
    assert stored(data)["mofcom.db"] == db_before
    new = Archive(data / "archive").latest_for(url)
    assert new is not None and new.sha256 != old.sha256 and new.content_type == "text/html"
    module = source_module("www")
    before = module.parse(archive.get_bytes(old.sha256), old)
    after = module.parse(archive.get_bytes(new.sha256), new)
    assert after.title == before.title and "商务部公告" in after.title
    assert after.text == before.text and after.doc_number == before.doc_number
