"""The response cache of the served immutable database (datasette/plugins/response_cache.py) and the
precomputed counts handed to Datasette (kb.serve.inspect_file): a hit returns the stored answer
without running the app; private requests, errors and cookies are never stored; a changed file
empties the cache; the LRU stays within its bytes."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kb.paths import DATASETTE_DIR
from kb.serve import datasette_command, inspect_file


def run_in_own_loop(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: a browser test earlier in the session may leave its event loop
    running in the main thread, where asyncio.run refuses to start."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def plugin() -> Any:
    spec = importlib.util.spec_from_file_location("response_cache", DATASETTE_DIR / "plugins" / "response_cache.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["response_cache_under_test"] = module
    spec.loader.exec_module(module)
    return module


class App:
    """An ASGI app counting its calls; the body names the call, so a hit is told from a recomputation."""

    def __init__(self, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None, size: int = 10) -> None:
        self.calls = 0
        self.status, self.headers, self.size = status, headers or [], size

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"application/json"), *self.headers]})
        body = f"call {self.calls} ".encode().ljust(self.size, b".")
        await send({"type": "http.response.body", "body": body[: self.size // 2], "more_body": True})
        await send({"type": "http.response.body", "body": body[self.size // 2:]})


def get(cache: Any, path: str = "/mofcom/x.json", query: bytes = b"a=1", headers: list[tuple[bytes, bytes]] | None = None
        ) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
             "headers": [(b"host", b"kb.test"), *(headers or [])]}
    run_in_own_loop(cache(scope, None, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "mofcom.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO build_info VALUES ('inputs_fingerprint', 'one')")
    conn.execute("CREATE TABLE documents (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO documents VALUES (?)", [("a",), ("b",), ("c",)])
    conn.commit()
    conn.close()
    return path


def make(module: Any, app: App, db_file: Path, monkeypatch: pytest.MonkeyPatch, **config: float) -> Any:
    monkeypatch.setattr(module, "settings", lambda: {"response_cache": {"max_mb": 1, "max_entry_kb": 64,
                                                                        "ttl_seconds": 300, **config}})
    datasette = SimpleNamespace(databases={"mofcom": SimpleNamespace(path=str(db_file))})
    return module.ResponseCache(app, datasette)


def test_a_second_request_is_served_from_memory_until_the_file_changes(db_file: Path, monkeypatch) -> None:
    module, app = plugin(), App()
    cache = make(module, app, db_file, monkeypatch)
    first = get(cache)
    again = get(cache)
    assert app.calls == 1 and again[2] == first[2] and again[1].get(b"x-kb-cache") == b"hit"
    assert get(cache, query=b"a=2")[2].startswith(b"call 2")  # another query is another answer
    db_file.write_bytes(db_file.read_bytes())  # a rebuild swapped in a (here: equal) new file
    db_file.touch()
    assert get(cache)[2].startswith(b"call 3")


@pytest.mark.parametrize("kind", ["error", "cookie sent", "cookie set", "post", "too big"])
def test_private_failed_or_oversized_answers_are_never_stored(kind: str, db_file: Path, monkeypatch) -> None:
    module = plugin()
    app = App(status=500 if kind == "error" else 200,
              headers=[(b"set-cookie", b"ds_csrftoken=x")] if kind == "cookie set" else None,
              size=200_000 if kind == "too big" else 10)
    cache = make(module, app, db_file, monkeypatch)
    headers = [(b"cookie", b"ds_actor=me")] if kind == "cookie sent" else None
    for _ in range(2):
        if kind == "post":
            sent: list[dict[str, Any]] = []

            async def send(message: dict[str, Any], sent: list = sent) -> None:
                sent.append(message)

            run_in_own_loop(cache({"type": "http", "method": "POST", "path": "/x", "query_string": b"",
                               "headers": []}, None, send))
        else:
            get(cache, headers=headers)
    assert app.calls == 2


def test_the_cache_stays_within_its_bytes_dropping_the_least_recently_used(db_file: Path, monkeypatch) -> None:
    module, app = plugin(), App(size=40_000)
    cache = make(module, app, db_file, monkeypatch, max_mb=0.1)  # room for two 40 kB answers
    for q in (b"a", b"b", b"a", b"c"):  # a is used again, so b goes first
        get(cache, query=q)
    assert cache.size <= 0.1 * 2**20
    calls = app.calls
    get(cache, query=b"a")
    assert app.calls == calls  # still there
    get(cache, query=b"b")
    assert app.calls == calls + 1  # dropped


def test_counts_are_precomputed_for_datasette_and_kept_while_the_file_is_the_same(db_file: Path) -> None:
    path = inspect_file(db_file)
    assert path is not None
    data = json.loads(path.read_text(encoding="utf-8"))["mofcom"]
    assert data["tables"]["documents"]["count"] == 3 and data["file"] == "mofcom.db"
    mtime = path.stat().st_mtime_ns
    assert inspect_file(db_file) == path and path.stat().st_mtime_ns == mtime  # reused
    conn = sqlite3.connect(db_file)
    conn.execute("INSERT INTO documents VALUES ('d')")
    conn.execute("UPDATE build_info SET value = 'two'")
    conn.commit()
    conn.close()
    inspect_file(db_file)
    assert json.loads(path.read_text(encoding="utf-8"))["mofcom"]["tables"]["documents"]["count"] == 4
    command = datasette_command(db_file, "127.0.0.1", 8001)
    assert command[command.index("--inspect-file") + 1] == str(path)
