"""`mofcom-kb build`: the archive → one SQLite file, written beside the old one,
validated, then swapped in atomically so a half-built database is never served.

Facts come from kb.extract and are cached per document in the data dir's state/ (see
kb/facts_cache.py): a rebuild runs NLP only on documents whose parsed form or pipeline changed,
and a rebuild with nothing new at all (kb/fingerprint.py) keeps the existing file.
Every table is written in a sorted order, so the same archive gives the same rows and ids.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.archive import Archive
from ingest.document import Document
from kb import build_delta, fingerprint, search, status, table_search
from kb.errors import KbError
from kb.facts import Facts
from kb.facts_cache import CACHE_NAME, FactsCache, cache_key
from kb.schema import create, dependency_order, load_schema

if typing.TYPE_CHECKING:
    from ingest.documents import ParseFailure

# Parsing, loading and sqlite-utils (numpy) are imported where used: a no-op rebuild needs none of them.

Extractor = Callable[[Document], Facts]
CACHE_BATCH = 64  # facts-cache entries per transaction


@dataclass
class BuildSummary:
    documents: int = 0
    reference_only: int = 0
    extracted: int = 0  # documents that went through NLP (cache misses)
    cached: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    failures: list[ParseFailure] = field(default_factory=list)
    failed_ids: set[str] = field(default_factory=set)  # documents whose extraction failed: left out
    seconds: float = 0.0
    unchanged: bool = False  # nothing new: the existing database was kept as is
    incremental: bool = False  # the old database plus the changed documents (kb/build_delta.py)


def default_extractor() -> Extractor:
    """kb.extract's pipeline (imported only when something needs NLP: it loads spaCy)."""
    from kb.extract import extract

    return extract


def collect_facts(documents: list[Document], cache: FactsCache, version: str,
                  extractor: Callable[[], Extractor], summary: BuildSummary, reuse: bool = True) -> list[Facts]:
    """Facts for every document: from the cache when its key matches (and `reuse`), else extracted
    (over both cores, kb/extract_pool.py) and cached as results stream in, committed per batch, so a
    killed build keeps what it did."""
    from ingest.documents import ParseFailure
    from kb.document_guard import ExtractFailure, Guarded
    from kb.extract_pool import extract_all

    keys = [cache_key(doc, version) for doc in documents]
    out: list[Facts | None] = [cache.get(doc.doc_id, key) if reuse else None for doc, key in zip(documents, keys,
                                                                                                  strict=True)]
    misses = [i for i, facts in enumerate(out) if facts is None]
    summary.cached = len(documents) - len(misses)
    if misses:
        run = Guarded(extractor())  # load the pipeline only when something needs NLP
        batch: list[tuple[str, str, Facts]] = []
        for i, facts in zip(misses, extract_all([documents[i] for i in misses], run), strict=True):
            if isinstance(facts, ExtractFailure):  # recorded; the document is left out of this build
                summary.failures.append(ParseFailure(facts.url, facts.sha256, facts.reason))
                summary.failed_ids.add(facts.doc_id)
                continue
            out[i] = facts
            summary.extracted += 1
            batch.append((documents[i].doc_id, keys[i], facts))
            if len(batch) >= CACHE_BATCH:
                cache.put_many(batch)
                batch = []
        cache.put_many(batch)
    return [f for f in out if f is not None]


def assemble(documents: list[Document], facts: list[Facts]) -> dict[str, list[dict[str, Any]]]:
    """All rows of all tables, sorted and numbered (pure)."""
    from kb import load

    merged = load.merge_rows(load.fact_rows(d, f) for d, f in zip(documents, facts, strict=True))
    tables: dict[str, list[dict[str, Any]]] = {}
    spans: dict[str, dict[str, Any]] = {s["id"]: s for s in merged.pop("spans", [])}
    tables["spans"] = [spans[k] for k in sorted(spans)]
    for name, rows in merged.items():
        tables[name] = load.number_rows(rows)
    relations = tables.setdefault("document_relations", [])
    doc_rows = [load.document_row(d, f) for d, f in zip(documents, facts, strict=True)]
    tables["documents"] = load.add_reference_documents(doc_rows, relations)
    tables["document_status_periods"] = status.period_rows(tables)
    tables["search_index"] = search.index_entries(tables)
    return tables


def write(conn: sqlite3.Connection, tables: dict[str, list[dict[str, Any]]], info: dict[str, str]) -> None:
    """Insert every table's rows, parents before children, in one transaction (sqlite-utils for the
    plain tables; the FTS index by rowid)."""
    import sqlite_utils

    schema = load_schema()
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")
    for table in dependency_order(schema):
        rows = tables.get(table.name, [])
        if table.name == "search_index":
            search.fill_index(conn, rows)
        elif table.name == "build_info":
            rows = [{"key": k, "value": v} for k, v in sorted(info.items())]
        if rows and table.name != "search_index":
            columns = list(table.columns)
            db.table(table.name).insert_all(({c: row.get(c) for c in columns} for row in rows), batch_size=500)
    conn.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
    table_search.build(conn)  # <table>_fts for Datasette's ?_search= and sqlite-utils search
    if conn.in_transaction:
        conn.execute("COMMIT")


def validate(path: Path, expected: dict[str, int]) -> None:
    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise KbError(f"{path}: integrity check failed")
        violations = conn.execute("PRAGMA foreign_key_check").fetchall()
        if violations:
            raise KbError(f"{path}: {len(violations)} foreign key violations, first {violations[0]}")
        for table, count in expected.items():
            written = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if written != count:
                raise KbError(f"{path}: {written} rows in {table}, {count} expected")
        if not expected.get("documents"):
            raise KbError(f"{path}: no documents written")
        indexed = conn.execute(f"SELECT count(*) FROM {search.FTS_TABLE}").fetchone()[0]
        if indexed != expected.get("search_index", 0):
            raise KbError(f"{path}: {indexed} rows in {search.FTS_TABLE}, {expected.get('search_index', 0)} expected")
    finally:
        conn.close()


def build(archive_root: Path, db_path: Path, *, state_dir: Path | None = None, full: bool = False,
          extractor: Extractor | None = None, version: str | None = None) -> BuildSummary:
    """Build db_path from the archive. Nothing new (same archive manifest, code and pipeline as the
    existing database's build) → nothing done. `full` rebuilds and re-extracts everything, ignoring
    the facts cache; `extractor`/`version` replace kb.extract (tests)."""
    state = state_dir or db_path.parent / "state"
    with build_lock(state, db_path):
        return _build(archive_root, db_path, state, full, extractor, version)


@contextlib.contextmanager
def build_lock(state: Path, db_path: Path) -> Iterator[None]:
    """One build at a time per data dir (both would write mofcom.db.new). The OS drops the lock
    when the holder dies, so a killed build never blocks the next."""
    state.mkdir(parents=True, exist_ok=True)
    lock_path = state / "build.lock"
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise KbError(f"{db_path}: another build is running (lock {lock_path})") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(archive_root: Path, db_path: Path, state: Path, full: bool, extractor: Extractor | None,
           version: str | None) -> BuildSummary:
    started = time.perf_counter()
    if extractor is None:
        extractor, version = None, fingerprint.pipeline_version(state)
    version = version or "custom"
    inputs = hashlib.sha256(f"{fingerprint.inputs_fingerprint(archive_root)}\n{version}".encode()).hexdigest()
    if not full and fingerprint.built_fingerprint(db_path) == inputs:
        return _unchanged(db_path, started)
    from ingest.documents import load_documents

    archive = Archive(archive_root)
    latest = archive.latest()
    # The pipeline loads only on a cache miss: a rebuild of unchanged documents imports no NLP.
    get = (lambda: extractor) if extractor is not None else default_extractor
    if not full and (plan := build_delta.plan(db_path, state, version, latest)) is not None:
        summary = build_delta.apply(plan, archive, db_path, state, version, inputs, get, BuildSummary())
        summary.seconds = time.perf_counter() - started
        return summary
    origins: dict[str, set[str]] = {}
    documents, failures = load_documents(archive, latest=latest, origins=origins)
    if not documents:
        raise KbError(f"{archive_root}: the archive holds no parseable documents (run `mofcom-kb import` or `fetch`)")
    summary = BuildSummary(failures=failures)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(db_path.name + ".new")
    tmp.unlink(missing_ok=True)
    cache = FactsCache(state / CACHE_NAME)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        # A scratch file until the swap: no journal, no fsync per statement; fsynced once before os.replace.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        create(conn)  # the new file exists from here on; the old one stays untouched until os.replace
        conn.execute("COMMIT")
        facts = collect_facts(documents, cache, version, get, summary, reuse=not full)
        documents = [d for d in documents if d.doc_id not in summary.failed_ids]
        tables = assemble(documents, facts)
        info = {"schema_version": str(load_schema().version), "pipeline_version": version,
                "inputs_fingerprint": inputs}
        write(conn, tables, info)
        conn.close()
        expected = {name: len(rows) for name, rows in tables.items()}
        validate(tmp, expected)
        _fsync(tmp)
        build_delta.forget_index(state)  # no index vouches for the file until this build's is written
        os.replace(tmp, db_path)
        _fsync(db_path.parent)  # the rename itself
    finally:
        conn.close()
        cache.close()
        tmp.unlink(missing_ok=True)
    build_delta.save_index(state, build_delta.make_index(inputs, version, latest, origins, summary.failures,
                                                         kept={d.doc_id for d in documents}))
    summary.documents = sum(1 for d in tables["documents"] if not d["known_only_by_reference"])
    summary.reference_only = len(tables["documents"]) - summary.documents
    summary.rows = {name: len(rows) for name, rows in sorted(tables.items())}
    summary.seconds = time.perf_counter() - started
    return summary


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unchanged(db_path: Path, started: float) -> BuildSummary:
    """Same archive, same code, same pipeline: the existing database is already this build's output."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        documents, reference_only = conn.execute(
            "SELECT count(*) - sum(known_only_by_reference), sum(known_only_by_reference) FROM documents").fetchone()
    finally:
        conn.close()
    return BuildSummary(documents=documents, reference_only=reference_only or 0, unchanged=True,
                        seconds=time.perf_counter() - started)
