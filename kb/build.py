"""`mofcom-kb build`: the archive → one SQLite file, written beside the old one,
validated, then swapped in atomically so a half-built database is never served.

Facts come from kb.extract and are cached per document in the data dir's state/ (see
kb/facts_cache.py): a rebuild runs NLP only on documents whose parsed form or pipeline changed,
and a rebuild with nothing new at all (kb/fingerprint.py) keeps the existing file.
Every table is written in a sorted order, so the same archive gives the same rows and ids.

Every archived object is checked against its sha256 as it is read. A missing or corrupt object
fails the whole build (ArchiveDamagedError, one line per object; the old database stays served):
unlike a bad input, which is one recorded failure while the rest builds, a damaged archive is a
storage fault, and a build that left the document out would publish a knowledge base silently
missing it. `mofcom-kb verify` lists the damage; refetching or reimporting the same bytes repairs
an object.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import multiprocessing
import os
import sqlite3
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.archive import Archive
from ingest.document import Document
from kb import fingerprint, search, table_search
from kb.errors import KbError
from kb.facts import Facts
from kb.facts_cache import CACHE_NAME, FactsCache, cache_key, facts_json
from kb.schema import create, load_schema

if typing.TYPE_CHECKING:
    from ingest.archive_documents import ParseFailure

# Parsing, loading and sqlite-utils (numpy) are imported where used: a no-op rebuild needs none of them.

Extractor = Callable[[Document], Facts]
CACHE_BATCH = 64  # facts-cache entries per transaction


class ArchiveDamagedError(KbError):
    """Objects the build needs are missing or corrupt; nothing was built."""

    def __init__(self, archive_root: Path, damaged: list[ParseFailure]) -> None:
        super().__init__(f"{archive_root}: {len(damaged)} archived object(s) missing or corrupt, nothing built "
                         f"(the database is left as it was); run `mofcom-kb verify`, then refetch or reimport")
        self.damaged = damaged


@dataclass
class BuildSummary:
    documents: int = 0
    reference_only: int = 0
    extracted: int = 0  # documents that went through NLP (cache misses)
    cached: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    failures: list[ParseFailure] = field(default_factory=list)
    failed_ids: set[str] = field(default_factory=set)  # documents whose extraction failed: left out
    samples: int = 0  # team-written sample documents built (only when the archive holds nothing real)
    samples_left_out: list[str] = field(default_factory=list)  # samples dropped: the archive holds real material
    seconds: float = 0.0
    unchanged: bool = False  # nothing new: the existing database was kept as is
    incremental: bool = False  # the old database plus the changed documents (kb/build_delta.py)


def default_extractor() -> Extractor:
    """kb.extract's pipeline (imported only when something needs NLP: it loads spaCy)."""
    from kb.extract import extract

    return extract


class _Encoding:
    """Extraction in a worker, returning the facts with their cache text (encoded there, in parallel)."""

    def __init__(self, run: Callable[[Document], Any]) -> None:
        self.run = run

    def __call__(self, doc: Document) -> tuple[Any, str | None]:
        from kb.document_guard import ExtractFailure

        facts = self.run(doc)
        return facts, None if isinstance(facts, ExtractFailure) else facts_json(facts)


def stream_facts(documents: list[Document], cache: FactsCache, version: str, extractor: Callable[[], Extractor],
                 summary: BuildSummary, reuse: bool = True) -> Iterator[tuple[Document, Facts]]:
    """(document, facts) in document order: from the cache when its key matches (and `reuse`), else
    extracted over both cores (kb/extract_pool.py) and cached as results stream in, committed per
    batch, so a killed build keeps what it did. A document whose extraction fails is recorded in
    `summary` and skipped."""
    from kb.document_guard import Guarded
    from kb.extract_pool import parallel_map

    keys = [cache_key(doc, version) for doc in documents]
    stored = cache.keys() if reuse else {}
    hit = [stored.get(doc.doc_id) == key for doc, key in zip(documents, keys, strict=True)]
    misses = [doc for doc, h in zip(documents, hit, strict=True) if not h]
    summary.cached = len(documents) - len(misses)
    results: Iterator[tuple[Any, str | None]] = iter(())
    if misses:
        results = iter(parallel_map(_Encoding(Guarded(extractor())), misses))  # the pipeline loads only if needed
    try:
        yield from _merge_facts(documents, keys, hit, results, cache, extractor, summary)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # the pool's generator ends here, its workers with it, before the next pool is forked


def _merge_facts(documents: list[Document], keys: list[str], hit: list[bool], results: Iterator[tuple[Any, str | None]],
                 cache: FactsCache, extractor: Callable[[], Extractor],
                 summary: BuildSummary) -> Iterator[tuple[Document, Facts]]:
    from ingest.archive_documents import ParseFailure
    from kb.document_guard import ExtractFailure, Guarded

    batch: list[tuple[str, str, str]] = []
    for doc, key, h in zip(documents, keys, hit, strict=True):
        facts = cache.get(doc.doc_id, key) if h else None
        encoded = None
        if facts is None and h:  # an entry of an older shape: extract it here
            summary.cached -= 1
            facts, encoded = _Encoding(Guarded(extractor()))(doc)
        elif facts is None:
            facts, encoded = next(results)
        if isinstance(facts, ExtractFailure):  # recorded; the document is left out of this build
            summary.failures.append(ParseFailure(facts.url, facts.sha256, facts.reason))
            summary.failed_ids.add(facts.doc_id)
            continue
        if encoded is not None:
            summary.extracted += 1
            batch.append((doc.doc_id, key, encoded))
            if len(batch) >= CACHE_BATCH:
                cache.put_encoded(batch)
                batch = []
        yield doc, facts
    cache.put_encoded(batch)


def collect_facts(documents: list[Document], cache: FactsCache, version: str,
                  extractor: Callable[[], Extractor], summary: BuildSummary, reuse: bool = True) -> list[Facts]:
    """The facts of every document that did not fail (stream_facts, as a list)."""
    return [facts for _doc, facts in stream_facts(documents, cache, version, extractor, summary, reuse)]


def write(conn: sqlite3.Connection, pairs: Iterable[tuple[Document, Facts]], info: dict[str, str],
          catalogues: Sequence[Document] = ()) -> dict[str, int]:
    """Every table of an empty database from (document, facts) pairs in document order, streamed:
    rows go in by batches as each document's facts arrive, then the derived tables (references,
    status periods, search indexes) are computed over the file. Returns the rows each table must hold."""
    from kb import derived
    from kb.extract_pool import map_chunks

    conn.execute("PRAGMA foreign_keys = OFF")  # rows cite documents written later; checked in validate()
    conn.execute("BEGIN")
    writer = derived.TableWriter(conn)
    for _doc_id in derived.add_documents(writer, pairs):
        pass
    derived.resolve_references(writer, index_fts=False)
    apart = _documents_fts_apart(conn)  # its columns are final from here on
    try:
        derived.add_search_entries(writer, None)
        derived.add_editions(writer, catalogues)  # before status: a dataset file hangs from its notice
        derived.recompute_status(writer)
        writer.insert("build_info", [{"key": k, "value": v} for k, v in sorted(info.items())])
        writer.flush()
        conn.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')")
        # <table>_fts for Datasette's ?_search= and sqlite-utils search
        table_search.build(conn, mapper=map_chunks, skip=[apart.table] if apart else [])
        conn.execute("COMMIT")
        if apart is not None:
            apart.finish(conn)
    except BaseException:
        if apart is not None:
            apart.abandon()
        raise
    return dict(writer.expected)


def _documents_fts_apart(conn: sqlite3.Connection) -> table_search.ApartBuild | None:
    """documents_fts (every text's characters and pairs: the largest index) built in a process of its own
    beside the rest of the build, when there are cores and texts enough for it to pay."""
    from kb.extract_pool import MIN_PARALLEL, workers

    table = "documents"
    if table not in table_search.tables() or workers() <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    if conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] < MIN_PARALLEL:
        return None
    main_file = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    return table_search.ApartBuild.start(conn, table, Path(main_file + ".documents-fts"))


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
        for table in table_search.tables():  # one docsize row per row indexed (an index copied in whole, too)
            fts = table_search.fts_name(table)
            sized = conn.execute(f"SELECT count(*) FROM [{fts}_docsize]").fetchone()[0]
            if sized != expected.get(table, 0):
                raise KbError(f"{path}: {sized} rows indexed in {fts}, {expected.get(table, 0)} expected")
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
    tmp = db_path.with_name(db_path.name + ".new")
    tmp.unlink(missing_ok=True)  # a killed build's scratch file (we hold the build lock)
    if extractor is None:
        extractor, version = None, fingerprint.pipeline_version(state)
    version = version or "custom"
    inputs = hashlib.sha256(f"{fingerprint.inputs_fingerprint(archive_root)}\n{version}".encode()).hexdigest()
    if not full and fingerprint.built_fingerprint(db_path) == inputs:
        return _unchanged(db_path, started)
    from ingest.archive_documents import load_material
    from kb import build_delta  # with kb.derived and the catalogue readers (pdfplumber): not for a no-op

    archive = Archive(archive_root)
    latest = archive.latest()
    # The pipeline loads only on a cache miss: a rebuild of unchanged documents imports no NLP.
    get = (lambda: extractor) if extractor is not None else default_extractor
    if not full and (plan := build_delta.plan(db_path, state, version, latest)) is not None:
        try:
            summary = build_delta.apply(plan, archive, db_path, state, version, inputs, get, BuildSummary())
        except build_delta.FullBuildNeeded:
            pass  # a catalogue, its notice or a sample changed: editions and material are decided over everything
        else:
            summary.seconds = time.perf_counter() - started
            return summary
    from kb.extract_pool import parallel_map

    origins: dict[str, set[str]] = {}
    material = load_material(archive, latest=latest, origins=origins, mapper=parallel_map)
    documents = material.documents
    # A record that failed because its object is missing or corrupt (get_bytes checks every read).
    if damaged := [f for f in material.failures if not archive.intact(f.sha256)]:
        raise ArchiveDamagedError(archive_root, damaged)
    if not documents:
        raise KbError(f"{archive_root}: the archive holds no parseable documents (run `mofcom-kb import` or `fetch`)")
    summary = BuildSummary(failures=material.failures, samples_left_out=material.samples_left_out)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    cache = FactsCache(state / CACHE_NAME)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        # A scratch file until the swap: no journal, no fsync per statement; fsynced once before os.replace.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        create(conn)  # the new file exists from here on; the old one stays untouched until os.replace
        conn.execute("COMMIT")
        samples_only = all(d.is_sample for d in documents)  # material is all real or all samples
        info = {"schema_version": str(load_schema().version), "pipeline_version": version,
                "inputs_fingerprint": inputs, "material": "samples only" if samples_only else "real",
                "samples_left_out": str(len(summary.samples_left_out))}
        pairs = stream_facts(documents, cache, version, get, summary, reuse=not full)
        expected = write(conn, pairs, info, [d for d in documents if d.doc_type == "catalogue"])
        conn.close()
        if len(summary.failed_ids) == len(documents):  # a broken pipeline, not bad input: say what failed
            first = summary.failures[-1]
            raise KbError(f"every document failed extraction ({len(summary.failed_ids)}); "
                          f"first: {first.url}: {first.reason}")
        summary.samples = sum(1 for d in documents if d.is_sample and d.doc_id not in summary.failed_ids)
        validate(tmp, expected)
        _fsync(tmp)
        build_delta.forget_index(state)  # no index vouches for the file until this build's is written
        os.replace(tmp, db_path)
        _fsync(db_path.parent)  # the rename itself
    except sqlite3.Error as exc:  # SQLITE_FULL (disk full), I/O errors: the old database stays served
        raise KbError(f"{tmp}: {exc}; nothing built (the database is left as it was)") from exc
    except OSError as exc:
        raise KbError(f"{exc.filename or tmp}: {exc.strerror or exc}; nothing built (the database is left "
                      "as it was)") from exc
    finally:
        conn.close()
        cache.close()
        tmp.unlink(missing_ok=True)
    kept = {d.doc_id for d in documents if d.doc_id not in summary.failed_ids}
    build_delta.save_index(state, build_delta.make_index(inputs, version, latest, origins, summary.failures, kept))
    summary.documents = expected["documents"] - _reference_only(db_path)
    summary.reference_only = expected["documents"] - summary.documents
    summary.rows = dict(sorted(expected.items()))
    summary.seconds = time.perf_counter() - started
    return summary


def _reference_only(db_path: Path) -> int:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM documents WHERE known_only_by_reference = 1").fetchone()[0])
    finally:
        conn.close()


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
