"""The extraction pipeline: Document → Facts.

    from kb.extract import extract, extract_many, PIPELINE_VERSION
    facts = extract(document)

PIPELINE_VERSION changes whenever code, patterns, config or the trained model change, so the
knowledge base can cache facts per (document, version).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language

from ingest.document import Document
from kb.extract.components import make_doc
from kb.extract.facts_builder import assemble
from kb.extract.pipeline import pipeline_version, shared_pipeline
from kb.facts import Facts

PIPELINE_VERSION = pipeline_version()

__all__ = ["PIPELINE_VERSION", "extract", "extract_many"]


def extract(document: Document) -> Facts:
    nlp = shared_pipeline()
    return assemble(nlp(make_doc(nlp, document.text)), document, PIPELINE_VERSION)


def extract_many(documents: Iterable[Document], batch_size: int = 16) -> Iterator[Facts]:
    """Facts per document, in order, through nlp.pipe."""
    nlp = shared_pipeline()
    pending: list[Document] = []
    for document in documents:
        pending.append(document)
        if len(pending) >= batch_size:
            yield from _run(nlp, pending)
            pending = []
    yield from _run(nlp, pending)


def _run(nlp: Language, documents: list[Document]) -> Iterator[Facts]:
    docs = (make_doc(nlp, d.text) for d in documents)
    for doc, document in zip(nlp.pipe(docs), documents, strict=True):
        yield assemble(doc, document, PIPELINE_VERSION)
