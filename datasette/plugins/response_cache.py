"""A response cache for the immutable database: a page or JSON answer computed once is served from
memory until the file changes or its time to live runs out.

The database is served immutable (`datasette -i`): a rebuild writes a new file and swaps it in, so the
same request gets the same bytes until then. This ASGI wrapper (outermost, so a hit skips the SQL slot
pools of security.py) keeps successful GET answers in an LRU bounded in bytes (`response_cache` in
datasette/publishing.yml): keyed by host, path and query; only for requests without cookies or
credentials and answers without Set-Cookie; dropped wholesale when a served file's inode, size or
mtime changes, and each after `ttl_seconds` (pages print today's date; some queries default to
today). `MOFCOM_KB_RESPONSE_CACHE=0` turns it off (benches measure both).
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from typing import Any

from datasette import hookimpl

from kb.web_safety import settings

ENV = "MOFCOM_KB_RESPONSE_CACHE"
PRIVATE_HEADERS = (b"cookie", b"authorization")


class ResponseCache:
    def __init__(self, app: Any, datasette: Any) -> None:
        self.app = app
        self.datasette = datasette
        config = settings().get("response_cache") or {}
        self.max_bytes = int(float(config.get("max_mb", 64)) * 2**20)
        self.max_entry = int(float(config.get("max_entry_kb", 1024)) * 1024)
        self.ttl = float(config.get("ttl_seconds", 300))
        self.enabled = os.environ.get(ENV, "1") != "0" and self.max_bytes > 0
        self.entries: OrderedDict[tuple[bytes, str, bytes], tuple[float, dict[str, Any], bytes]] = OrderedDict()
        self.size = 0
        self.identity: tuple[Any, ...] | None = None

    def files(self) -> tuple[Any, ...]:
        out = []
        for db in self.datasette.databases.values():
            if db.path:
                try:
                    st = os.stat(db.path)
                except OSError:
                    return ()
                out.append((db.path, st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(out)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0

    def store(self, key: tuple[bytes, str, bytes], start: dict[str, Any], body: bytes) -> None:
        if key in self.entries:
            self.size -= len(self.entries.pop(key)[2])
        self.entries[key] = (time.monotonic() + self.ttl, start, body)
        self.size += len(body)
        while self.size > self.max_bytes and self.entries:
            _key, (_expires, _start, old) = self.entries.popitem(last=False)
            self.size -= len(old)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if (not self.enabled or scope["type"] != "http" or scope.get("method") != "GET"
                or any(h in headers for h in PRIVATE_HEADERS)):
            await self.app(scope, receive, send)
            return
        identity = self.files()
        if identity != self.identity:
            self.clear()
            self.identity = identity
        key = (headers.get(b"host", b""), scope.get("path", ""), scope.get("query_string", b""))
        hit = self.entries.get(key)
        if hit is not None and hit[0] > time.monotonic():
            self.entries.move_to_end(key)
            _expires, start, body = hit
            await send({**start, "headers": [*start["headers"], (b"x-kb-cache", b"hit")]})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: dict[str, Any]) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                cacheable = message.get("status") == 200 and not any(
                    k.lower() == b"set-cookie" for k, _v in message.get("headers", []))
                captured["start"] = message if cacheable else None
            elif message["type"] == "http.response.body" and captured.get("start") is not None:
                size += len(message.get("body", b""))
                if size > self.max_entry:
                    captured["start"] = None
                    chunks.clear()
                else:
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        self.store(key, captured["start"], b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)


@hookimpl(trylast=True)
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        return ResponseCache(app, datasette)

    return wrap
