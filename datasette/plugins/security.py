"""Site-wide protections, as one ASGI wrapper and one Jinja filter (limits and policy are data in
datasette/publishing.yml, read by kb.web_safety):

- a Content-Security-Policy (and nosniff, no framing, no referrer) on every response;
- a concurrency cap: arbitrary `?sql=` requests and the search page each take a slot from a small pool;
  a request that cannot get one within `queue_seconds` gets a 503, so one client repeating slow queries
  cannot hold every SQL thread and starve the other readers;
- a Host header that is no host name or address refused (400): it is the base of the feeds' links;
- redirects only to a path on this site (Datasette's trailing-slash redirect echoes `/\\evil.example/`);
- Datasette's own .csv exports with every formula cell neutralised (kb/table_csv.py: CSV injection);
- the `safe_link` filter and a `render_cell` hook: a URL only becomes an href when it is http(s) on an
  allow-listed host (Datasette would otherwise link any http(s) cell value).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl
from markupsafe import Markup

from kb.table_csv import CsvStream
from kb.web_safety import safe_link, settings

# Datasette's own pages with inline scripts (table column menus, the SQL editor).
CUSTOM_PREFIXES = ("/-/search", "/-/document/", "/-/timeline", "/-/code/", "/-/feeds/", "/-/glossary", "/-/checks",
                   "/-/changes", "/-/home.json", "/-/entities.ftm.json")


def csp_for(path: str) -> str:
    config = settings()
    if path == "/" or path.startswith(CUSTOM_PREFIXES) or path.startswith("/static/"):
        return " ".join(str(config["csp"]).split())
    return " ".join(str(config["csp_datasette_pages"]).split())


def pool(path: str, query_string: bytes) -> str | None:
    """Which slot pool a request needs (None: cheap, uncapped)."""
    if b"sql=" in query_string and "sql" in parse_qs(query_string.decode("latin-1")):
        return "sql"
    if path.startswith("/-/search"):
        return "search"
    return None


# A redirect stays on the site: a path, never `//host` nor `/\\host` (browsers read a backslash as a slash
# and drop tabs and newlines from URLs). Datasette's trailing-slash redirect echoes the request path.
SAME_SITE = re.compile(r"/(?![/\\])")


# The Host header becomes the base of the absolute links in the feeds and CSV exports: only a host name, an
# IPv4 or a bracketed IPv6 address, with an optional port, is taken (never quotes, spaces, `=` or markup).
HOST = re.compile(rb"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}"
                  rb"[A-Za-z0-9_])?)*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")


def same_site_location(value: bytes) -> bytes:
    """The Location of a redirect when it is a path on this site, else the home page."""
    seen = re.sub(r"[\t\n\r]", "", value.decode("latin-1"))
    return value if SAME_SITE.match(seen) else b"/"


def datasette_csv(path: str, status: int, headers: list[tuple[bytes, bytes]]) -> bool:
    """A .csv export of Datasette's own (a table, a canned query, ?sql=): its cells are the database's
    scraped text, so formulas are neutralised on the way out (ours, under /-/, are written safe)."""
    if status != 200 or not path.endswith(".csv") or path.startswith("/-/"):
        return False
    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"").lower()
    return kind.startswith((b"text/csv", b"text/plain"))


class Guard:
    def __init__(self, app: Any) -> None:
        self.app = app
        config = settings()["concurrency"]
        self.queue_seconds = float(config["queue_seconds"])
        self.slots = {"sql": int(config["arbitrary_sql_slots"]), "search": int(config["slots"])}
        self.semaphores: dict[str, asyncio.Semaphore] = {}

    def semaphore(self, name: str) -> asyncio.Semaphore:
        # Created lazily, inside the server's event loop.
        if name not in self.semaphores:
            self.semaphores[name] = asyncio.Semaphore(self.slots[name])
        return self.semaphores[name]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = csp_for(path).encode()
        csv_stream: list[CsvStream] = []  # set when the response is one of Datasette's .csv exports

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"content-security-policy", b"x-content-type-options")]
                if 300 <= message.get("status", 200) < 400:
                    headers = [(k, same_site_location(v) if k.lower() == b"location" else v) for k, v in headers]
                if datasette_csv(path, message.get("status", 200), headers):
                    csv_stream.append(CsvStream())
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers += [(b"content-security-policy", policy), (b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer")]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and csv_stream:
                more = bool(message.get("more_body"))
                message = {**message, "body": csv_stream[0].feed(message.get("body", b""), final=not more)}
            await send(message)

        host = next((v for k, v in scope.get("headers", []) if k == b"host"), None)
        if host is not None and not HOST.fullmatch(host):
            await refuse(send_with_headers, 400, "bad Host header: not a host name or address (with an optional port)")
            return
        name = pool(path, scope.get("query_string", b""))
        if name is None:
            await self.app(scope, receive, send_with_headers)
            return
        semaphore = self.semaphore(name)
        try:
            await asyncio.wait_for(semaphore.acquire(), timeout=self.queue_seconds)
        except TimeoutError:
            await busy(send_with_headers, self.queue_seconds)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            semaphore.release()


async def busy(send: Any, seconds: float) -> None:
    await refuse(send, 503, f"server busy: no query slot free within {seconds:g}s, retry later",
                 [(b"retry-after", b"2")])


async def refuse(send: Any, status: int, error: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"ok": False, "error": error, "status": status}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


# Last, so it wraps every other plugin's wrapper: their own responses (the canned queries' 400s) get the headers.
@hookimpl(trylast=True)
def asgi_wrapper() -> Any:
    return Guard


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["safe_link"] = safe_link


@hookimpl(trylast=True)
def render_cell(value: Any) -> Markup | None:
    """A cell Datasette would turn into a link (an http(s) URL) stays plain text off the allow-list."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")) and not safe_link(value):
        return Markup(html.escape(value))
    return None
