"""A snapshot file read whole and checked before anything of it is archived: `mofcom-kb import` stores
all its lines or none, and reports every bad line (number and reason, one line each).

A record without a `source_url` (empty or missing) is valid: it is archived under the stable key
`urn:sha256:<sha256 of its text>` with its URL unknown, and the import warns about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.limits import limits, read_bounded
from ingest.parse.dates import iso_day
from ingest.sample_marks import SNAPSHOT_FIELD, is_sample_host, record_declares_sample
from ingest.sources.snapshot import encode, record_key, record_url

SHOWN_CHARS = 60  # a bad value is quoted up to this many characters, so each report stays one line


@dataclass(frozen=True)
class LineProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class CheckedLine:
    line: int
    record: dict[str, Any]
    key: str  # the archive key: the source_url, or urn:sha256:… when the URL is unknown


@dataclass
class CheckedSnapshot:
    path: Path
    lines: list[CheckedLine] = field(default_factory=list)
    errors: list[LineProblem] = field(default_factory=list)
    warnings: list[LineProblem] = field(default_factory=list)

    def reports(self, problems: list[LineProblem]) -> list[str]:
        return [f"{self.path}:{p.line}: {p.reason}" for p in problems]


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _text_field(record: dict[str, Any], name: str) -> list[str]:
    value = record.get(name)
    if value is None or value == "":
        return [f"missing {name}"]
    if not isinstance(value, str):
        return [f"{name} is a {type(value).__name__}, not text"]
    if not value.strip():
        return [f"{name} is blank"]
    return []


def _url_problem(name: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{name} is a {type(value).__name__}, not a URL"
    try:
        parts = urlsplit(value.strip())
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # e.g. an unbalanced [ in the host
        scheme, host = "", None
    if scheme not in ("http", "https") or not host or any(ord(c) < 32 for c in value):
        return f"{name} is not an http(s) URL: {shown(value)}"
    return None


def check_record(record: Any) -> list[str]:
    """Every reason this parsed line is not a usable record (empty: valid). Pure."""
    if not isinstance(record, dict):
        return [f"a JSON {type(record).__name__}, not an object"]
    problems = _text_field(record, "title") + _text_field(record, "text")
    text = record.get("text")
    if isinstance(text, str) and len(text) > (limit := limits().document_text_chars):
        problems.append(f"text of {len(text):,} characters is over the {limit:,}-character limit")
    url = record.get("source_url")
    if url not in (None, "") and (problem := _url_problem("source_url", url)):
        problems.append(problem)
    posted = record.get("posted")
    if posted not in (None, "") and iso_day(posted) is None:
        problems.append(f"posted is not a date (YYYY-MM-DD): {shown(posted)}")
    if record.get("column") is not None and not isinstance(record.get("column"), str):
        problems.append(f"column is a {type(record['column']).__name__}, not text")
    problems += _attachment_problems(record.get("attachments"))
    problems += _sample_problems(record)
    return problems


def _attachment_problems(attachments: Any) -> list[str]:
    if attachments is None:
        return []
    if not isinstance(attachments, list):
        return [f"attachments is a {type(attachments).__name__}, not a list"]
    problems = []
    for n, item in enumerate(attachments, 1):
        if not isinstance(item, dict):
            problems.append(f"attachment {n} is a {type(item).__name__}, not an object")
        elif problem := _url_problem(f"attachment {n} url", item.get("url")):
            problems.append(problem)
        elif item.get("name") is not None and not isinstance(item["name"], str):
            problems.append(f"attachment {n} name is a {type(item['name']).__name__}, not text")
    return problems


def _sample_problems(record: dict[str, Any]) -> list[str]:
    """A team-written sample never poses under a real URL, and a .invalid URL is only for samples."""
    flag = record.get(SNAPSHOT_FIELD)
    if flag is not None and not isinstance(flag, bool):
        return [f"{SNAPSHOT_FIELD} is {shown(flag)}, not true or false"]
    url = record_url(record)
    if url is None or not isinstance(url, str):
        return []
    if record_declares_sample(record) and not is_sample_host(url):
        return [f"a sample (\"{SNAPSHOT_FIELD}\": true) must not pose under a real URL: {shown(url)} "
                f"(use a .invalid host, e.g. https://example.invalid/mofcom-kb-sample/…)"]
    return []


def sample_warning(record: dict[str, Any]) -> str | None:
    """A .invalid URL without the sample flag: most likely a sample that forgot to say so, which would
    count as real material and push every other sample out of the build. Warned, not refused: tests and
    demos use example.invalid for records they mean as real."""
    url = record_url(record)
    if url is not None and is_sample_host(url) and not record_declares_sample(record):
        return f"a .invalid URL without \"{SNAPSHOT_FIELD}\": true: imported as real material, not a sample"
    return None


def read_snapshot(path: Path) -> CheckedSnapshot:
    """Every line of `path` checked; nothing stored. A file over the size limit raises LimitError."""
    checked = CheckedSnapshot(Path(path))
    seen: dict[str, tuple[int, bytes]] = {}  # key → (line, canonical bytes)
    record_limit = limits().record_bytes
    for number, raw in enumerate(read_bounded(Path(path)).split(b"\n"), 1):
        if not raw.strip():
            continue
        if len(raw) > record_limit:
            checked.errors.append(LineProblem(number, f"line of {len(raw):,} bytes is over the "
                                                      f"{record_limit:,}-byte record limit"))
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            checked.errors.append(LineProblem(number, f"not UTF-8 (byte {exc.start})"))
            continue
        except json.JSONDecodeError as exc:
            checked.errors.append(LineProblem(number, f"not JSON ({exc.msg} at column {exc.colno})"))
            continue
        problems = check_record(record)
        if problems:
            checked.errors.append(LineProblem(number, "; ".join(problems)))
            continue
        key = record_key(record)
        content = encode(record)
        if key in seen:
            first, earlier = seen[key]
            if earlier != content:  # identical repeats are harmless; two versions under one key are not
                what = "source_url" if record_url(record) else "text (and no source_url)"
                checked.errors.append(LineProblem(number, f"same {what} as line {first}, other content"))
            continue
        seen[key] = (number, content)
        if record_url(record) is None:
            checked.warnings.append(LineProblem(number, f"no source_url: imported with its URL unknown, as {key}"))
        if warning := sample_warning(record):
            checked.warnings.append(LineProblem(number, warning))
        checked.lines.append(CheckedLine(number, record, key))
    return checked
