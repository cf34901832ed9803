"""Helpers for crawl tests: fast-but-real settings, and a fingerprint of a directory tree
(paths, bytes, mtimes) to prove a faulty crawl left the archive and the KB untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ingest.archive import Archive
from ingest.crawl import CrawlOptions, CrawlSummary, crawl
from ingest.http import HttpConfig

TODAY = dt.date(2026, 12, 1)


def fast_config(mirror: str, **overrides: object) -> HttpConfig:
    """Production rules with test-sized delays: no rate limit, short timeouts, tiny backoff."""
    settings: dict = {"rate_per_host": 0.0, "timeout": 0.4, "retries": 1, "backoff_base": 0.01,
                      "max_bytes": 200_000, "mirror": mirror}
    settings.update(overrides)
    return HttpConfig(**settings)


LATE_BACKOFF = 0.05  # seconds: the end-of-run retry rounds, test-sized


def run_crawl(data: Path, mirror: str, *, sources: tuple[str, ...] | None = None, since: dt.date | None = None,
              dry_run: bool = False, late_retries: int = 2, **http: object) -> CrawlSummary:
    options = CrawlOptions(http=fast_config(mirror, **http), today=TODAY, since=since, dry_run=dry_run,
                           late_retries=late_retries, late_backoff=LATE_BACKOFF,
                           **({"sources": sources} if sources else {}))
    return crawl(Archive(data / "archive"), data / "state", options)


def fingerprint(root: Path) -> dict[str, tuple[str, int]]:
    """relative path → (sha256 of bytes, mtime in ns), for every file under root."""
    return {
        str(path.relative_to(root)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*")) if path.is_file()
    }
