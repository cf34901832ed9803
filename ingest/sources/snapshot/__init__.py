"""Snapshot files: JSON Lines of portal records, shaped like the corpus file
`exportcontrol-notices.jsonl` (source_url, column, title, posted, text, attachments).

Each line is archived as its own object (canonical JSON bytes), so an imported
snapshot follows the same archive → parse → build path as crawled pages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ingest.archive import Record, sha256_bytes
from ingest.document import Attachment, Document
from ingest.parse.document_builder import PageFields, build_document
from ingest.parse.errors import ParseError
from ingest.sample_marks import record_declares_sample

NAME = "snapshot"
CONTENT_TYPE = "application/x-mofcom-snapshot+json"
REQUIRED = ("title", "text")  # source_url may be missing: the record is then keyed by its text (record_key)
UNKNOWN_URL_PREFIX = "urn:sha256:"


class SnapshotError(ParseError):
    """A snapshot line or record that is not a usable portal record; names file:line or URL."""


def record_url(data: dict) -> str | None:
    """The record's own URL, or None when the record does not know it (empty or missing)."""
    url = data.get("source_url")
    return url.strip() if isinstance(url, str) and url.strip() else None


def record_key(data: dict) -> str:
    """The archive key of a record: its URL, else `urn:sha256:<sha256 of its text>` (stable: the same
    text always gets the same key, so re-importing it changes nothing)."""
    url = record_url(data)
    if url is not None:
        return url
    return UNKNOWN_URL_PREFIX + sha256_bytes(str(data.get("text") or "").encode("utf-8"))


def iter_snapshot(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, record) for each line; raise SnapshotError naming the file and line of the
    first bad one (`mofcom-kb import` reads the whole file first: ingest/snapshot_validation.py)."""
    from ingest.snapshot_validation import read_snapshot

    checked = read_snapshot(path)
    if checked.errors:
        first = checked.errors[0]
        raise SnapshotError(f"{path}:{first.line}", first.reason)
    yield from ((line.line, line.record) for line in checked.lines)


def encode(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")


def parse(content: bytes, record: Record) -> Document:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(record.url, f"snapshot record is not UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SnapshotError(record.url, f"snapshot record is a JSON {type(data).__name__}, not an object")
    missing = [k for k in REQUIRED if not data.get(k)]
    if missing:
        raise SnapshotError(record.url, f"snapshot record lacks {', '.join(missing)}")
    if problems := field_problems(data):
        raise SnapshotError(record.url, "; ".join(problems))
    return build_document(fields_of(data, record.sha256))


def field_problems(data: dict) -> list[str]:
    """Fields of the wrong type or form (a number as title, posted 2020-13-45), each a short reason."""
    problems = [f"{k} is a {type(data[k]).__name__}, not text" for k in ("source_url", "title", "text", "column")
                if data.get(k) is not None and not isinstance(data[k], str)]
    posted = data.get("posted")
    if posted not in (None, ""):
        try:
            if not isinstance(posted, str) or len(posted) != 10:
                raise ValueError
            dt.date.fromisoformat(posted)
        except ValueError:
            problems.append(f"posted is not a date (YYYY-MM-DD): {str(posted)[:40]!r}")
    attachments = data.get("attachments")
    if attachments is not None and not (isinstance(attachments, list) and all(
            isinstance(a, dict) and isinstance(a.get("url"), str) and isinstance(a.get("name") or "", str)
            for a in attachments)):
        problems.append("attachments is not a list of {url, name} objects")
    return problems


def parse_data(data: dict) -> Document:
    """One snapshot record (a parsed JSON line), parsed as `import` then `build` would, with no archive."""
    content = encode(data)
    record = Record(url=record_key(data), sha256=sha256_bytes(content), source=NAME, kind="snapshot",
                    fetched_at="")
    return parse(content, record)


def parse_file(path: Path, line: int | None = None) -> list[Document]:
    """Every record of a snapshot file (or only the one on `line`), parsed."""
    documents = [parse_data(data) for lineno, data in iter_snapshot(path) if line is None or lineno == line]
    if line is not None and not documents:
        raise ParseError(path, f"no record on line {line}")
    return documents


def fields_of(data: dict, raw_sha256: str | None = None) -> PageFields:
    """A snapshot record (the corpus format) → the fields every source hands to build_document."""
    posted = dt.date.fromisoformat(data["posted"]) if data.get("posted") else None
    return PageFields(
        title=data["title"],
        text=data["text"],
        source=NAME,
        source_urls=(url,) if (url := record_url(data)) else (),  # URL unknown: none, never the urn key
        posted_date=posted,
        column=data.get("column"),
        attachments=tuple(
            Attachment(name=a.get("name") or _name_from_url(a["url"]), url=a["url"])
            for a in data.get("attachments") or []
        ),
        raw_sha256=raw_sha256,
        is_sample=record_declares_sample(data),
    )


def _name_from_url(url: str) -> str:
    """An attachment listed without a name: its fileName= parameter, else the URL's last segment."""
    query = parse_qs(urlsplit(url).query)
    if query.get("fileName"):
        return query["fileName"][0]
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])
