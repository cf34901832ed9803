"""Extraction of many documents over both cores: a fork pool of workers, results streamed back in order.

The parent builds the extractor once (spaCy pipeline, clause model) and forks; the workers inherit it
(copy-on-write), so nothing about the extractor is pickled and each worker starts at once. Documents go
out and Facts come back pickled, `CHUNK` at a time, in input order (`imap`), so the caller can cache
each result as it arrives. Few documents (an incremental build) are extracted in process: a pool costs
more than it saves below `MIN_PARALLEL`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ingest.document import Document
from kb.facts import Facts

Extractor = Callable[[Document], Facts]
T = TypeVar("T")

MIN_PARALLEL = 24
CHUNK = 4
_WORKER_EXTRACTOR: Callable[[Document], Any] | None = None  # set in the parent just before the fork


def workers() -> int:
    """One worker per core this process may use ($MOFCOM_KB_WORKERS overrides; 1 = no pool)."""
    configured = os.environ.get("MOFCOM_KB_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, len(os.sched_getaffinity(0)))


def _extract(doc: Document) -> Any:
    assert _WORKER_EXTRACTOR is not None
    return _WORKER_EXTRACTOR(doc)


def extract_all(documents: Sequence[Document], extractor: Callable[[Document], T],
                processes: int | None = None) -> Iterator[T]:
    """Facts of each document, in order."""
    global _WORKER_EXTRACTOR
    processes = workers() if processes is None else processes
    if processes <= 1 or len(documents) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(extractor, documents)
        return
    _WORKER_EXTRACTOR = extractor
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_extract, documents, chunksize=CHUNK)
    finally:
        _WORKER_EXTRACTOR = None
