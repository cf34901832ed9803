"""The public schema of mofcom.db, declared as data: schema.yml holds the documents, spans and
derived tables, the FTS table, views, parameterised queries and migrations; the fact tables come
from the fact-type registry (kb/fact_types.yml). This module only turns the declaration into DDL
and applies it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kb.fact_types import FactType, read_registry, registry_files

SCHEMA_FILE = Path(__file__).with_name("schema.yml")


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    columns: dict[str, str]  # name → SQL type and constraints
    foreign_keys: dict[str, str]  # column → "table.column"
    indexes: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Schema:
    version: int
    tables: dict[str, Table]
    fts: dict[str, dict[str, Any]]
    views: dict[str, str]
    queries: dict[str, dict[str, str]]
    migrations: tuple[dict[str, Any], ...]


def fact_table(ft: FactType) -> Table:
    """A registered fact type's table: keyed by id, linked to its document and its span."""
    assert ft.table is not None
    return Table(
        name=ft.table,
        pk="id",
        columns=ft.all_columns(),
        foreign_keys={ft.document_column: "documents.id", **ft.foreign_keys, "span_id": "spans.id"},
        indexes=ft.indexes,
    )


def load_schema(path: Path | None = None) -> Schema:
    """schema.yml plus the registered fact types' tables."""
    return _load_schema(path or SCHEMA_FILE, registry_files())


@cache
def _load_schema(path: Path, registry: tuple[Path, ...]) -> Schema:
    types = read_registry(registry)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = {
        name: Table(
            name=name,
            pk=spec["pk"],
            columns=dict(spec["columns"]),
            foreign_keys=dict(spec.get("foreign_keys") or {}),
            indexes=tuple(tuple(ix) for ix in spec.get("indexes") or ()),
        )
        for name, spec in data["tables"].items()
    }
    for ft in types:
        if not ft.table:
            continue
        if ft.table in tables:
            raise ValueError(f"{path}: table {ft.table} is also declared by fact type {ft.name!r} ({ft.source})")
        tables[ft.table] = fact_table(ft)
    return Schema(
        version=int(data["version"]),
        tables=tables,
        fts=dict(data.get("fts") or {}),
        views=dict(data.get("views") or {}),
        queries=dict(data.get("queries") or {}),
        migrations=tuple(data.get("migrations") or ()),
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_ddl(table: Table) -> list[str]:
    lines = []
    for column, decl in table.columns.items():
        pk = " PRIMARY KEY" if column == table.pk else ""
        lines.append(f"  {_q(column)} {decl.upper()}{pk}")
    for column, target in table.foreign_keys.items():
        ref_table, ref_column = target.split(".")
        lines.append(f"  FOREIGN KEY ({_q(column)}) REFERENCES {_q(ref_table)}({_q(ref_column)})")
    statements = [f"CREATE TABLE {_q(table.name)} (\n" + ",\n".join(lines) + "\n)"]
    for columns in table.indexes:
        index = f"idx_{table.name}_{'_'.join(columns)}"
        statements.append(f"CREATE INDEX {_q(index)} ON {_q(table.name)} ({', '.join(_q(c) for c in columns)})")
    return statements


def fts_ddl(name: str, spec: dict[str, Any]) -> str:
    columns = ", ".join(_q(c) for c in spec["columns"])
    return f"CREATE VIRTUAL TABLE {_q(name)} USING fts5({columns}, tokenize = '{spec['tokenize']}')"


def dependency_order(schema: Schema) -> list[Table]:
    """Tables ordered so that every foreign key points to a table created (and filled) before."""
    ordered: list[Table] = []
    seen: set[str] = set()

    def visit(table: Table) -> None:
        if table.name in seen:
            return
        seen.add(table.name)
        for target in table.foreign_keys.values():
            ref = target.split(".")[0]
            if ref != table.name:
                visit(schema.tables[ref])
        ordered.append(table)

    for name in sorted(schema.tables):
        visit(schema.tables[name])
    return ordered


def create(conn: sqlite3.Connection, schema: Schema | None = None) -> None:
    """Create the current schema in an empty database and stamp its version."""
    schema = schema or load_schema()
    for table in dependency_order(schema):
        for statement in table_ddl(table):
            conn.execute(statement)
    for name, spec in schema.fts.items():
        conn.execute(fts_ddl(name, spec))
    for name, sql in schema.views.items():
        conn.execute(f"CREATE VIEW {_q(name)} AS\n{sql}")
    conn.execute(f"PRAGMA user_version = {schema.version}")


def migrate(conn: sqlite3.Connection, schema: Schema | None = None) -> int:
    """Upgrade a database built with an older schema in place; returns the version reached."""
    schema = schema or load_schema()
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > schema.version:
        raise ValueError(f"database schema version {current} is newer than this code's {schema.version}")
    for step in sorted(schema.migrations, key=lambda m: int(m["version"])):
        version = int(step["version"])
        if version <= current:
            continue
        with conn:
            for statement in step["sql"]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        current = version
    return current
