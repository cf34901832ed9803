"""One document's extraction, guarded: its time budget (ingest/limits.yml document_seconds) and any
exception it raises become an ExtractFailure naming the document, so the build records it as failed
and goes on with the rest. Picklable, so it crosses the fork pool of kb/extract_pool.py."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.document import Document
from ingest.time_budget import within_budget
from kb.extract_pool import Extractor
from kb.facts import Facts


@dataclass(frozen=True)
class ExtractFailure:
    doc_id: str
    url: str
    sha256: str
    reason: str


def source_of(doc: Document) -> str:
    return doc.source_urls[0] if doc.source_urls else doc.doc_id


@dataclass(frozen=True)
class Guarded:
    """`extractor`, returning an ExtractFailure instead of raising."""

    extractor: Extractor
    seconds: float | None = None

    def __call__(self, doc: Document) -> Facts | ExtractFailure:
        try:
            return within_budget(source_of(doc), "extraction", lambda: self.extractor(doc), self.seconds)
        except Exception as exc:  # a bug or a hostile text must not stop the build
            return ExtractFailure(doc.doc_id, source_of(doc), doc.raw_sha256 or "", _reason(exc))


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300]
