"""A real threaded HTTP server on 127.0.0.1 that replays MOFCOM's sites under
`/<host>/<path>` (what the crawler's `--mirror` produces) and injects faults on demand.

Honours conditional requests (ETag / Last-Modified → 304) on GET pages; reproduces
the portal's `X-Requested-With` trap (Chinese as `?` with HTTP 200); logs every request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from replay import site

LAST_MODIFIED = "Mon, 23 Nov 2026 08:00:00 GMT"
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
FAULTS = ("timeout", "500", "429", "truncated", "garbled", "jsframe", "notfound200", "foreign_redirect",
          "oversized", "gbk_nocharset", "empty_list", "challenge", "drip")


@dataclass
class Fault:
    kind: str
    times: int | None = None  # None: every time; n: the first n matching requests
    hits: int = 0


@dataclass
class Logged:
    method: str
    path: str  # unquoted, with query
    headers: dict[str, str]
    form: dict[str, str]
    status: int = 0


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class ReplaySite:
    """The content: every item, its lists, robots.txt per host. Mutable, so a test can publish a change."""

    def __init__(self) -> None:
        self.items = site.build_items()
        self.robots: dict[str, str] = {h: "User-agent: *\nDisallow: /private/\n" for h in (site.WWW, site.AQY, site.PORTAL)}
        self.overrides: dict[str, str] = {}  # "/host/path" → replacement page body

    def by_host(self, host: str, column: str | None = None) -> list[site.Item]:
        return [i for i in self.items if i.host == host and (column is None or i.column == column)]

    def listed(self, host: str, column: str | None = None) -> list[site.Item]:
        """What the host's lists show: not the pages only other articles link to."""
        return [i for i in self.by_host(host, column) if i.listed]

    def expected_urls(self) -> set[str]:
        """Every URL a full crawl must archive: lists excluded (their keys depend on the request)."""
        urls = {i.url for i in self.items}
        for item in self.items:
            for _name, path in item.attachments:
                urls.add(f"https://{item.host}{path}")
        return urls

    def get(self, host: str, path: str, query: dict[str, str], form: dict[str, str]) -> Reply | None:
        key = f"/{host}{path}"
        if path == "/robots.txt":
            return Reply(200, self.robots.get(host, "").encode(), "text/plain")
        if host == site.WWW and (m := re.fullmatch(r"/zcfb/blgg/gg/(\d{4})/index.html", path)):
            return Reply(200, site.annual_index(self.listed(host), int(m.group(1))).encode())
        if path.endswith("/front/page/build/unit"):
            params = json.loads(query.get("paramJson", "{}"))
            body = site.cms_list_json(self.listed(host), int(params.get("pageNo", 1)), int(params.get("pageSize", 15)))
            return Reply(200, body.encode(), "application/json;charset=UTF-8")
        if path.endswith("/front/column/getColumnListZcfgGn"):
            listed = site.catalogue_items(self.listed(host), form.get("parentId", ""))
            return Reply(200, site.portal_list_json(listed, int(form.get("pageNumber", "1"))).encode(),
                         "application/json;charset=UTF-8")
        if path.endswith("/front/column/getColumnList"):
            column, _sub = site.PORTAL_COLUMNS.get(form.get("columnID", ""), (None, None))
            if column is None:
                return Reply(200, b'{"pageInfo":{"total":0,"maxPageNum":0,"rows":[]}}', "application/json")
            body = site.portal_list_json(self.listed(host, column), int(form.get("pageNumber", "1")))
            return Reply(200, body.encode(), "application/json;charset=UTF-8")
        for item in self.by_host(host):
            if item.path == path and item.old_layout and key not in self.overrides:
                return Reply(200, site.old_article(item), "text/html")  # charset only in the page's <meta>
            if item.path == path:
                page = self.overrides.get(key) or (site.portal_article(item) if host == site.PORTAL
                                                   else site.cms_article(item))
                return Reply(200, page.encode())
            for name, attach in item.attachments:
                if attach.split("?")[0] == path and (not query.get("fileUrl") or query.get("fileUrl") in attach):
                    ctype = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
                    return Reply(200, site.attachment_bytes(name), ctype)
        return None


class ReplayServer:
    def __init__(self, replay: ReplaySite | None = None, *, delay: float = 0.0, port: int = 0) -> None:
        self.site = replay or ReplaySite()
        self.faults: dict[str, Fault] = {}  # "/host/path" (no query) → fault
        self.log: list[Logged] = []
        self.delay = delay  # seconds per response: lets a test kill a crawl mid-run
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, host: str, path: str, kind: str, times: int | None = None) -> None:
        assert kind in FAULTS, kind
        self.faults[f"/{host}{path}"] = Fault(kind, times)

    def requested(self, fragment: str) -> list[Logged]:
        with self.lock:
            return [entry for entry in self.log if fragment in entry.path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

            def do_GET(self) -> None:
                self.answer({})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode("utf-8")))
                self.answer(form)

            def answer(self, form: dict[str, str]) -> None:
                parts = urlsplit(self.path)
                full = unquote(parts.path)
                host, _, rest = full.lstrip("/").partition("/")
                entry = Logged(self.command, unquote(self.path), dict(self.headers.items()), form)
                with server.lock:
                    server.log.append(entry)
                if server.delay:
                    time.sleep(server.delay)
                reply = server.site.get(host, "/" + rest, dict(parse_qsl(parts.query)), form)
                fault = server.faults.get(full)
                if fault and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1
                    reply = self.faulty(fault.kind, reply, entry)
                    if reply is None:
                        return
                elif reply is None:
                    reply = Reply(404, b"<html><body>404</body></html>")
                elif self.command == "POST" and self.headers.get("X-Requested-With") != "XMLHttpRequest":
                    reply = Reply(200, _CJK.sub("?", reply.body.decode("utf-8")).encode(), reply.content_type)
                elif self.command == "GET" and reply.status == 200 and not rest.startswith("api-gateway/jpaas-publish"):
                    etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
                    reply.headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
                    if self.headers.get("If-None-Match") == etag or (
                        not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == LAST_MODIFIED
                    ):
                        reply = Reply(304, b"", headers={"ETag": etag})
                self.send(reply, entry)

            def send(self, reply: Reply, entry: Logged, length: int | None = None) -> None:
                entry.status = reply.status
                self.send_response(reply.status)
                if reply.content_type and reply.status != 304:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body) if length is None else length))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

            def faulty(self, kind: str, reply: Reply | None, entry: Logged) -> Reply | None:
                body = reply.body if reply else b"<html></html>"
                if kind == "timeout":
                    time.sleep(1.5)
                    return None
                if kind in ("500", "429"):
                    headers = {"Retry-After": "1"} if kind == "429" else {}
                    return Reply(int(kind), b"<html><body>busy</body></html>", headers=headers)
                if kind == "truncated":
                    self.send(Reply(200, body[: len(body) // 2]), entry, length=len(body))
                    self.close_connection = True
                    return None
                if kind == "garbled":
                    return Reply(200, _CJK.sub("?", body.decode("utf-8")).encode())
                if kind == "jsframe":
                    return Reply(200, b"<html><head><script src='/js/app.js'></script><script>"
                                      b"document.write('<div id=app></div>');</script></head><body></body></html>")
                if kind == "drip":  # a byte at a time, each within the read timeout, never finishing
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        for _ in range(40):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.05)
                    return None
                if kind == "challenge":
                    return Reply(200, "<html><head><title>安全验证</title><script src='/_waf_/check.js'></script></head>"
                                      "<body><div>请完成滑动验证后继续访问本网站的内容页面。</div></body></html>".encode())
                if kind == "notfound200":
                    return Reply(200, "<html><head><title>页面不存在</title></head><body><div class='err'>"
                                      "抱歉，您访问的页面不存在！</div></body></html>".encode())
                if kind == "foreign_redirect":
                    return Reply(302, b"", headers={"Location": f"{server.url}/evil.example.com/collect.html"})
                if kind == "oversized":
                    return Reply(200, b"<html><body>" + b"x" * 300_000 + b"</body></html>")
                if kind == "gbk_nocharset":
                    text = body.decode("utf-8").replace('<meta charset="utf-8">', "")
                    return Reply(200, text.encode("gbk"), "text/html")
                if kind == "empty_list":
                    return Reply(200, json.dumps({"success": True, "data": {"html": '<div count="0"><ul></ul></div>'},
                                                  "pageInfo": {"total": 0, "maxPageNum": 0, "rows": []}}).encode(),
                                 "application/json")
                raise AssertionError(kind)

        return Handler
