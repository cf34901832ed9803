"""From the archive to parsed documents: the newest record per URL, parsed by its source,
deduplicated on the canonical document number (all URLs kept)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from ingest.archive import Archive, Record
from ingest.attachments import parse_attachment
from ingest.document import Document
from ingest.sources import source_module
from ingest.time_budget import within_budget

PARSED_KINDS = ("page", "snapshot")


@dataclass(frozen=True)
class ParseFailure:
    url: str
    sha256: str
    reason: str


def parse_record(archive: Archive, record: Record) -> Document:
    module = source_module(record.source)
    return module.parse(archive.get_bytes(record.sha256), record)


# map(function, items) → results in order; the build passes one that runs over both cores.
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]


def parse_one(archive: Archive, record: Record) -> tuple[str, Document | ParseFailure]:
    try:
        return record.url, within_budget(record.url, "parsing", lambda: parse_record(archive, record))
    except Exception as exc:  # one bad input never stops the batch
        return record.url, ParseFailure(record.url, record.sha256, f"{type(exc).__name__}: {exc}")


def iter_parsed(archive: Archive, latest: dict[str, Record],
                mapper: Mapper = map) -> Iterator[tuple[str, Document | ParseFailure]]:
    """(record url, its Document or failure) for every parsed record, in manifest order."""
    records = [r for r in latest.values() if r.kind in PARSED_KINDS]
    yield from mapper(partial(parse_one, archive), records)


def merge(first: Document, second: Document) -> Document:
    """Two copies of one notice: keep the fuller text, union the URLs."""
    keep, other = (first, second) if len(first.text) >= len(second.text) else (second, first)
    urls = tuple(dict.fromkeys(keep.source_urls + other.source_urls))
    return dataclasses.replace(
        keep,
        source_urls=urls,
        signed_date=keep.signed_date or other.signed_date,
        posted_date=min(posted) if (posted := [d for d in (keep.posted_date, other.posted_date) if d]) else None,
        attachments=keep.attachments or other.attachments,
    )


def with_archived_attachments(doc: Document, latest: dict[str, Record]) -> Document:
    """Name the archive object of each attachment the crawler downloaded beside its article."""
    if not any(a.url in latest for a in doc.attachments):
        return doc
    attachments = tuple(
        dataclasses.replace(a, sha256=r.sha256, media_type=a.media_type or r.content_type)
        if (r := latest.get(a.url)) is not None and r.kind == "attachment" else a
        for a in doc.attachments
    )
    return dataclasses.replace(doc, attachments=attachments)


def parse_attachment_one(archive: Archive, job: tuple[Record, Document | None]) -> tuple[str, Document | ParseFailure]:
    record, parent = job
    try:
        return record.url, within_budget(record.url, "parsing",
                                         lambda: parse_attachment(archive.get_bytes(record.sha256), record, parent))
    except Exception as exc:  # one bad file never stops the batch
        return record.url, ParseFailure(record.url, record.sha256, f"{type(exc).__name__}: {exc}")


def iter_attachments(archive: Archive, latest: dict[str, Record], documents: list[Document],
                     mapper: Mapper = map) -> Iterator[tuple[str, Document | ParseFailure]]:
    """Each archived attachment as its own Document, named after the notice it hangs from."""
    parents = {url: doc for doc in documents for url in doc.source_urls}
    jobs = [(r, parents.get(r.parent_url or "")) for r in latest.values() if r.kind == "attachment"]
    yield from mapper(partial(parse_attachment_one, archive), jobs)


Origins = dict[str, set[str]]  # document id → the URLs of the records it was made from


def _collect(items: Iterator[tuple[str, Document | ParseFailure]], by_id: dict[str, Document],
             failures: list[ParseFailure], origins: Origins) -> list[tuple[str, str]]:
    """Merge the items into by_id; the (record url, document id) of each document collected."""
    collected = []
    for url, item in items:
        if isinstance(item, ParseFailure):
            failures.append(item)
            continue
        origins.setdefault(item.doc_id, set()).add(url)
        collected.append((url, item.doc_id))
        if item.doc_id in by_id:
            by_id[item.doc_id] = merge(by_id[item.doc_id], item)
        else:
            by_id[item.doc_id] = item
    return collected


def load_documents(archive: Archive, latest: dict[str, Record] | None = None, origins: Origins | None = None,
                   mapper: Mapper = map) -> tuple[list[Document], list[ParseFailure]]:
    """Every document of `latest` (default: the archive's newest record per URL). `origins`, when
    given, is filled with each document's record URLs (an attachment's: its own and its notice's),
    so an incremental build knows which documents a changed record touches. `mapper` parses the
    records (the build's runs over both cores); merging stays in order, so the result is the same."""
    by_id: dict[str, Document] = {}
    failures: list[ParseFailure] = []
    latest = archive.latest() if latest is None else latest
    origins = {} if origins is None else origins
    _collect(iter_parsed(archive, latest, mapper), by_id, failures, origins)
    documents = [with_archived_attachments(d, latest) for d in by_id.values()]
    for doc in documents:  # a notice also depends on the archived attachments it names
        origins[doc.doc_id].update(a.url for a in doc.attachments if a.url in latest)
    by_id = {d.doc_id: d for d in documents}
    page_origins = {url: doc.doc_id for doc in documents for url in doc.source_urls}
    for url, doc_id in _collect(iter_attachments(archive, latest, documents, mapper), by_id, failures, origins):
        parent = page_origins.get(latest[url].parent_url or "")  # parsed with its notice: depends on it too
        if parent is not None and parent != doc_id:
            origins[doc_id].update(origins[parent])
    return sorted(by_id.values(), key=lambda d: d.doc_id), failures
