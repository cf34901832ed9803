"""From the archive to parsed documents: the newest record per URL, parsed by its source,
deduplicated on the canonical document number (all URLs kept).

Team-written samples (ingest/sample_marks.py) never pose as data. **Real material** is any document
parsed from the archive that does not declare itself a sample; when the archive holds any, every sample
(and every attachment hanging from one) is left out before deduplication, so a sample can never merge
with, replace or outnumber a real text. Only an archive of samples alone builds them, each marked
`is_sample`. At one URL, a real version always wins over a sample stored after it."""

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


def _parse(archive: Archive, record: Record) -> Document | ParseFailure:
    try:
        return within_budget(record.url, "parsing", lambda: parse_record(archive, record))
    except Exception as exc:  # one bad input never stops the batch
        return ParseFailure(record.url, record.sha256, f"{type(exc).__name__}: {exc}")


def _real_version(archive: Archive, record: Record) -> Document | None:
    """The newest earlier version of this URL that parses and is not a sample, if any."""
    for older in reversed(archive.records_for(record.url)[:-1]):
        if older.kind in PARSED_KINDS and older.sha256 != record.sha256:
            parsed = _parse(archive, older)
            if isinstance(parsed, Document) and not parsed.is_sample:
                return parsed
    return None


# map(function, items) → results in order; the build passes one that runs over both cores.
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]


def parse_one(archive: Archive, record: Record) -> tuple[str, Document | ParseFailure]:
    parsed = _parse(archive, record)
    if isinstance(parsed, Document) and parsed.is_sample:
        parsed = _real_version(archive, record) or parsed  # a sample never shadows a real text at its URL
    return record.url, parsed


def iter_parsed(archive: Archive, latest: dict[str, Record],
                mapper: Mapper = map) -> Iterator[tuple[str, Document | ParseFailure]]:
    """(record url, its Document or failure) for every parsed record, in manifest order."""
    records = [r for r in latest.values() if r.kind in PARSED_KINDS]
    yield from mapper(partial(parse_one, archive), records)


def merge(first: Document, second: Document) -> Document:
    """Two copies of one notice: keep the fuller text, union the URLs. A real text always wins over a
    sample (load_material keeps them apart; this holds whoever calls it)."""
    if first.is_sample != second.is_sample:
        return second if first.is_sample else first
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
                     left_out: frozenset[str] = frozenset(),
                     mapper: Mapper = map) -> Iterator[tuple[str, Document | ParseFailure]]:
    """Each archived attachment as its own Document, named after the notice it hangs from; none of
    those hanging from a page in `left_out` (the URLs of samples left out)."""
    parents = {url: doc for doc in documents for url in doc.source_urls}
    jobs = [(r, parents.get(r.parent_url or "")) for r in latest.values()
            if r.kind == "attachment" and (r.parent_url or "") not in left_out]
    yield from mapper(partial(parse_attachment_one, archive), jobs)


Origins = dict[str, set[str]]  # document id → the URLs of the records it was made from


def _collect(items: Iterable[tuple[str, Document | ParseFailure]], by_id: dict[str, Document],
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


@dataclass
class Material:
    """What a build is made of: the documents, the records that failed, and the samples left out."""

    documents: list[Document]
    failures: list[ParseFailure]
    samples_left_out: list[str]  # doc ids (with their URL) of the samples a build with real material drops


def select_material(parsed: list[Document]) -> tuple[list[Document], list[Document]]:
    """(kept, left out): every sample goes when any document is real material. Pure."""
    if all(d.is_sample for d in parsed):
        return parsed, []
    return [d for d in parsed if not d.is_sample], [d for d in parsed if d.is_sample]


def load_material(archive: Archive, latest: dict[str, Record] | None = None, origins: Origins | None = None,
                  mapper: Mapper = map) -> Material:
    """Every document of `latest` (default: the archive's newest record per URL), samples left out when
    any is real material. `origins`, when given, is filled with each document's record URLs (an
    attachment's: its own and its notice's), so an incremental build knows which documents a changed
    record touches. `mapper` parses the records (the build's runs over both cores); merging stays in
    order, so the result is the same."""
    failures: list[ParseFailure] = []
    latest = archive.latest() if latest is None else latest
    origins = {} if origins is None else origins
    parsed: list[tuple[str, Document]] = []
    for url, item in iter_parsed(archive, latest, mapper):
        if isinstance(item, ParseFailure):
            failures.append(item)
        else:
            parsed.append((url, item))
    kept, dropped = select_material([doc for _url, doc in parsed])
    kept_ids = {id(doc) for doc in kept}
    by_id: dict[str, Document] = {}
    _collect(((url, doc) for url, doc in parsed if id(doc) in kept_ids), by_id, failures, origins)
    documents = [with_archived_attachments(d, latest) for d in by_id.values()]
    for doc in documents:  # a notice also depends on the archived attachments it names
        origins[doc.doc_id].update(a.url for a in doc.attachments if a.url in latest)
    by_id = {d.doc_id: d for d in documents}
    left_out = frozenset(url for d in dropped for url in d.source_urls)
    page_origins = {url: doc.doc_id for doc in documents for url in doc.source_urls}
    for url, doc_id in _collect(iter_attachments(archive, latest, documents, left_out, mapper), by_id, failures,
                                origins):
        parent = page_origins.get(latest[url].parent_url or "")  # parsed with its notice: depends on it too
        if parent is not None and parent != doc_id:
            origins[doc_id].update(origins[parent])
    # Again over everything: an attachment whose page is unknown is real material or a sample by itself.
    final, dropped_late = select_material(list(by_id.values()))
    return Material(sorted(final, key=lambda d: d.doc_id), failures,
                    sorted(f"{d.doc_id} ({d.source_urls[0] if d.source_urls else 'URL unknown'})"
                           for d in dropped + dropped_late))


def load_documents(archive: Archive, latest: dict[str, Record] | None = None, origins: Origins | None = None,
                   mapper: Mapper = map) -> tuple[list[Document], list[ParseFailure]]:
    material = load_material(archive, latest, origins, mapper)
    return material.documents, material.failures
