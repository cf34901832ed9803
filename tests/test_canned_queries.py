"""The canned queries are defined once, in kb/schema.yml, and Datasette publishes them through the
canned_queries plugin hook (datasette/plugins/canned_queries.py): a query added to the definition is
served, metadata.yml holds none, and `mofcom-kb on` runs the same SQL."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from datasette.app import Datasette

from kb import schema
from kb.paths import DATASETTE_DIR, DB_NAME


def served(db: Path, *paths: str) -> list[Any]:
    """GET each path from an in-process Datasette with our plugins (JSON bodies, status asserted)."""
    async def run() -> list[Any]:
        ds = Datasette([str(db)], plugins_dir=str(DATASETTE_DIR / "plugins"))
        out = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            out.append(response.json())
        return out

    # its own thread and loop: a browser test's loop may still be running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / f"{DB_NAME}.db"
    conn = sqlite3.connect(path)
    conn.execute("create table documents (id text primary key, title text)")
    conn.execute("insert into documents values ('d1', '关于对镓实施出口管制的公告')")
    conn.commit()
    conn.close()
    return path


def test_a_query_added_to_the_definition_is_published(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    definition = yaml.safe_load(schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    definition["queries"]["titles_like"] = {
        "title": "标题检索 Titles containing a word",
        "description": "标题含 :word 的文件。 — Documents whose title contains :word.",
        "sql": "select id, title, gloss_en('镓') as en from documents where title like '%' || :word || '%'",
    }
    changed = tmp_path / "schema.yml"
    changed.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schema, "SCHEMA_FILE", changed)

    listing, rows = served(db, f"/{DB_NAME}.json", f"/{DB_NAME}/titles_like.json?word=镓&_shape=array")
    published = {q["name"]: q for q in listing["queries"]}
    assert published["titles_like"]["title"] == "标题检索 Titles containing a word"
    assert rows == [{"id": "d1", "title": "关于对镓实施出口管制的公告", "en": "gallium"}]  # glossary functions too
    assert set(published) == set(definition["queries"])


def test_every_defined_query_is_published_and_metadata_copies_none(db: Path) -> None:
    (listing,) = served(db, f"/{DB_NAME}.json")
    assert {q["name"] for q in listing["queries"]} == set(schema.load_schema().queries)
    metadata = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
    assert "queries" not in metadata["databases"][DB_NAME], "canned queries belong in kb/schema.yml"
