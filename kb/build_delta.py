"""Incremental build: the previous database plus what changed, published with the same atomic swap.

A full build parses and extracts every document and writes every row; with ten thousand notices that
is minutes, while a maintainer adding ten new ones needs seconds. So each build leaves an index in the
data dir's state/ (`build-index.json`): the fingerprint of the database it wrote, the code digest,
pipeline and schema versions, a digest of every URL's newest manifest record, each document's record
URLs (kb: `ingest.archive_documents.load_documents(origins=)`), and the parse failures. The next build, when the
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
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.archive import Archive, Record
from kb import derived, fingerprint, table_search
from kb.derived import recompute_status
from kb.extract_pool import MIN_PARALLEL
from kb.schema import load_schema

if TYPE_CHECKING:
    from kb.build import BuildSummary, Extractor

INDEX_NAME = "build-index.json"
INDEX_VERSION = 1
# Above this share of changed URLs (and this many) the full build is as cheap and simpler.
MAX_CHANGED_SHARE = 0.3
ALWAYS_INCREMENTAL = 50


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(Record))


def record_digest(record: Record) -> str:
    """A digest of every field of a manifest record (asdict's deep copies cost more than the hash)."""
    values = [getattr(record, name) for name in _RECORD_FIELDS]
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]


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
        # Shallow: the fields are plain JSON values already (asdict would deep-copy ten thousand entries).
        return {"index_version": INDEX_VERSION, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}}


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
    latest: dict[str, Record]

    def widened(self, urls: set[str]) -> Plan:
        """The plan with these URLs (and what depends on them) parsed again too."""
        closed, old_ids = close_over(set(self.subset) | urls, self.index, self.latest)
        subset = {url: r for url, r in self.latest.items() if url in closed}
        return dataclasses.replace(self, subset=subset, old_ids=self.old_ids | old_ids)


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
    return Plan(index=index, subset=subset, old_ids=old_ids, digests=digests, latest=latest)


class FullBuildNeeded(Exception):
    """This change cannot be applied to the old file alone; the caller runs a full build."""


def _material(db_path: Path) -> str | None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM build_info WHERE key = 'material'").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


# -- applying a plan ------------------------------------------------------------------------------

class _Copy:
    """shutil.copyfile(src, dst), in a thread when started, else at `finish`; its error raised at `finish`."""

    def __init__(self, src: Path, dst: Path) -> None:
        self.src, self.dst = src, dst
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy the database", daemon=True)

    def _run(self) -> None:
        try:
            shutil.copyfile(self.src, self.dst)
        except BaseException as exc:  # handed to the main thread at finish()
            self.error = exc

    def finish(self) -> None:
        if self.thread.ident is None:
            self._run()
        self.wait()
        if self.error is not None:
            raise self.error

    def wait(self) -> None:
        if self.thread.ident is not None:
            self.thread.join()


def apply(plan_: Plan, archive: Archive, db_path: Path, state: Path, version: str, inputs: str,
          get_extractor: Callable[[], Extractor], summary: BuildSummary) -> BuildSummary:
    """Run the plan: parse and extract the affected documents, write the new file, swap it in."""
    from ingest.archive_documents import ParseFailure, load_documents
    from kb import editions
    from kb.build import _fsync, collect_facts, validate
    from kb.facts_cache import CACHE_NAME, FactsCache

    while True:
        origins: dict[str, set[str]] = {}
        documents, failures = load_documents(archive, latest=plan_.subset, origins=origins)
        # A changed record that parses into a document the old file has from other records (the same
        # notice at a second URL): those records are merged with it, so they are parsed again too.
        missing = {url for doc in documents for url in plan_.index.origins.get(doc.doc_id, ())
                   if url not in plan_.subset and url in plan_.latest}
        if not missing:
            break
        plan_ = plan_.widened(missing)
    # Catalogue editions are decided over every catalogue and the notices publishing them, and samples
    # only build when nothing is real (ingest/archive_documents.py): a change to either is left to a
    # full build.
    samples_only = _material(db_path) == "samples only"
    if any(d.doc_type == "catalogue" or editions.publishes(d.title) or d.is_sample != samples_only
           for d in documents):
        raise FullBuildNeeded
    kept_failures = [ParseFailure(*f) for f in plan_.index.failures if f[0] not in plan_.subset]
    summary.failures = kept_failures + failures
    tmp = db_path.with_name(db_path.name + ".new")
    tmp.unlink(missing_ok=True)
    cache = FactsCache(state / CACHE_NAME)
    copy = _Copy(db_path, tmp)  # the served file is never opened for writing
    if len(documents) < MIN_PARALLEL:
        # No pool will fork below: copy the file (the kernel's time, sendfile) in a thread while this one
        # loads the pipeline (spaCy's import: seconds) and extracts the few documents.
        copy.thread.start()
    try:
        facts = collect_facts(documents, cache, version, get_extractor, summary)
        documents = [d for d in documents if d.doc_id not in summary.failed_ids]
        copy.finish()
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a scratch copy until the swap, as in the full build
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA foreign_keys = OFF")  # rows move in an order the keys dislike; checked below
            conn.create_function("kb_index_form", 1, table_search.index_form, deterministic=True)
            conn.execute("BEGIN")
            writer = derived.TableWriter(conn)
            new_ids = {d.doc_id for d in documents}
            derived.remove_documents(writer, plan_.old_ids | new_ids)
            for _doc_id in derived.add_documents(writer, zip(documents, facts, strict=True)):
                pass
            if new_ids:
                clause, params = derived.ids_clause(new_ids)
                for table, column in derived.fact_tables():
                    writer.table_fts(table, f"{column} IN {clause}", params)
                writer.table_fts("documents", f"id IN {clause}", params)
            added_refs = derived.resolve_references(writer)
            derived.add_search_entries(writer, new_ids | added_refs)
            recompute_status(writer)
            conn.execute("UPDATE build_info SET value = ? WHERE key = 'inputs_fingerprint'", (inputs,))
            conn.execute("COMMIT")
            expected = dict(writer.expected)
        finally:
            conn.close()
        validate(tmp, expected)
        _fsync(tmp)
        forget_index(state)  # from the swap until the new index is written, no index vouches for the file
        os.replace(tmp, db_path)
        _fsync(db_path.parent)
    finally:
        copy.wait()
        cache.close()
        tmp.unlink(missing_ok=True)
    all_origins = {k: v for k, v in plan_.index.origins.items() if k not in plan_.old_ids}
    all_origins.update({k: sorted(v) for k, v in origins.items() if k not in summary.failed_ids})
    extract_failures = [f for f in summary.failures if f not in kept_failures and f not in failures]
    index = dataclasses.replace(
        plan_.index, fingerprint=inputs,
        records=plan_.digests,
        origins=dict(sorted(all_origins.items())),
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
