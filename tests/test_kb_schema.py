"""The schema as data (kb/schema.yml → kb/schema.py): every table keyed and linked, the views and
published queries valid SQL, migrations applied in order, foreign keys enforced."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kb import query_functions
from kb.schema import Schema, create, load_schema, migrate

SCHEMA = load_schema()
# A value for every parameter the published queries take.
SAMPLE_PARAMS = {"date": "2026-01-15", "since": "2026-01-01", "days": "90", "code": "1C909", "document": "x",
                 "list": "", "name": "镓", "q": "镓", "on": "2025-06-01"}
CONTRACT = {
    "documents": {"id", "doc_number", "doc_type", "title", "issuers", "signed_date", "posted_date", "effective_date",
                  "source_url", "text", "known_only_by_reference", "source_urls"},
    "document_relations": {"source_document_id", "relation", "target_number", "target_document_id", "part",
                           "start_date", "end_date", "span_id"},
    "controls": {"document_id", "control_code", "item", "span_id"},
    "hs_codes": {"document_id", "hs_code", "digits", "control_code", "span_id"},
    "thresholds": {"control_code", "parameter", "operator", "value", "unit", "document_id", "span_id"},
    "exemptions": {"document_id", "text", "span_id"},
    "end_uses": {"document_id", "text", "span_id"},
    "listed_entities": {"document_id", "list_name", "action", "name_zh", "name_en", "aliases", "address",
                        "postcode", "country", "span_id"},
    "spans": {"document_id", "start", "end", "page", "text"},
    "document_status_periods": {"document_id", "part", "status", "start_date", "end_date", "caused_by_document_id"},
    "search_index": {"kind", "ref_id", "title", "body"},
}


@pytest.fixture()
def conn() -> sqlite3.Connection:
    c = sqlite3.connect(":memory:")
    c.execute("PRAGMA foreign_keys = ON")
    create(c)
    return c


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_public_tables_have_the_contract_columns(conn: sqlite3.Connection, table: str) -> None:
    assert CONTRACT[table] <= columns(conn, table)


def test_every_fact_table_cites_a_span_and_its_document() -> None:
    for table in SCHEMA.tables.values():
        if "span_id" in table.columns:
            assert table.foreign_keys["span_id"] == "spans.id", table.name
            doc = "source_document_id" if table.name == "document_relations" else "document_id"
            assert table.foreign_keys[doc] == "documents.id", table.name
            assert any(ix[0] == doc for ix in table.indexes), f"{table.name}: no index on {doc}"


def test_views_and_published_queries_run(conn: sqlite3.Connection) -> None:
    for view in SCHEMA.views:
        conn.execute(f'SELECT * FROM "{view}"').fetchall()
    query_functions.register(conn)
    for name, query in SCHEMA.queries.items():
        params = {p: SAMPLE_PARAMS[p] for p in re.findall(r"(?<!:):([a-z_]+)", query["sql"])}
        conn.execute(query["sql"], params).fetchall()  # raises on bad SQL or an unknown parameter
        assert query.get("title") and query.get("description"), name
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA.version


def test_foreign_keys_are_enforced(conn: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO spans (id, document_id, start, end, text) VALUES ('s', 'missing', 0, 1, 'x')")


def test_migrations_upgrade_an_older_file_in_order(tmp_path: Path) -> None:
    c = sqlite3.connect(tmp_path / "old.db")
    create(c)
    c.execute("PRAGMA user_version = 1")
    newer = Schema(**{**SCHEMA.__dict__, "version": 3, "migrations": (
        {"version": 3, "sql": ["ALTER TABLE documents ADD COLUMN language TEXT"]},
        {"version": 2, "sql": ["CREATE INDEX idx_documents_posted ON documents (posted_date)"]},
    )})
    assert migrate(c, newer) == 3
    assert "language" in columns(c, "documents")
    assert c.execute("PRAGMA user_version").fetchone()[0] == 3
    assert migrate(c, newer) == 3  # idempotent
    with pytest.raises(ValueError, match="newer"):
        migrate(c, SCHEMA)
