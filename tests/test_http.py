"""The HTTP client: pure helpers, then the real Fetcher against the replay server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from replay.harness import fast_config
from replay.server import ReplayServer
from replay.site import AQY, PORTAL, WWW

from ingest import garbage
from ingest.http import (
    USER_AGENT,
    BodyTooLarge,
    Fetcher,
    HostNotAllowed,
    HostRateLimiter,
    RetriesExhausted,
    decode_body,
    detect_charset,
    host_allowed,
    mirror_url,
    retry_after_seconds,
    unmirror_url,
)

TEXT = "商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定"


@pytest.mark.parametrize(
    ("content", "content_type", "charset"),
    [
        (TEXT.encode("gbk"), "text/html", "gb18030"),  # GBK without a charset: detected from the bytes
        (TEXT.encode("gb18030"), "text/html; charset=GB2312", "gb18030"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' + TEXT.encode("gbk"), None, "gb18030"),
        (TEXT.encode("utf-8"), None, "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "text/html", "utf-8"),
    ],
)
def test_charset_from_header_meta_or_bytes(content: bytes, content_type: str | None, charset: str) -> None:
    assert detect_charset(content, content_type) == charset
    assert TEXT in decode_body(content, content_type)


def test_a_wrong_declared_charset_does_not_garble() -> None:
    assert decode_body(TEXT.encode("utf-8"), "text/html; charset=iso-8859-99") == TEXT


def test_host_allow_list_and_mirror_urls() -> None:
    assert host_allowed("https://aqygzj.mofcom.gov.cn/x") and host_allowed("http://www.gov.cn/zhengce/")
    assert not host_allowed("https://mofcom.gov.cn.evil.example/x")
    assert not host_allowed("https://evilgov.cn/x") and not host_allowed("ftp://www.mofcom.gov.cn/x")
    url = "https://www.mofcom.gov.cn/api?paramJson=%7B%7D"
    mirrored = mirror_url(url, "http://127.0.0.1:9/")
    assert mirrored == "http://127.0.0.1:9/www.mofcom.gov.cn/api?paramJson=%7B%7D"
    assert unmirror_url(mirrored, "http://127.0.0.1:9") == url
    assert unmirror_url("http://elsewhere/x", "http://127.0.0.1:9") is None


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_garbage_detectors_on_real_shapes() -> None:
    assert garbage.question_garbled("<p>???????????2025?????</p>")
    assert garbage.question_garbled(f"<p>{TEXT}</p>") is None
    assert garbage.javascript_frame("<html><script>location.href='/x'</script></html>")
    assert garbage.not_found_page("<html><title>x</title><body>抱歉，您访问的页面不存在！</body></html>")
    assert garbage.challenge_page("<html><body>请开启JavaScript并刷新该页</body></html>")
    assert garbage.detect(f"<html><body><p>{TEXT * 3}</p><script>var a=1</script></body></html>") is None


def test_polite_defaults() -> None:
    with Fetcher() as fetcher:
        config = fetcher.config
    assert config.rate_per_host == 1.0 and config.respect_robots and config.retries >= 3
    assert "contact: {contact}" in USER_AGENT and config.timeout >= 10


def test_live_fetch_requires_a_contact_for_the_user_agent(tmp_path: Path) -> None:
    from ingest.crawl import run_fetch

    with pytest.raises(ValueError, match="--contact"):
        run_fetch(tmp_path / "archive", tmp_path / "state", sources=(), since=None, dry_run=True, mirror=None,
                  rate=1.0, timeout=1.0, retries=0, backoff=0.0, max_bytes=1024, progress=False, contact=None)
    assert not (tmp_path / "archive").exists()  # refused before any request or write


def test_rate_limit_per_host_and_user_agent() -> None:
    with ReplayServer() as server, Fetcher(fast_config(server.url, rate_per_host=20.0)) as fetcher:
        started = time.monotonic()
        for _ in range(5):
            fetcher.fetch(f"https://{WWW}/zcfb/blgg/gg/2025/index.html")
        assert time.monotonic() - started >= 4 / 20 * 0.95  # robots.txt + 5 pages, 1/20 s apart
        assert all("contact" in e.headers["User-Agent"] for e in server.log)
        assert [e.path for e in server.log][0] == f"/{WWW}/robots.txt"


def test_conditional_request_gets_304() -> None:
    with ReplayServer() as server, Fetcher(fast_config(server.url)) as fetcher:
        url = f"https://{AQY}{server.site.by_host(AQY)[0].path}"
        first = fetcher.fetch(url)
        again = fetcher.fetch(url, etag=first.headers["etag"])
        since = fetcher.fetch(url, last_modified=first.headers["last-modified"])
    assert first.status == 200 and again.not_modified and since.not_modified and again.content == b""


def test_retries_with_backoff_then_gives_up() -> None:
    with ReplayServer() as server:
        path = server.site.by_host(WWW)[1].path
        server.inject(WWW, path, "500", times=2)
        delays: list[float] = []
        fetcher = Fetcher(fast_config(server.url, retries=2, backoff_base=0.5), sleep=delays.append)
        assert fetcher.fetch(f"https://{WWW}{path}").status == 200
        assert len(delays) == 2 and 0.25 <= delays[0] <= 0.75 and 0.5 <= delays[1] <= 1.5  # doubling, jittered
        server.inject(WWW, path, "500")
        with pytest.raises(RetriesExhausted, match="HTTP 500 after 3 attempts"):
            fetcher.fetch(f"https://{WWW}{path}")
        fetcher.close()


def test_off_list_redirect_and_oversized_body_are_refused() -> None:
    with ReplayServer() as server, Fetcher(fast_config(server.url)) as fetcher:
        path = server.site.by_host(AQY)[3].path
        server.inject(AQY, path, "foreign_redirect")
        with pytest.raises(HostNotAllowed, match="evil.example.com"):
            fetcher.fetch(f"https://{AQY}{path}")
        with pytest.raises(HostNotAllowed):
            fetcher.fetch("https://example.com/")
        server.inject(AQY, path, "oversized")
        with pytest.raises(BodyTooLarge):
            fetcher.fetch(f"https://{AQY}{path}")
        assert server.requested("evil.example.com") == [] and server.requested("example.com/") == []


def test_portal_trap_without_x_requested_with_is_garbled() -> None:
    url = f"https://{PORTAL}/edi_ecms_web_front/front/column/getColumnList"
    form = {"pageNumber": "1", "columnID": "9", "title": ""}
    with ReplayServer() as server, Fetcher(fast_config(server.url)) as fetcher:
        plain = fetcher.fetch(url, method="POST", form=form)
        proper = fetcher.fetch(url, method="POST", form=form, headers={"X-Requested-With": "XMLHttpRequest"})
    assert plain.status == 200 and garbage.detect(plain.text)
    assert garbage.detect(proper.text) is None and "商务部公告" in proper.text


def test_rate_limiter_is_per_host_and_honours_crawl_delay() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostRateLimiter(1.0, lambda: now[0], sleep)
    limiter.wait("a")
    assert limiter.ready_in("a") == pytest.approx(1.0) and limiter.ready_in("b") == 0.0
    limiter.wait("b")  # another host does not wait
    assert slept == []
    now[0] += 0.25
    limiter.wait("a")
    assert slept == [pytest.approx(0.75)]
    limiter.extra["a"] = 5.0  # robots.txt Crawl-delay
    assert limiter.ready_in("a") == pytest.approx(5.0)


def test_a_body_dripping_forever_times_out() -> None:
    with ReplayServer() as server:
        path = server.site.by_host(WWW)[2].path
        server.inject(WWW, path, "drip")
        with Fetcher(fast_config(server.url, timeout=0.2, retries=0)) as fetcher, \
                pytest.raises(RetriesExhausted, match="timeout after 1 attempts"):
            fetcher.fetch(f"https://{WWW}{path}")
