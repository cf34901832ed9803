"""From the archive to parsed documents: the newest record per URL, parsed by its source,
deduplicated on the canonical document number (all URLs kept).

Team-written samples (ingest/sample_marks.py) never pose as data. **Real material** is any document
parsed from the archive that does not declare itself a sample; when the archive holds any, every sample
(and every attachment hanging from one) is left out before deduplication, so a sample can never merge
with, replace or outnumber a real text. Only an archive of samples alone builds them, each marked
`is_sample`. At one URL, a real version always wins over a sample stored after it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

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


def iter_parsed(archive: Archive, latest: dict[str, Record]) -> Iterator[Document | ParseFailure]:
    for record in latest.values():
        if record.kind not in PARSED_KINDS:
            continue
        parsed = _parse(archive, record)
        if isinstance(parsed, Document) and parsed.is_sample:
            parsed = _real_version(archive, record) or parsed  # a sample never shadows a real text at its URL
        yield parsed


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


def iter_attachments(
    archive: Archive, latest: dict[str, Record], documents: list[Document], left_out: frozenset[str] = frozenset()
) -> Iterator[Document | ParseFailure]:
    """Each archived attachment as its own Document, named after the notice it hangs from; none of
    those hanging from a page in `left_out` (the URLs of samples left out)."""
    parents = {url: doc for doc in documents for url in doc.source_urls}
    for record in latest.values():
        if record.kind != "attachment" or (record.parent_url or "") in left_out:
            continue
        parent = parents.get(record.parent_url or "")
        try:
            yield within_budget(record.url, "parsing",
                                lambda r=record, p=parent: parse_attachment(archive.get_bytes(r.sha256), r, p))  # type: ignore[misc]
        except Exception as exc:  # one bad file never stops the batch
            yield ParseFailure(record.url, record.sha256, f"{type(exc).__name__}: {exc}")


def _collect(items: Iterator[Document | ParseFailure], by_id: dict[str, Document], failures: list[ParseFailure]) -> None:
    for item in items:
        if isinstance(item, ParseFailure):
            failures.append(item)
        elif item.doc_id in by_id:
            by_id[item.doc_id] = merge(by_id[item.doc_id], item)
        else:
            by_id[item.doc_id] = item


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


def load_material(archive: Archive) -> Material:
    failures: list[ParseFailure] = []
    latest = archive.latest()
    parsed: list[Document] = []
    for item in iter_parsed(archive, latest):
        if isinstance(item, ParseFailure):
            failures.append(item)
        else:
            parsed.append(item)
    kept, dropped = select_material(parsed)
    by_id: dict[str, Document] = {}
    _collect(iter(kept), by_id, failures)
    documents = [with_archived_attachments(d, latest) for d in by_id.values()]
    by_id = {d.doc_id: d for d in documents}
    left_out = frozenset(url for d in dropped for url in d.source_urls)
    _collect(iter_attachments(archive, latest, documents, left_out), by_id, failures)
    # Again over everything: an attachment whose page is unknown is real material or a sample by itself.
    final, dropped_late = select_material(list(by_id.values()))
    return Material(sorted(final, key=lambda d: d.doc_id), failures,
                    sorted(f"{d.doc_id} ({d.source_urls[0] if d.source_urls else 'URL unknown'})"
                           for d in dropped + dropped_late))


def load_documents(archive: Archive) -> tuple[list[Document], list[ParseFailure]]:
    material = load_material(archive)
    return material.documents, material.failures
