"""`mofcom-kb fetch`: crawl the declared sources into the raw archive.

Breadth-first from each list's first page: list pages yield article links and the
next page; article pages yield attachment links, downloaded beside their article
(kind="attachment", parent_url set), and the old-layout pages their bodies cite (crawled
under the source owning their host). Every response is checked before it is stored:
a non-200 status, garbage (garbled, JS frame, challenge, 404-as-200) or a page its
source cannot parse is a failure, reported with its URL, journaled for the next run,
and never archived. Unchanged content costs a conditional request and adds nothing.

A transient failure (timeout, connection error, 5xx or 429 after the request's own retries, a
JavaScript-only frame, a bot challenge) is asked again once the queue is done, after a backoff
(`late_backoff` seconds after the failure, doubling per round, up to `late_retries` rounds), so a
site that was busy for a minute costs nothing; only what still fails is left to the next run.
The failure is journaled as it happens, so a run killed while waiting loses nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ingest import garbage
from ingest.archive import Archive, ArchiveIntegrityError, Record, now_iso
from ingest.archive_verify import stale_temporaries
from ingest.crawl_state import CrawlJournal, Resumption
from ingest.http import CONTACT_ENV, Fetcher, FetchError, HttpConfig, Response, user_agent
from ingest.sources import CRAWLABLE, snapshot, source_module
from ingest.sources.spec import Link, SourceSpec

LOOKAHEAD = 500  # queued items scanned for one whose host is ready
STALE_TEMPORARY_SECONDS = 3600.0  # an archive .tmp-* this old is a killed write's, never one in progress


class CrawlError(Exception):
    """The run as a whole failed (a list below its floor): the message says which and why."""

    def __init__(self, message: str, summary: CrawlSummary) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class CrawlOptions:
    sources: tuple[str, ...] = CRAWLABLE
    since: dt.date | None = None
    dry_run: bool = False
    http: HttpConfig = field(default_factory=HttpConfig)
    today: dt.date = field(default_factory=dt.date.today)
    late_retries: int = 2  # rounds of retrying transient failures once the queue is done
    late_backoff: float = 60.0  # seconds after the failure before the first round; doubles per round


@dataclass
class CrawlSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # done by the interrupted run this one resumed
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    floor_failures: list[str] = field(default_factory=list)
    would_fetch: list[str] = field(default_factory=list)  # --dry-run
    requests: int = 0
    seconds: float = 0.0
    resumed_run: str | None = None
    fallbacks: int = 0  # failed pages whose list row was archived instead
    retried: int = 0  # transient failures asked again at the end of the run
    recovered: int = 0  # of those, the ones that then succeeded

    @property
    def items(self) -> int:
        return self.new + self.changed + self.unchanged + self.skipped

    def lines(self) -> list[str]:
        out = [f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {len(self.failed)} failed"
               + (f", {self.skipped} already done by the resumed run {self.resumed_run}" if self.resumed_run else "")
               + f" ({self.requests} requests, {self.seconds:.1f}s)"]
        if self.retried:
            out.append(f"{self.retried} transient failures retried at the end of the run: {self.recovered} recovered")
        if self.fallbacks:
            out.append(f"{self.fallbacks} failed pages archived from their list's copy (retried next run)")
        if self.would_fetch:
            out.append(f"dry run: would fetch {len(self.would_fetch)} items")
            out += [f"  would fetch: {url}" for url in self.would_fetch]
        reasons = Counter(reason.split(" (")[0] for _url, reason in self.failed)
        out += [f"  {count} × {reason}" for reason, count in reasons.most_common()]
        out += [f"  failed: {url}: {reason}" for url, reason in self.failed]
        out += [f"  FLOOR: {message}" for message in self.floor_failures]
        return out


class _Run:
    """One crawl: the queue, the per-list counts and the summary."""

    def __init__(self, archive: Archive, journal: CrawlJournal, fetcher: Fetcher, options: CrawlOptions,
                 resume: Resumption | None, on_step: Callable[[str, int, int], None]) -> None:
        self.archive, self.journal, self.fetcher, self.options = archive, journal, fetcher, options
        self.resume = resume
        self.on_step = on_step
        self.summary = CrawlSummary(resumed_run=resume.run if resume else None)
        self.queue: deque[tuple[str, Link, str | None]] = deque()  # (source, link, parent url)
        self.seen: set[str] = set()
        self.listed: dict[str, set[str]] = {}  # list id → article URLs it yielded
        self.list_failed: set[str] = set()  # lists with a page that failed this run
        self.all_specs: list[SourceSpec] = [source_module(name).SPEC for name in CRAWLABLE]
        self.round = 0  # 0: the queue; n: the nth round of late retries
        self.deferred: list[tuple[str, Link, str | None]] = []  # (source, link, parent)
        self.last_failure = 0.0  # monotonic time of the latest deferred failure
        self.retried: set[str] = set()  # keys asked again at the end of the run
        self.current = ""  # the source of the link being visited

    def enqueue(self, source: str, link: Link, parent: str | None = None) -> None:
        if link.key not in self.seen:
            self.seen.add(link.key)
            self.queue.append((source, link, parent))

    def next_item(self) -> tuple[str, Link, str | None]:
        """The first queued item whose host may be asked now, so hosts take turns while each
        keeps its own rate; the head of the queue when every host must wait."""
        limiter = self.fetcher.limiter
        for index, item in enumerate(self.queue):
            if index >= LOOKAHEAD:
                break
            if limiter.ready_in(urlsplit(item[1].url).netloc) <= 0:
                del self.queue[index]
                return item
        return self.queue.popleft()

    def run(self) -> None:
        done = 0
        while True:
            while self.queue:
                source, link, parent = self.next_item()
                self.on_step(link.key, done, done + len(self.queue) + 1)
                self.current = source
                self.visit(source_module(source), link, parent)
                done += 1
            if not self.deferred:
                break
            self.wait_for_round()
            self.round += 1
            self.queue.extend(self.deferred)  # again: `seen` holds them already
            self.retried.update(link.key for _source, link, _parent in self.deferred)
            self.deferred = []
        failed = {url for url, _reason in self.summary.failed}
        self.summary.retried = len(self.retried)
        self.summary.recovered = len(self.retried - failed)

    def wait_for_round(self) -> None:
        """Sleep until the latest deferred failure is `late_backoff * 2**round` seconds old (the rest
        of the queue may already have taken that long)."""
        delay = self.options.late_backoff * 2 ** self.round
        remaining = self.last_failure + delay - time.monotonic()
        if remaining > 0:
            self.fetcher.sleep(remaining)

    # -- one link ----------------------------------------------------------------------

    def fail(self, link: Link, reason: str, parent: str | None, transient: bool = False) -> None:
        if not self.options.dry_run:
            self.journal.failed(link, reason, parent)  # journaled now: a run killed while waiting loses nothing
        if transient and self.round < self.options.late_retries:
            self.deferred.append((self.current, link, parent))
            self.last_failure = time.monotonic()
            return
        self.summary.failed.append((link.key, reason))
        if link.list_id and link.kind == "list":
            self.list_failed.add(link.list_id)
        if not self.options.dry_run and link.fallback:
            self.store_fallback(link)  # the failure stays journaled: retried next run

    def store_fallback(self, link: Link) -> None:
        """The list's own copy of the item (snapshot-shaped), archived under the page URL when the
        page cannot be had. It never replaces a page already archived under that URL."""
        previous = self.archive.latest_for(link.key)
        if link.fallback is None or (previous is not None and previous.kind != "snapshot"):
            return
        _record, is_new = self.archive.store(link.fallback.encode("utf-8"), url=link.key, source=snapshot.NAME,
                                             kind="snapshot", content_type=snapshot.CONTENT_TYPE, status=200)
        self.summary.fallbacks += is_new

    def archived(self, link: Link) -> tuple[Record | None, bytes | None]:
        """The URL's newest record and its bytes; (record, None) when its object is missing or corrupt,
        so the URL is fetched afresh (no conditional request) and storing the bytes repairs the object."""
        previous = self.archive.latest_for(link.key)
        if previous is None:
            return None, None
        try:
            return previous, self.archive.get_bytes(previous.sha256)
        except ArchiveIntegrityError:
            return previous, None

    def visit(self, module: ModuleType, link: Link, parent: str | None) -> None:
        previous, archived = self.archived(link)
        if self.resume and link.key in self.resume.done and archived is not None and previous is not None:
            self.summary.skipped += 1
            self.follow(module, link, archived, previous)
            return
        if self.options.dry_run and link.kind != "list":
            self.summary.would_fetch.append(link.key)
            return
        etag = previous.headers.get("etag") if previous and archived is not None else None
        modified = previous.headers.get("last-modified") if previous and archived is not None else None
        try:
            response = self.fetcher.fetch(link.url, method=link.method, form=dict(link.form) or None,
                                          headers=dict(link.headers), etag=etag, last_modified=modified)
        except FetchError as exc:
            self.fail(link, exc.reason, parent, exc.transient)
            return
        if response.not_modified:
            if previous is None or archived is None:
                self.fail(link, "HTTP 304 for a URL never archived" if previous is None else
                          "HTTP 304 to an unconditional request while its archived copy is damaged", parent)
                return
            self.summary.unchanged += 1
            if not self.options.dry_run:
                self.journal.done(link.key)
            self.follow(module, link, archived, previous)
            return
        if response.status != 200:
            self.fail(link, f"HTTP {response.status}", parent)
            return
        record = self.candidate_record(module, link, response, parent)
        if found := self.check(module, link, response, record):
            self.fail(link, found[0], parent, found[1])
            return
        if self.options.dry_run:
            self.follow(module, link, response.content, record)
            return
        stored, is_new = self.archive.store(
            response.content, **{k: v for k, v in record.__dict__.items() if k not in ("sha256", "size")}
        )
        if not is_new:
            self.summary.unchanged += 1
        elif previous is None:
            self.summary.new += 1
        else:
            self.summary.changed += 1
        self.journal.done(link.key)
        self.follow(module, link, response.content, stored)

    def candidate_record(self, module: ModuleType, link: Link, response: Response, parent: str | None) -> Record:
        return Record(url=link.key, sha256="", source=module.NAME, kind=link.kind, fetched_at=now_iso(),
                      final_url=response.final_url, status=response.status, content_type=response.content_type,
                      headers=response.headers, parent_url=parent, name=link.name, size=len(response.content))

    def check(self, module: ModuleType, link: Link, response: Response, record: Record) -> tuple[str, bool] | None:
        """Why this 200 response is not data and whether that may pass (see garbage.TRANSIENT), or None."""
        if not response.content.strip():
            return "empty body", False
        is_html = "html" in (response.content_type or "") or response.content[:200].lstrip().startswith(b"<")
        if link.kind == "attachment":
            if is_html:
                return garbage.diagnose(response.text) or ("attachment answered with an HTML page", False)
            return None
        if found := garbage.diagnose(response.text):
            return found
        try:
            if link.kind == "page":
                module.parse(response.content, replace(record, sha256="0" * 64))
            else:
                links = module.discover(response.content, record)
                if not any(item.kind == "page" for item in links) and self.expects_items(module, link):
                    return "empty list where items are expected", False
        except Exception as exc:  # a page its own source cannot read is not stored
            return f"unparseable: {type(exc).__name__}: {exc}", False
        return None

    def expects_items(self, module: ModuleType, link: Link) -> bool:
        """Every page of a paged list carries items; a year's static index may still be empty."""
        if not link.list_id:
            return False
        spec: SourceSpec = module.SPEC
        lst = spec.list_by_id(link.list_id)
        return lst.min_items > 0 and lst.kind != "static_index"

    # -- what a fetched item leads to --------------------------------------------------

    def follow(self, module: ModuleType, link: Link, content: bytes, record: Record) -> None:
        if link.kind == "attachment":
            return
        try:
            links = module.discover(content, record)
        except Exception as exc:
            self.summary.failed.append((link.key, f"discover: {type(exc).__name__}: {exc}"))
            return
        since = self.options.since
        if link.kind == "list" and link.list_id:
            pages = [item for item in links if item.kind == "page"]
            self.listed.setdefault(link.list_id, set()).update(item.url for item in pages)
            if since and pages and all(item.date and item.date < since for item in pages):
                links = pages  # everything older than --since: stop paging
        for item in links:
            if since and item.kind == "page" and item.date and item.date < since:
                continue
            if item.kind == "list":
                item = replace(item, list_id=item.list_id or link.list_id)
            source = module.NAME
            if item.kind == "page":  # a page cited by another host's article belongs to its own host's source
                source = _source_for(item, self.all_specs) or module.NAME
            self.enqueue(source, item, record.url if item.kind == "attachment" else None)

    def check_floors(self, specs: list[SourceSpec]) -> None:
        for spec in specs:
            for lst in spec.lists:
                if self.options.since:
                    continue  # --since stops paging early: a partial listing has no floor
                found = len(self.listed.get(lst.id, ()))
                if message := garbage.below_floor(f"{spec.name}/{lst.id}", found, lst.min_items):
                    why = " (one of its pages failed, see above)" if lst.id in self.list_failed else ""
                    self.summary.floor_failures.append(message + why)


def crawl(archive: Archive, state_dir: Path, options: CrawlOptions, *, progress: bool = False,
          console: Console | None = None, fetcher: Fetcher | None = None) -> CrawlSummary:
    """Run one crawl. Raises CrawlError (after writing the summary) when a list falls below its floor."""
    started = time.monotonic()
    journal = CrawlJournal(state_dir)
    names = sorted(options.sources)
    since = options.since.isoformat() if options.since else None
    resume = None if options.dry_run else journal.interrupted(names, since)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(options.http)
    console = console or Console(stderr=True)
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True, disable=not progress)
    task = bar.add_task("crawl", total=None)

    def on_step(key: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, description=key[-60:])

    run = _Run(archive, journal, fetcher, options, resume, on_step)
    if not options.dry_run:
        journal.start(names, since, resume)
        for path in stale_temporaries(archive, STALE_TEMPORARY_SECONDS):  # what killed runs left
            path.unlink(missing_ok=True)
    specs = []
    for name in names:
        module = source_module(name)
        specs.append(module.SPEC)
        for lst in module.SPEC.lists:
            for link in lst.first_pages(options.today):
                run.enqueue(name, link)
    for link, parent in ([] if options.dry_run else journal.pending_failures()):
        if source := _source_for(link, specs):
            run.enqueue(source, link, parent)
    try:
        with bar:
            run.run()
    finally:
        if own_fetcher:
            fetcher.close()
    run.check_floors(specs)
    run.summary.requests = fetcher.requests
    run.summary.seconds = time.monotonic() - started
    if not options.dry_run:
        journal.finish()
    if run.summary.floor_failures:
        raise CrawlError("; ".join(run.summary.floor_failures), run.summary)
    return run.summary


def _source_for(link: Link, specs: list[SourceSpec]) -> str | None:
    host = urlsplit(link.url).hostname
    return next((spec.name for spec in specs if host in spec.hosts), None)



def run_fetch(archive_root: Path, state_dir: Path, *, sources: tuple[str, ...], since: object, dry_run: bool, mirror: str | None,
              rate: float, timeout: float, retries: int, backoff: float, max_bytes: int,
              progress: bool | None, contact: str | None = None, late_retries: int = 2,
              late_backoff: float = 60.0) -> int:
    """The `mofcom-kb fetch` command: crawl, print the summary, return the exit code."""
    unknown = sorted(set(sources) - set(CRAWLABLE))
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)}; crawlable: {', '.join(CRAWLABLE)}")
    since_date = since.date() if isinstance(since, dt.datetime) else None
    if not mirror and not contact:
        raise ValueError(f"a live crawl names who runs it: pass --contact EMAIL_OR_URL (or set {CONTACT_ENV})")
    config = HttpConfig(rate_per_host=rate, timeout=timeout, retries=retries, backoff_base=backoff,
                        max_bytes=max_bytes, mirror=mirror,
                        user_agent=user_agent(contact or "local replay, no live contact"))
    options = CrawlOptions(sources=tuple(sources) or CRAWLABLE, since=since_date, dry_run=dry_run, http=config,
                           late_retries=late_retries, late_backoff=late_backoff)
    console = Console(stderr=True)
    show = console.is_terminal if progress is None else progress
    try:
        summary = crawl(Archive(archive_root), state_dir, options, progress=show, console=console)
    except CrawlError as exc:
        for line in exc.summary.lines():
            print(line)
        console.print(f"mofcom-kb: fetch FAILED: {exc}", style="bold red", highlight=False)
        return 1
    for line in summary.lines():
        print(line)
    return 0
