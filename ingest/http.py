"""A polite HTTP client for MOFCOM: one request per second per host, robots.txt, a
User-Agent with a contact, timeouts, retries with exponential backoff and jitter
(honouring Retry-After), conditional requests, a host allow-list checked on every
redirect hop, a body size cap, and bytes decoded by declared or detected charset.

With a mirror (`--mirror URL`) every logical URL `https://<host>/<path>` is sent to
`URL/<host>/<path>`; allow-list, robots.txt and rate limits still apply to the
logical host, so a local replay exercises exactly the production rules.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

CONTACT_ENV = "MOFCOM_KB_CONTACT"
# Whoever runs a live crawl names themselves (fetch refuses live crawls without it); replays need none.
USER_AGENT = "mofcom-kb/0.1 (open export-control knowledge base; contact: {contact})"


def user_agent(contact: str) -> str:
    return USER_AGENT.format(contact=contact)
ALLOWED_HOST_SUFFIXES = ("mofcom.gov.cn", "gov.cn")
KEPT_HEADERS = ("etag", "last-modified", "content-type", "content-disposition")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
TOTAL_TIMEOUT_FACTOR = 4  # a whole body may take this many timeouts


class FetchError(Exception):
    """A request that produced no usable response; `reason` is short and names the cause.
    `transient`: the same request may well succeed later in the run (a timeout, a 5xx)."""

    transient = False

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class HostNotAllowed(FetchError):
    pass


class RobotsDisallowed(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class RetriesExhausted(FetchError):
    transient = True


class RetryLater(RetriesExhausted):
    """The server asked for more than max_retry_after: not asked again this run."""

    transient = False


@dataclass(frozen=True)
class HttpConfig:
    """Production defaults are polite; tests shrink the delays, never the rules."""

    user_agent: str = user_agent("local replay, no live contact")
    rate_per_host: float = 1.0  # requests per second per logical host
    timeout: float = 30.0
    retries: int = 4
    backoff_base: float = 2.0  # seconds; attempt n waits base * 2**n, jittered
    backoff_max: float = 120.0
    max_retry_after: float = 600.0  # a longer Retry-After means: give up for this run
    max_bytes: int = 64 * 1024 * 1024
    allowed_host_suffixes: tuple[str, ...] = ALLOWED_HOST_SUFFIXES
    respect_robots: bool = True
    mirror: str | None = None


@dataclass(frozen=True)
class Response:
    url: str  # logical URL requested
    final_url: str  # logical URL after redirects
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)  # only KEPT_HEADERS, lower-case names

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def text(self) -> str:
        return decode_body(self.content, self.content_type)


def host_allowed(url: str, suffixes: tuple[str, ...] = ALLOWED_HOST_SUFFIXES) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(host == s or host.endswith("." + s) for s in suffixes)


def mirror_url(url: str, mirror: str) -> str:
    """`https://host/path?q` → `MIRROR/host/path?q`."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror.rstrip('/')}/{parts.netloc}{path}{query}"


def unmirror_url(url: str, mirror: str) -> str | None:
    """The logical URL behind a mirror URL, or None when `url` is not under the mirror."""
    prefix = mirror.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    return "https://" + url[len(prefix):]


# -- charsets --------------------------------------------------------------------------

_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
# GB2312 and GBK are subsets of GB18030: decoding as the superset never loses a character.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                    "cp936": "gb18030", "utf8": "utf-8"}


def _normalise_charset(name: str) -> str:
    name = name.strip().lower()
    return _CHARSET_ALIASES.get(name, name)


def detect_charset(content: bytes, content_type: str | None = None) -> str:
    """Declared (header, BOM, meta) charset if any, else UTF-8 when the bytes are valid UTF-8, else GB18030."""
    if content_type and (m := _CHARSET_PARAM.search(content_type)):
        return _normalise_charset(m.group(1))
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if m2 := _META_CHARSET.search(content[:4096]):
        return _normalise_charset(m2.group(1).decode("ascii", "replace"))
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode_body(content: bytes, content_type: str | None = None) -> str:
    charset = detect_charset(content, content_type)
    try:
        return content.decode(charset).removeprefix("\ufeff")
    except (UnicodeDecodeError, LookupError):
        pass
    # A wrong declaration: trust the bytes instead.
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


# -- politeness ------------------------------------------------------------------------


class HostRateLimiter:
    """At most `rate` requests per second per host (the interval is measured start to start)."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self.last: dict[str, float] = {}
        self.extra: dict[str, float] = {}  # robots.txt Crawl-delay per host

    def ready_in(self, host: str) -> float:
        """Seconds until `host` may be asked again (≤ 0: now)."""
        if host not in self.last:
            return 0.0
        return self.last[host] + max(self.interval, self.extra.get(host, 0.0)) - self.clock()

    def wait(self, host: str) -> None:
        due = self.ready_in(host)
        if due > 0:
            self.sleep(due)
        self.last[host] = self.clock()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Fetcher:
    """One per crawl run. Counts the requests it sends (`requests`)."""

    def __init__(
        self,
        config: HttpConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config or HttpConfig()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.limiter = HostRateLimiter(self.config.rate_per_host, clock, sleep)
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.requests = 0
        self.client = httpx.Client(
            headers={"User-Agent": self.config.user_agent},
            timeout=httpx.Timeout(self.config.timeout),
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """Fetch `url` (logical), following allowed redirects, with retries. Raises FetchError."""
        self._check_allowed(url, url)
        self._check_robots(url)
        extra = dict(headers or {})
        if etag:
            extra["If-None-Match"] = etag
        if last_modified:
            extra["If-Modified-Since"] = last_modified
        current, current_method, current_form = url, method, form
        for _hop in range(MAX_REDIRECTS + 1):
            status, body, kept, location = self._with_retries(current, current_method, current_form, extra)
            if status not in REDIRECT_STATUSES or not location:
                return Response(url=url, final_url=current, status=status, content=body, headers=kept)
            target = self._resolve_location(current, location)
            self._check_allowed(url, target)
            self._check_robots(target)
            if status == 303 or (status in (301, 302) and current_method != "GET"):
                current_method, current_form = "GET", None
            current = target
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    # -- internals ---------------------------------------------------------------------

    def _physical(self, url: str) -> str:
        return mirror_url(url, self.config.mirror) if self.config.mirror else url

    def _check_allowed(self, origin: str, url: str) -> None:
        if not host_allowed(url, self.config.allowed_host_suffixes):
            what = "redirect to" if origin != url else "URL on"
            raise HostNotAllowed(origin, f"{what} off-list host {urlsplit(url).hostname or url!r} refused")

    def _resolve_location(self, current: str, location: str) -> str:
        if not urlsplit(location).scheme:
            return urljoin(current, location)  # relative: against the logical URL
        if self.config.mirror and (logical := unmirror_url(location, self.config.mirror)):
            return logical
        return location

    def _check_robots(self, url: str) -> None:
        if not self.config.respect_robots:
            return
        host = urlsplit(url).netloc
        if host not in self.robots:
            self.robots[host] = self._load_robots(host)
        parser = self.robots[host]
        if parser is None:
            raise RobotsDisallowed(url, f"robots.txt of {host} unreachable: not crawling it this run")
        if not parser.can_fetch(self.config.user_agent, url):
            raise RobotsDisallowed(url, "disallowed by robots.txt")

    def _load_robots(self, host: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser()
        try:
            status, body, kept, _ = self._with_retries(f"https://{host}/robots.txt", "GET", None, {})
        except FetchError:
            return None  # RFC 9309: unreachable robots.txt means full disallow
        if 400 <= status < 500:
            parser.parse([])  # no robots.txt: everything allowed
        elif status >= 300:
            return None
        else:
            parser.parse(decode_body(body, kept.get("content-type")).splitlines())
            delay = parser.crawl_delay(self.config.user_agent)
            if delay:
                self.limiter.extra[host] = float(delay)
        return parser

    def _with_retries(
        self, url: str, method: str, form: Mapping[str, str] | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes, dict[str, str], str | None]:
        reason = ""
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                status, body, kept, location, retry_after_header = self._send(url, method, form, headers)
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.RemoteProtocolError as exc:
                reason = f"truncated or malformed response ({exc})"
            except httpx.TransportError as exc:
                reason = f"connection error ({type(exc).__name__}: {exc})"
            else:
                if status != 429 and status < 500:
                    return status, body, kept, location
                reason = f"HTTP {status}"
                retry_after = retry_after_seconds(retry_after_header)
                if retry_after is not None and retry_after > self.config.max_retry_after:
                    raise RetryLater(url, f"{reason} with Retry-After {retry_after:.0f}s: later run")
            if attempt + 1 < attempts:
                self.sleep(self._backoff(attempt, retry_after))
        raise RetriesExhausted(url, f"{reason} after {attempts} attempts")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = min(self.config.backoff_max, self.config.backoff_base * 2**attempt)
        delay *= self.rng.uniform(0.5, 1.5)  # jitter: retries from many runs do not align
        return max(delay, retry_after or 0.0)

    def _send(
        self, url: str, method: str, form: Mapping[str, str] | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes, dict[str, str], str | None, str | None]:
        host = urlsplit(url).netloc
        self.limiter.wait(host)
        self.requests += 1
        cap = self.config.max_bytes
        with self.client.stream(method, self._physical(url), data=dict(form) if form else None,
                                headers=dict(headers)) as resp:
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise BodyTooLarge(url, f"body of {declared} bytes exceeds the {cap}-byte cap")
            chunks: list[bytes] = []
            size = 0
            # the read timeout bounds each chunk; this bounds a server dripping bytes forever
            deadline = self.limiter.clock() + self.config.timeout * TOTAL_TIMEOUT_FACTOR
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise BodyTooLarge(url, f"body exceeds the {cap}-byte cap")
                if self.limiter.clock() > deadline:
                    raise httpx.ReadTimeout(f"body not complete after {self.config.timeout * TOTAL_TIMEOUT_FACTOR:.0f}s")
                chunks.append(chunk)
            kept = {k: resp.headers[k] for k in KEPT_HEADERS if k in resp.headers}
            return (resp.status_code, b"".join(chunks), kept, resp.headers.get("location"),
                    resp.headers.get("retry-after"))
