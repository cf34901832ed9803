"""Incremental build: the previous database plus what changed, published with the same atomic swap.

A full build parses and extracts every document and writes every row; with ten thousand notices that
is minutes, while a maintainer adding ten new ones needs seconds. So each build leaves an index in the
data dir's state/ (`build-index.json`): the fingerprint of the database it wrote, the code digest,
pipeline and schema versions, a digest of every URL's newest manifest record, each document's record
URLs (kb: `ingest.documents.load_documents(origins=)`), and the parse failures. The next build, when the
database is the one the index describes and only archive records changed:

1. finds the changed URLs and closes them over what depends on them (the documents made from them,
   every other record of those documents, attachments and their notices);
2. parses and extracts only those documents (facts cache first, as the full build);
3. copies the old file to `mofcom.db.new` and, in one transaction there, deletes the affected
   documents' rows (facts, spans, search entries, FTS entries), inserts their new rows with ids after
   the current maximum (ids of untouched rows never move), re-resolves relation targets, documents
   known only by reference and citation counts, and recomputes the status periods (they are derived
   from all documents' dates and relations: cheap, and exact);
4. validates it like a full build (integrity, foreign keys, row counts, FTS counts), fsyncs, swaps.

The result has the same rows as a full build of the same archive except for the integer ids of fact
rows (a full build numbers them in sorted order; `build --full` renumbers). Anything the index cannot
vouch for (no index, another code digest, pipeline or schema, a database it did not describe, too many
changes) falls back to the full build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.archive import Archive, Record
from kb import fact_types, fingerprint, load, search, status, table_search
from kb.schema import load_schema

if TYPE_CHECKING:
    from ingest.document import Document
    from kb.build import BuildSummary, Extractor

INDEX_NAME = "build-index.json"
INDEX_VERSION = 1
# Above this share of changed URLs (and this many) the full build is as cheap and simpler.
MAX_CHANGED_SHARE = 0.3
ALWAYS_INCREMENTAL = 50


def record_digest(record: Record) -> str:
    return hashlib.sha256(json.dumps(dataclasses.asdict(record), sort_keys=True).encode()).hexdigest()[:32]


@dataclass
class BuildIndex:
    fingerprint: str  # build_info.inputs_fingerprint of the database it describes
    code: str  # fingerprint.tree_digest of ingest/ and kb/
    version: str  # pipeline version
    schema: int
    records: dict[str, str]  # url → record_digest of its newest record
    origins: dict[str, list[str]]  # document id → record URLs it was made from
    failures: list[list[str]]  # [url, sha256, reason] of the records that failed to parse or extract

    def to_json(self) -> dict[str, Any]:
        return {"index_version": INDEX_VERSION, **dataclasses.asdict(self)}


def code_digest() -> str:
    return fingerprint.tree_digest(fingerprint.PACKAGES)


def make_index(inputs: str, version: str, latest: dict[str, Record], origins: dict[str, set[str]],
               failures: Iterable[Any], kept: set[str]) -> BuildIndex:
    """The index of a build that kept the documents `kept` (extraction failures are left out)."""
    return BuildIndex(
        fingerprint=inputs, code=code_digest(), version=version, schema=load_schema().version,
        records={url: record_digest(r) for url, r in latest.items()},
        origins={doc_id: sorted(urls) for doc_id, urls in sorted(origins.items()) if doc_id in kept},
        failures=[[f.url, f.sha256, f.reason] for f in failures],
    )


def save_index(state: Path, index: BuildIndex) -> None:
    path = state / INDEX_NAME
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(index.to_json(), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def load_index(state: Path) -> BuildIndex | None:
    try:
        data = json.loads((state / INDEX_NAME).read_text(encoding="utf-8"))
        if data.pop("index_version", None) != INDEX_VERSION:
            return None
        return BuildIndex(**data)
    except (OSError, ValueError, TypeError):
        return None  # no index or an unreadable one: the full build writes a fresh one


def forget_index(state: Path) -> None:
    (state / INDEX_NAME).unlink(missing_ok=True)


@dataclass(frozen=True)
class Plan:
    index: BuildIndex
    subset: dict[str, Record]  # the records to parse again, in manifest order
    old_ids: set[str]  # documents of the old database those records made
    digests: dict[str, str]  # url → record_digest, every URL of the archive now


def changed_urls(index: BuildIndex, digests: dict[str, str]) -> set[str]:
    changed = {url for url, digest in digests.items() if index.records.get(url) != digest}
    return changed | (set(index.records) - set(digests))


def close_over(changed: set[str], index: BuildIndex, latest: dict[str, Record]) -> tuple[set[str], set[str]]:
    """Every URL whose record must be parsed again for the changed ones, and the old documents they
    made: the documents of a changed URL, all their records, attachments and their notices."""
    docs_of: dict[str, set[str]] = {}
    for doc_id, doc_urls in index.origins.items():
        for url in doc_urls:
            docs_of.setdefault(url, set()).add(doc_id)
    children: dict[str, set[str]] = {}
    for url, r in latest.items():
        if r.kind == "attachment" and r.parent_url:
            children.setdefault(r.parent_url, set()).add(url)
    urls: set[str] = set(changed)
    docs: set[str] = set()
    frontier: set[str] = set(changed)
    while frontier:
        more: set[str] = set()
        for url in frontier:
            for doc_id in docs_of.get(url, ()):
                if doc_id not in docs:
                    docs.add(doc_id)
                    more.update(index.origins[doc_id])
            more.update(children.get(url, ()))
            record = latest.get(url)
            if record is not None and record.kind == "attachment" and record.parent_url:
                more.add(record.parent_url)
        frontier = more - urls
        urls |= more
    return urls, docs


def plan(db_path: Path, state: Path, version: str, latest: dict[str, Record]) -> Plan | None:
    """What an incremental build would redo, or None when it cannot vouch for the old database."""
    index = load_index(state)
    if index is None or not db_path.is_file():
        return None
    if (index.version != version or index.schema != load_schema().version or index.code != code_digest()
            or fingerprint.built_fingerprint(db_path) != index.fingerprint):
        return None
    digests = {url: record_digest(r) for url, r in latest.items()}
    changed = changed_urls(index, digests)
    if len(changed) > max(ALWAYS_INCREMENTAL, MAX_CHANGED_SHARE * len(index.records)):
        return None
    urls, old_ids = close_over(changed, index, latest)
    subset = {url: r for url, r in latest.items() if url in urls}
    return Plan(index=index, subset=subset, old_ids=old_ids, digests=digests)


# -- applying a plan ------------------------------------------------------------------------------

def _ids_clause(ids: Iterable[str]) -> tuple[str, list[str]]:
    values = sorted(ids)
    return "(" + ",".join("?" * len(values)) + ")", values


def _fact_tables() -> list[tuple[str, str]]:
    """(table, its document column) of every registered fact type."""
    return [(ft.table, ft.document_column) for ft in fact_types.tables() if ft.table]


class _Delta:
    """The row changes of one incremental build, applied to a copy of the old database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.schema = load_schema()
        self.expected = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                         for name in self.schema.tables}

    def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self.conn.execute(sql, list(params)).rowcount

    def delete(self, table: str, where: str, params: Iterable[Any] = ()) -> None:
        self.expected[table] -= self.run(f'DELETE FROM "{table}" WHERE {where}', params)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(self.schema.tables[table].columns)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                              [tuple(row.get(c) for c in columns) for row in rows])
        self.expected[table] += len(rows)

    def next_id(self, table: str) -> int:
        return int(self.conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]) + 1

    # search_fts (own content) and <table>_fts (external content: deleting needs the indexed values)
    def drop_search_entries(self, where: str, params: list[Any]) -> None:
        self.run(f"DELETE FROM {search.FTS_TABLE} WHERE rowid IN (SELECT id FROM {search.INDEX_TABLE} WHERE {where})",
                 params)
        self.delete(search.INDEX_TABLE, where, params)

    def table_fts(self, table: str, where: str, params: list[Any], command: str | None) -> None:
        columns = table_search.tables().get(table)
        if not columns:
            return
        fts = table_search.fts_name(table)
        cols = ", ".join(f"[{c}]" for c in columns)
        values = ", ".join(f"kb_index_form([{c}])" for c in columns)
        if command == "delete":
            self.run(f"INSERT INTO [{fts}]([{fts}], rowid, {cols}) SELECT 'delete', rowid, {values} "
                     f"FROM [{table}] WHERE {where}", params)
        else:
            self.run(f"INSERT INTO [{fts}](rowid, {cols}) SELECT rowid, {values} FROM [{table}] WHERE {where}", params)


def _remove_documents(delta: _Delta, ids: set[str]) -> None:
    """Every row of these documents (not the rows of other documents that cite them)."""
    if not ids:
        return
    clause, params = _ids_clause(ids)
    delta.drop_search_entries(f"document_id IN {clause}", params)
    for table, column in _fact_tables():
        delta.table_fts(table, f"{column} IN {clause}", params, "delete")
        delta.delete(table, f"{column} IN {clause}", params)
    delta.delete("spans", f"document_id IN {clause}", params)
    delta.table_fts("documents", f"id IN {clause}", params, "delete")
    delta.delete("documents", f"id IN {clause}", params)


def _add_documents(delta: _Delta, documents: list[Document], facts: list[Any]) -> None:
    """Their rows with ids after the current maximum, in the full build's order among themselves."""
    merged = load.merge_rows(load.fact_rows(d, f) for d, f in zip(documents, facts, strict=True))
    spans = {s["id"]: s for s in merged.pop("spans", [])}
    doc_rows = [load.document_row(d, f) for d, f in zip(documents, facts, strict=True)]
    delta.insert("documents", sorted(doc_rows, key=lambda r: r["id"]))
    delta.insert("spans", [spans[k] for k in sorted(spans)])
    for table, rows in sorted(merged.items()):
        first = delta.next_id(table)
        delta.insert(table, [{**row, "id": row["id"] + first - 1} for row in load.number_rows(rows)])
    ids = [d.doc_id for d in documents]
    if ids:
        clause, params = _ids_clause(ids)
        for table, column in _fact_tables():
            delta.table_fts(table, f"{column} IN {clause}", params, None)
        delta.table_fts("documents", f"id IN {clause}", params, None)


def _resolve_references(delta: _Delta) -> set[str]:
    """Point every relation at the archived document of its number (else at the number), keep a row
    known only by reference for exactly the cited numbers not archived, recount citations (as
    load.add_reference_documents does for a full build). Returns the reference rows added."""
    conn = delta.conn
    conn.execute(
        "UPDATE document_relations SET target_document_id = coalesce((SELECT max(d.id) FROM documents d "
        "WHERE d.doc_number = document_relations.target_number AND d.known_only_by_reference = 0), target_number)")
    missing = [t for (t,) in conn.execute(
        "SELECT DISTINCT target_document_id FROM document_relations r WHERE NOT EXISTS "
        "(SELECT 1 FROM documents d WHERE d.id = r.target_document_id) ORDER BY 1")]
    stale = [i for (i,) in conn.execute(
        "SELECT id FROM documents d WHERE known_only_by_reference = 1 AND NOT EXISTS "
        "(SELECT 1 FROM document_relations r WHERE r.target_document_id = d.id)")]
    if stale:
        clause, params = _ids_clause(stale)
        delta.drop_search_entries(f"document_id IN {clause}", params)
        delta.table_fts("documents", f"id IN {clause}", params, "delete")
        delta.delete("documents", f"id IN {clause}", params)
    delta.insert("documents", [load.reference_row(t) for t in missing])
    if missing:
        clause, params = _ids_clause(missing)
        delta.table_fts("documents", f"id IN {clause}", params, None)
    conn.execute(
        "UPDATE documents SET cited_by_count = (SELECT count(DISTINCT r.source_document_id) FROM document_relations r "
        "WHERE r.target_document_id = documents.id) WHERE cited_by_count != (SELECT count(DISTINCT "
        "r.source_document_id) FROM document_relations r WHERE r.target_document_id = documents.id)")
    return set(missing)


def _add_search_entries(delta: _Delta, document_ids: set[str]) -> None:
    """search_index rows (and search_fts) for these documents and their facts, ids after the maximum."""
    if not document_ids:
        return
    clause, params = _ids_clause(document_ids)
    conn = delta.conn
    conn.row_factory = sqlite3.Row
    try:
        tables = {
            "documents": [dict(r) for r in conn.execute(
                f"SELECT id, title, doc_number, doc_number_printed, text FROM documents WHERE id IN {clause} "
                "ORDER BY id", params)],
            "controls": [dict(r) for r in conn.execute(
                f"SELECT * FROM controls WHERE document_id IN {clause} ORDER BY id", params)],
            "hs_codes": [dict(r) for r in conn.execute(
                f"SELECT * FROM hs_codes WHERE document_id IN {clause} ORDER BY id", params)],
            "listed_entities": [dict(r) for r in conn.execute(
                f"SELECT * FROM listed_entities WHERE document_id IN {clause} ORDER BY id", params)],
        }
    finally:
        conn.row_factory = None
    first = delta.next_id(search.INDEX_TABLE)
    entries = [{**e, "id": e["id"] + first - 1} for e in search.index_entries(tables)]
    search.fill_index(conn, entries)
    delta.expected[search.INDEX_TABLE] += len(entries)


def _recompute_status(delta: _Delta) -> None:
    """document_status_periods from every document's dates and relations (status.period_rows)."""
    conn = delta.conn
    conn.row_factory = sqlite3.Row
    try:
        tables: dict[str, list[dict[str, Any]]] = {
            "documents": [dict(r) for r in conn.execute(
                "SELECT id, doc_type, signed_date, effective_date, known_only_by_reference, attachment_of "
                "FROM documents ORDER BY id")],
            "part_effective_dates": [dict(r) for r in conn.execute("SELECT * FROM part_effective_dates ORDER BY id")],
            "document_relations": [dict(r) for r in conn.execute("SELECT * FROM document_relations ORDER BY id")],
        }
        # status.inputs_from_rows only asks which documents carry rules: one row per such document is enough.
        for table in ("controls", "hs_codes", "listed_entities", "thresholds"):
            tables[table] = [{"document_id": r[0]} for r in conn.execute(f"SELECT DISTINCT document_id FROM {table}")]
    finally:
        conn.row_factory = None
    delta.delete("document_status_periods", "1")
    delta.insert("document_status_periods", status.period_rows(tables))


def apply(plan_: Plan, archive: Archive, db_path: Path, state: Path, version: str, inputs: str,
          get_extractor: Callable[[], Extractor], summary: BuildSummary) -> BuildSummary:
    """Run the plan: parse and extract the affected documents, write the new file, swap it in."""
    from ingest.documents import ParseFailure, load_documents
    from kb.build import _fsync, collect_facts, validate
    from kb.facts_cache import CACHE_NAME, FactsCache

    origins: dict[str, set[str]] = {}
    documents, failures = load_documents(archive, latest=plan_.subset, origins=origins)
    kept_failures = [ParseFailure(*f) for f in plan_.index.failures if f[0] not in plan_.subset]
    summary.failures = kept_failures + failures
    tmp = db_path.with_name(db_path.name + ".new")
    tmp.unlink(missing_ok=True)
    cache = FactsCache(state / CACHE_NAME)
    try:
        facts = collect_facts(documents, cache, version, get_extractor, summary)
        documents = [d for d in documents if d.doc_id not in summary.failed_ids]
        shutil.copyfile(db_path, tmp)  # the served file is never opened for writing
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a scratch copy until the swap, as in the full build
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA foreign_keys = OFF")  # rows move in an order the keys dislike; checked below
            conn.create_function("kb_index_form", 1, table_search.index_form, deterministic=True)
            conn.execute("BEGIN")
            delta = _Delta(conn)
            new_ids = {d.doc_id for d in documents}
            _remove_documents(delta, plan_.old_ids | new_ids)
            _add_documents(delta, documents, facts)
            added_refs = _resolve_references(delta)
            _add_search_entries(delta, new_ids | added_refs)
            _recompute_status(delta)
            conn.execute("UPDATE build_info SET value = ? WHERE key = 'inputs_fingerprint'", (inputs,))
            conn.execute("COMMIT")
            expected = dict(delta.expected)
        finally:
            conn.close()
        validate(tmp, expected)
        _fsync(tmp)
        forget_index(state)  # from the swap until the new index is written, no index vouches for the file
        os.replace(tmp, db_path)
        _fsync(db_path.parent)
    finally:
        cache.close()
        tmp.unlink(missing_ok=True)
    all_origins = {k: set(v) for k, v in plan_.index.origins.items() if k not in plan_.old_ids}
    all_origins.update({k: v for k, v in origins.items() if k not in summary.failed_ids})
    extract_failures = [f for f in summary.failures if f not in kept_failures and f not in failures]
    index = dataclasses.replace(
        plan_.index, fingerprint=inputs,
        records=plan_.digests,
        origins={k: sorted(v) for k, v in sorted(all_origins.items())},
        failures=[[f.url, f.sha256, f.reason] for f in (*kept_failures, *failures, *extract_failures)])
    save_index(state, index)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        summary.rows = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                        for name in sorted(load_schema().tables)}
        summary.documents, summary.reference_only = conn.execute(
            "SELECT count(*) - coalesce(sum(known_only_by_reference), 0), coalesce(sum(known_only_by_reference), 0) "
            "FROM documents").fetchone()
    finally:
        conn.close()
    summary.incremental = True
    return summary
