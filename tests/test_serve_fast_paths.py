"""Work the served KB no longer repeats per request, checked against what Datasette would answer:

- datasette/plugins/immutable_state.py: the schema refresh runs once for immutable files (again when a
  file changes; on every request for a mutable database), and a table's `allow` block still decides
  every request although its metadata merge is kept;
- datasette/plugins/array_facet.py: the array facet's counts equal a row count per value (a value twice
  in one row counts once, equal arrays in two rows count twice), with and without a primary key.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from kb.paths import DATASETTE_DIR


def in_own_loop(coroutine: Any) -> Any:
    # its own thread and loop: a browser test's loop may still be running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(autouse=True)
def no_response_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOFCOM_KB_RESPONSE_CACHE", "0")  # every request reaches Datasette


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kb.db"
    conn = sqlite3.connect(path)
    conn.execute("create table open_table (id integer primary key, tags text, body text)")
    conn.execute("create table secret (id integer primary key, note text)")
    conn.execute("create table no_pk (tags text, body text)")
    rows = [(1, ["a", "b"], "x" * 5000), (2, ["a", "a"], "y"), (3, ["b", "c"], "x" * 5000), (4, ["b", "c"], "x" * 5000),
            (5, [], "z"), (6, ["c"], "w")]
    conn.executemany("insert into open_table values (?, ?, ?)", [(i, json.dumps(t), b) for i, t, b in rows])
    conn.executemany("insert into no_pk values (?, ?)", [(json.dumps(t), b) for _i, t, b in rows])
    conn.execute("insert into secret values (1, 'hidden')")
    conn.commit()
    conn.close()
    return path


def datasette(db: Path, immutable: bool = True) -> Datasette:
    metadata = {"databases": {"kb": {"tables": {"secret": {"allow": {"id": "root"}}}}}}
    files = {"immutables": [str(db)]} if immutable else {"files": [str(db)]}
    settings = json.loads((DATASETTE_DIR / "settings.json").read_text(encoding="utf-8"))  # as served
    return Datasette(**files, metadata=metadata, settings=settings, plugins_dir=str(DATASETTE_DIR / "plugins"))


async def counting_refreshes(ds: Datasette, paths: list[str], between: Any = None) -> tuple[int, list[int]]:
    await ds.invoke_startup()
    calls = [0]
    original = ds._refresh_schemas

    async def counted() -> None:
        calls[0] += 1
        await original()

    ds._refresh_schemas = counted  # type: ignore[method-assign]
    statuses = []
    for i, path in enumerate(paths):
        if between and i == len(paths) // 2:
            between()
        statuses.append((await ds.client.get(path)).status_code)
    return calls[0], statuses


def test_an_immutable_file_schema_is_refreshed_once_and_again_when_the_file_changes(db: Path) -> None:
    paths = ["/kb/open_table.json", "/kb.json?sql=select+1", "/kb/open_table/1.json"] * 4
    calls, statuses = in_own_loop(counting_refreshes(datasette(db), paths))
    assert statuses == [200] * len(paths)
    assert calls <= 1  # Datasette's own: one per request (12 here)

    def touch() -> None:
        stat = db.stat()
        os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    calls, _ = in_own_loop(counting_refreshes(datasette(db), paths, between=touch))
    assert calls == 2


def test_a_mutable_database_is_refreshed_on_every_request(db: Path) -> None:
    paths = ["/kb/open_table.json", "/kb.json?sql=select+1"] * 3
    calls, statuses = in_own_loop(counting_refreshes(datasette(db, immutable=False), paths))
    assert statuses == [200] * len(paths)
    assert calls == len(paths)


def test_a_table_allow_block_still_decides_each_request(db: Path) -> None:
    async def run() -> list[int]:
        ds = datasette(db)
        out = []
        for path in ["/kb/secret.json", "/kb/open_table.json", "/kb/secret.json", "/kb/secret/1.json",
                     "/kb/SECRET.json", "/kb/Secret.json", "/kb/secret.json"]:  # SQLite's names ignore case
            out.append((await ds.client.get(path)).status_code)
        root = ds.sign({"a": {"id": "root"}}, "actor")
        out.append((await ds.client.get("/kb/secret.json", cookies={"ds_actor": root})).status_code)
        out.append((await ds.client.get("/kb/secret.json")).status_code)
        return out

    assert in_own_loop(run()) == [403, 200, 403, 403, 404, 404, 403, 200, 403]  # other spellings: no such table


@pytest.mark.parametrize("table", ["open_table", "no_pk"])
def test_array_facet_counts_rows_per_value(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    expected = Counter(v for (tags,) in conn.execute(f"select tags from {table}") for v in set(json.loads(tags)))
    conn.close()

    async def run() -> dict[str, Any]:
        ds = datasette(db)
        out = {}
        for query in ("_facet_array=tags", "_facet_array=tags&body__not=y"):
            response = await ds.client.get(f"/kb/{table}.json?{query}")
            assert response.status_code == 200, response.text
            out[query] = {r["value"]: r["count"] for r in response.json()["facet_results"]["tags"]["results"]}
        return out

    found = in_own_loop(run())
    assert found["_facet_array=tags"] == dict(expected)
    assert found["_facet_array=tags&body__not=y"] == {**expected, "a": expected["a"] - 1}


def test_array_facet_query_keeps_only_keys_and_arrays() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("array_facet_under_test", DATASETTE_DIR / "plugins" / "array_facet.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql = module.narrowed("select id, tags, body from t where x = :p", ["id"], ["tags", "id"])
    assert sql == "select id, tags from (select id, tags, body from t where x = :p)"


def test_infinities_become_null_in_json_unless_asked_for(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("create table measures (id integer primary key, name text, value real)")
    conn.executemany("insert into measures values (?, ?, ?)",
                     [(1, "plain", 2.5), (2, "up", 1e999), (3, "down", -1e999), (4, "none", None), (5, "inf", 0.0)])
    conn.commit()
    conn.close()

    async def run() -> list[str]:
        ds = datasette(db)
        return [(await ds.client.get(path)).text for path in (
            "/kb/measures.json?_shape=array", "/kb/measures.json?_shape=array&_json_infinity=1",
            "/kb.json?sql=select+name,+value+from+measures+order+by+id&_shape=arrays")]

    default, asked, query = in_own_loop(run())
    assert [r["value"] for r in json.loads(default)] == [2.5, None, None, None, 0.0]
    assert '"value": Infinity' in asked and '"value": -Infinity' in asked
    assert json.loads(query)["rows"] == [["plain", 2.5], ["up", None], ["down", None], ["none", None], ["inf", 0.0]]


def plugin_module(name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_under_test", DATASETTE_DIR / "plugins" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_answers_are_kept_per_file_identity_copied_and_bounded(tmp_path: Path) -> None:
    state = plugin_module("immutable_state")
    path = tmp_path / "kb.db"
    path.write_bytes(b"one")
    asked: list[str] = []

    async def columns(table: str) -> list[str]:
        asked.append(table)
        return ["id", table]

    answer = state.kept(str(path), columns)

    async def run() -> list[Any]:
        first = await answer("t")
        first.append("mutated by a caller")
        out = [first, await answer("t"), await answer("u"), list(asked)]
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # another build swapped in
        out += [await answer("t"), list(asked)]
        for i in range(state.MAX_KEPT + 10):
            await answer(f"x{i}")
        return out

    first, again, other, asked_before, after_change, asked_after = in_own_loop(run())
    assert again == ["id", "t"] and other == ["id", "u"]  # the caller's change did not reach the kept answer
    assert asked_before == ["t", "u"]  # the second "t" was not asked
    assert after_change == ["id", "t"] and asked_after == ["t", "u", "t"]
    found = next(c.cell_contents for c in answer.__closure__ or () if isinstance(c.cell_contents, dict))
    assert 0 < len(found) <= state.MAX_KEPT


def test_a_table_page_asks_its_schema_once(db: Path) -> None:
    async def run() -> list[int]:
        ds = datasette(db)
        await ds.invoke_startup()
        trips = [0]
        database = ds.databases["kb"]
        execute_fn = database.execute_fn

        async def counted(fn: Any) -> Any:
            trips[0] += 1
            return await execute_fn(fn)

        database.execute_fn = counted  # type: ignore[method-assign]
        out = []
        for _ in range(3):
            trips[0] = 0
            assert (await ds.client.get("/kb/open_table.json?_facet=tags")).status_code == 200
            out.append(trips[0])
        return out

    first, second, third = in_own_loop(run())
    # only the page's own queries run again: rows, count and the facet (without the kept answers: 14)
    assert second == third < first
    assert second <= 3
