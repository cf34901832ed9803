"""A wall-clock budget for one document's parse or extraction: past it, the work is interrupted
with a DocumentTimeout naming the document, so a build records that document as failed and goes on.

The interruption is a SIGALRM timer (ITIMER_REAL), so it needs the main thread of its process (a
build, a fork-pool worker); elsewhere the budget is checked once the work returns. Python cannot
interrupt a single long call into C (one regular-expression match): the patterns are kept linear
for that (tests/test_pattern_timing.py).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TypeVar

from ingest.limits import LimitError, limits

T = TypeVar("T")


class DocumentTimeout(LimitError):
    """A document whose parse or extraction took longer than document_seconds (limits.yml)."""


def _can_alarm() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextlib.contextmanager
def time_budget(source: str | Path, what: str, seconds: float | None = None) -> Iterator[None]:
    """Raise DocumentTimeout naming `source` when the block runs past `seconds` (default:
    document_seconds). Not nestable: an inner budget would cancel the outer one's timer."""
    budget = limits().document_seconds if seconds is None else seconds
    started = time.monotonic()

    def expire(signum: int, frame: FrameType | None) -> None:
        raise DocumentTimeout(source, f"{what} took longer than the {budget:g}s budget")

    if budget <= 0 or not _can_alarm():
        yield
        if budget > 0 and time.monotonic() - started > budget:
            raise DocumentTimeout(source, f"{what} took {time.monotonic() - started:.0f}s, over the {budget:g}s budget")
        return
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def within_budget(source: str | Path, what: str, work: Callable[[], T], seconds: float | None = None) -> T:
    with time_budget(source, what, seconds):
        return work()
