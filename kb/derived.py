"""Rows into mofcom.db, and the tables derived from them, in SQL over the file being built: shared by
the full build (kb/build.py: every document streamed in, nothing held in memory but a batch) and the
incremental one (kb/build_delta.py: a copy of the old file, the changed documents swapped).

- `TableWriter` inserts rows in batches, numbers fact rows as the full build always has (document by
  document in id order, within one by their sorted content) and counts what each table should hold,
  for validation.
- `resolve_references`: relation targets → the archived document of that number (else the number),
  a row known only by reference for exactly the cited numbers not archived, citation counts.
- `add_editions`: dataset-file catalogues hung from their notice, catalogue editions, entries and
  technology-catalogue periods (kb/editions.py), from the catalogue documents of the build.
- `add_search_entries`, `recompute_status`: search_index/search_fts, document_status_periods and
  list_membership_periods (kb/search.py, kb/status.py and kb/list_membership.py do the work; this
  module only feeds them rows from the file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ingest.document import Document
from kb import editions, fact_types, list_membership, load, search, status, table_search
from kb.extract_pool import map_chunks
from kb.facts import Facts
from kb.schema import load_schema

BATCH_ROWS = 5000  # rows buffered per table before an executemany
SEARCH_CHUNK = 5000  # rows read back at a time
# Rows per chunk tokenised over both cores for the search index: small, so this process inserts one chunk
# while the workers tokenise the next (a chunk of 5000 left the workers or this process idle by turns).
TOKENISE_CHUNK = 1000


def ids_clause(ids: Iterable[str]) -> tuple[str, list[str]]:
    values = sorted(ids)
    return "(" + ",".join("?" * len(values)) + ")", values


def fact_tables() -> list[tuple[str, str]]:
    """(table, its document column) of every registered fact type."""
    return [(ft.table, ft.document_column) for ft in fact_types.tables() if ft.table]


class TableWriter:
    """Inserts, deletes and the row count each table must end with."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.schema = load_schema()
        self.columns = {name: list(t.columns) for name, t in self.schema.tables.items()}
        self.expected = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                         for name in self.schema.tables}
        self.next_ids: dict[str, int] = {}
        self.pending: dict[str, list[tuple[Any, ...]]] = {}

    def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self.conn.execute(sql, list(params)).rowcount

    def delete(self, table: str, where: str, params: Iterable[Any] = ()) -> None:
        self.flush()
        self.expected[table] -= self.run(f'DELETE FROM "{table}" WHERE {where}', params)

    def insert(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        columns = self.columns[table]
        buffer = self.pending.setdefault(table, [])
        for row in rows:
            buffer.append(tuple(row.get(c) for c in columns))
        if len(buffer) >= BATCH_ROWS:
            self._flush_table(table)

    def _flush_table(self, table: str) -> None:
        buffer = self.pending.pop(table, [])
        if not buffer:
            return
        columns = self.columns[table]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', buffer)
        self.expected[table] += len(buffer)

    def flush(self) -> None:
        for table in list(self.pending):
            self._flush_table(table)

    def next_id(self, table: str, count: int) -> int:
        """The first of `count` fresh ids for table (after every id already in the file)."""
        if table not in self.next_ids:
            self.flush()
            self.next_ids[table] = int(self.conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]) + 1
        first = self.next_ids[table]
        self.next_ids[table] = first + count
        return first

    # search_fts has its own content; <table>_fts is external content: deleting needs the indexed values.
    def drop_search_entries(self, where: str, params: list[Any]) -> None:
        self.flush()
        self.run(f"DELETE FROM {search.FTS_TABLE} WHERE rowid IN (SELECT id FROM {search.INDEX_TABLE} WHERE {where})",
                 params)
        self.delete(search.INDEX_TABLE, where, params)

    def table_fts(self, table: str, where: str, params: list[Any], delete: bool = False) -> None:
        columns = table_search.tables().get(table)
        if not columns:
            return
        self.flush()
        fts = table_search.fts_name(table)
        cols = ", ".join(f"[{c}]" for c in columns)
        values = ", ".join(f"kb_index_form([{c}])" for c in columns)
        if delete:
            self.run(f"INSERT INTO [{fts}]([{fts}], rowid, {cols}) SELECT 'delete', rowid, {values} "
                     f"FROM [{table}] WHERE {where}", params)
        else:
            self.run(f"INSERT INTO [{fts}](rowid, {cols}) SELECT rowid, {values} FROM [{table}] WHERE {where}", params)


def add_documents(writer: TableWriter, pairs: Iterable[tuple[Document, Facts]]) -> Iterator[str]:
    """Each document's row, its spans and fact rows (ids after the current maximum, in sorted order
    within the document: with documents in id order, the numbering of one global sort). Yields the
    document ids written."""
    for doc, facts in pairs:
        rows = load.fact_rows(doc, facts)
        spans = rows.pop("spans", [])
        writer.insert("documents", [load.document_row(doc, facts)])
        writer.insert("spans", sorted(spans, key=lambda s: s["id"]))
        for table, table_rows in sorted(rows.items()):
            ordered = sorted(table_rows, key=load.sort_key)
            first = writer.next_id(table, len(ordered))
            writer.insert(table, ({"id": i, **row} for i, row in enumerate(ordered, first)))
        yield doc.doc_id
    writer.flush()


def remove_documents(writer: TableWriter, ids: set[str]) -> None:
    """Every row of these documents (not the rows of other documents that cite them)."""
    if not ids:
        return
    clause, params = ids_clause(ids)
    writer.drop_search_entries(f"document_id IN {clause}", params)
    for table, column in fact_tables():
        writer.table_fts(table, f"{column} IN {clause}", params, delete=True)
        writer.delete(table, f"{column} IN {clause}", params)
    writer.delete("spans", f"document_id IN {clause}", params)
    writer.table_fts("documents", f"id IN {clause}", params, delete=True)
    writer.delete("documents", f"id IN {clause}", params)


def resolve_references(writer: TableWriter, index_fts: bool = True) -> set[str]:
    """Point every relation at the archived document of its number (else at the number itself), keep
    a documents row known only by reference for exactly the cited numbers not archived, recount
    citations (what load.add_reference_documents does in memory). Returns the reference rows added;
    `index_fts` keeps documents_fts in step (a full build indexes everything at the end instead)."""
    writer.flush()
    conn = writer.conn
    # `+`: look documents up by number (unique-ish), never by the flag (most rows share it).
    conn.execute(
        "UPDATE document_relations SET target_document_id = coalesce((SELECT max(d.id) FROM documents d "
        "WHERE d.doc_number = document_relations.target_number AND +d.known_only_by_reference = 0), target_number)")
    missing = [t for (t,) in conn.execute(
        "SELECT DISTINCT target_document_id FROM document_relations r WHERE NOT EXISTS "
        "(SELECT 1 FROM documents d WHERE d.id = r.target_document_id) ORDER BY 1")]
    stale = [i for (i,) in conn.execute(
        "SELECT id FROM documents d WHERE known_only_by_reference = 1 AND NOT EXISTS "
        "(SELECT 1 FROM document_relations r WHERE r.target_document_id = d.id)")]
    if stale:
        clause, params = ids_clause(stale)
        writer.drop_search_entries(f"document_id IN {clause}", params)
        if index_fts:
            writer.table_fts("documents", f"id IN {clause}", params, delete=True)
        writer.delete("documents", f"id IN {clause}", params)
    writer.insert("documents", [load.reference_row(t) for t in missing])
    writer.flush()
    if missing and index_fts:
        clause, params = ids_clause(missing)
        writer.table_fts("documents", f"id IN {clause}", params)
    count = ("(SELECT count(DISTINCT r.source_document_id) FROM document_relations r "
             "WHERE r.target_document_id = documents.id)")
    conn.execute(f"UPDATE documents SET cited_by_count = {count} WHERE cited_by_count != {count}")
    return set(missing)


_SEARCH_SOURCES = {  # search.index_entries' tables, in its order, with the columns it reads
    "documents": "id, title, doc_number, doc_number_printed, text",
    "controls": "id, document_id, control_code, item, part, hs_codes",
    "hs_codes": "id, document_id, hs_code, control_code, item",
    "listed_entities": "id, document_id, name_zh, name_en, list_name, aliases, address, country",
}


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any], size: int = SEARCH_CHUNK) -> Iterator[list[dict[str, Any]]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    while chunk := cursor.fetchmany(size):
        yield [dict(zip(names, row, strict=True)) for row in chunk]


def add_search_entries(writer: TableWriter, document_ids: set[str] | None) -> None:
    """search_index rows (and search_fts) for these documents (None: every document) and their
    facts, numbered after the current maximum in search.index_entries' order."""
    writer.flush()
    if document_ids is not None and not document_ids:
        return
    clause, params = ids_clause(document_ids) if document_ids is not None else ("", [])

    def chunks() -> Iterator[list[dict[str, Any]]]:
        for table, columns in _SEARCH_SOURCES.items():
            column = "id" if table == "documents" else "document_id"
            where = f"WHERE {column} IN {clause}" if document_ids is not None else ""
            # Reading one table while writing search_index on the same connection is fine in SQLite.
            sql = f"SELECT {columns} FROM {table} {where} ORDER BY id"
            for chunk in _rows(writer.conn, sql, params, TOKENISE_CHUNK):
                entries = search.index_entries({table: chunk})
                first = writer.next_id(search.INDEX_TABLE, len(entries))
                yield [{**e, "id": e["id"] + first - 1} for e in entries]

    # Tokenised over both cores, the next chunk while this process inserts the last.
    for entries, forms in map_chunks(search.entry_forms, chunks()):
        search.insert_entries(writer.conn, entries, forms)
        writer.expected[search.INDEX_TABLE] += len(entries)


EDITION_TABLES = ("catalogue_editions", "catalogue_entries", "technology_entries", "technology_status_periods")
DOCUMENT_FIELDS = ("id, doc_type, doc_number, title, source_urls, signed_date, posted_date, effective_date, "
                   "attachment_of, known_only_by_reference")


def add_editions(writer: TableWriter, catalogues: Sequence[Document]) -> None:
    """Every catalogue edition from these catalogue documents (all of the build's): a dataset file hung
    from the notice it names (documents.attachment_of), then the edition tables, replaced whole."""
    writer.flush()
    conn = writer.conn
    doc_rows = [row for chunk in _rows(conn, f"SELECT {DOCUMENT_FIELDS} FROM documents ORDER BY id", [])
                for row in chunk]
    linked = editions.link_datasets(catalogues, doc_rows)
    for old, new in zip(doc_rows, linked, strict=True):
        if new["attachment_of"] != old["attachment_of"]:
            writer.run("UPDATE documents SET attachment_of = ? WHERE id = ?", (new["attachment_of"], new["id"]))
    clause, params = ids_clause(d.doc_id for d in catalogues)
    span_ids = {r[0] for r in conn.execute(f"SELECT id FROM spans WHERE document_id IN {clause}", params)}
    tables = editions.edition_tables(catalogues, linked, span_ids)
    writer.insert("spans", [s for s in tables.pop("spans") if s["id"] not in span_ids])  # the facts' own win
    for table in EDITION_TABLES:
        writer.delete(table, "1")
        writer.insert(table, tables[table])
    writer.flush()


def recompute_status(writer: TableWriter) -> None:
    """document_status_periods from every document's dates and relations (status.period_rows), then
    list_membership_periods from the listed entities and those periods (list_membership)."""
    writer.flush()
    conn = writer.conn

    def rows(sql: str) -> list[dict[str, Any]]:
        return [row for chunk in _rows(conn, sql, []) for row in chunk]

    tables: dict[str, list[dict[str, Any]]] = {
        "documents": rows(f"SELECT {DOCUMENT_FIELDS} FROM documents ORDER BY id"),  # status and membership
        "part_effective_dates": rows("SELECT * FROM part_effective_dates ORDER BY id"),
        "document_relations": rows("SELECT * FROM document_relations ORDER BY id"),
    }
    # status.inputs_from_rows only asks which documents carry rules: one row per such document is enough.
    for table in ("controls", "hs_codes", "listed_entities", "thresholds"):
        tables[table] = rows(f"SELECT DISTINCT document_id FROM {table}")
    writer.delete("document_status_periods", "1")
    periods = status.period_rows(tables)
    writer.insert("document_status_periods", periods)
    writer.flush()
    membership = {
        "documents": tables["documents"],
        "listed_entities": rows("SELECT id, list_name, name_zh, name_en, country, action, document_id "
                                "FROM listed_entities ORDER BY id"),
        "document_relations": tables["document_relations"],
        "document_status_periods": periods,  # the rows just written
    }
    writer.delete("list_membership_periods", "1")
    writer.insert("list_membership_periods", list_membership.membership_rows(membership))
    writer.flush()
