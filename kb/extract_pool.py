"""Work on many documents over both cores: a fork pool of workers, results streamed back in order.

The parent builds the function once (for extraction: the spaCy pipeline, clause model) and forks; the
workers inherit it (copy-on-write), so nothing about it is pickled and each worker starts at once.
Items go out and results come back pickled, `CHUNK` at a time, in input order (`imap`), so the caller
can use each result as it arrives. Few items (an incremental build) are done in process: a pool costs
more than it saves below `MIN_PARALLEL`. The build uses it for parsing records and for extraction.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from ingest.document import Document
from kb.facts import Facts

Extractor = Callable[[Document], Facts]
T = TypeVar("T")
U = TypeVar("U")

MIN_PARALLEL = 24
CHUNK = 4
_WORKER_FUNCTION: Callable[[Any], Any] | None = None  # set in the parent just before the fork


def workers() -> int:
    """One worker per core this process may use ($MOFCOM_KB_WORKERS overrides; 1 = no pool)."""
    configured = os.environ.get("MOFCOM_KB_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, len(os.sched_getaffinity(0)))


def _call(item: Any) -> Any:
    assert _WORKER_FUNCTION is not None
    return _WORKER_FUNCTION(item)


def parallel_map(function: Callable[[U], T], items: Sequence[U], processes: int | None = None) -> Iterator[T]:
    """function(item) for each item, in order, over the pool when there are enough items."""
    processes = workers() if processes is None else processes
    if processes <= 1 or len(items) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    if _WORKER_FUNCTION is not None:  # already inside a pool's use (nested): stay in process
        yield from map(function, items)
        return
    with _forked_pool(function, processes) as pool:
        yield from pool.imap(_call, items, chunksize=CHUNK)


@contextlib.contextmanager
def _forked_pool(function: Callable[[Any], Any], processes: int) -> Iterator[Any]:
    """A fork pool whose workers call `function` (inherited, never pickled)."""
    global _WORKER_FUNCTION
    _WORKER_FUNCTION = function
    # What exists before the fork (the pipeline, the parsed documents) moves out of the collector's sight:
    # otherwise each worker's collections walk it, touching its pages (copy-on-write copies them) and costing
    # CPU on every full collection. The parent's objects go back to the collector when the pool is done.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield pool
    finally:
        _WORKER_FUNCTION = None
        gc.unfreeze()


def extract_all(documents: Sequence[Document], extractor: Callable[[Document], T],
                processes: int | None = None) -> Iterator[T]:
    """Facts of each document, in order."""
    return parallel_map(extractor, documents, processes)


def map_chunks(function: Callable[[U], T], chunks: Iterable[Sequence[U]],
               processes: int | None = None) -> Iterator[tuple[Sequence[U], list[T]]]:
    """(chunk, [function(item) for item in chunk]) for each chunk, in order, over one pool for all of them.
    The pool works on the next chunk while the caller uses this one (at most two chunks in flight), so a
    caller writing the results (the search indexes: SQLite in this process) and the workers computing them
    overlap instead of taking turns, and memory stays at a few chunks. Fewer than MIN_PARALLEL items in all
    are done in process."""
    processes = workers() if processes is None else processes
    stream = iter(chunks)
    head: list[Sequence[U]] = []  # chunks read ahead to see whether a pool pays
    while sum(map(len, head)) < MIN_PARALLEL and (chunk := next(stream, None)) is not None:
        head.append(chunk)
    if (processes <= 1 or "fork" not in multiprocessing.get_all_start_methods() or _WORKER_FUNCTION is not None
            or sum(map(len, head)) < MIN_PARALLEL):
        for chunk in itertools.chain(head, stream):
            yield chunk, [function(item) for item in chunk]
        return
    with _forked_pool(function, processes) as pool:
        pending: collections.deque[tuple[Sequence[U], Any]] = collections.deque()
        for chunk in itertools.chain(head, stream):
            pending.append((chunk, pool.map_async(_call, chunk, chunksize=CHUNK)))
            if len(pending) >= 2:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()
