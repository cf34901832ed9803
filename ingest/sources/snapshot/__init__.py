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

from ingest.archive import Record
from ingest.document import Attachment, Document
from ingest.parse.numbers import find_numbers

NAME = "snapshot"
CONTENT_TYPE = "application/x-mofcom-snapshot+json"
REQUIRED = ("source_url", "title", "text")

# Portal column name → document type when the text prints no number.
COLUMN_TYPES = {
    "常见问题": "faq",
    "法律": "law",
    "法规": "regulation",
    "规章及规范性文件": "regulation",
    "管制清单": "other",
}


class SnapshotError(ValueError):
    pass


def iter_snapshot(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, record) for each line; raise SnapshotError naming the file and line."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SnapshotError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            missing = [k for k in REQUIRED if not record.get(k)]
            if missing:
                raise SnapshotError(f"{path}:{lineno}: missing {', '.join(missing)}")
            yield lineno, record


def encode(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")


def parse(content: bytes, record: Record) -> Document:
    data = json.loads(content.decode("utf-8"))
    title = data["title"].strip()
    text = data["text"]
    numbers = find_numbers(title) or find_numbers(text)
    number = numbers[0] if numbers else None
    posted = dt.date.fromisoformat(data["posted"]) if data.get("posted") else None
    doc_type = "announcement" if number else COLUMN_TYPES.get(data.get("column", ""), "other")
    return Document(
        doc_id=number.canonical if number else f"{NAME}:{record.sha256[:16]}",
        doc_type=doc_type,
        title=title,
        text=text,
        original_text=text,
        source=NAME,
        doc_number=number.canonical if number else None,
        doc_number_printed=number.printed if number else None,
        posted_date=posted,
        source_urls=(data["source_url"],),
        attachments=tuple(Attachment(name=a["name"], url=a["url"]) for a in data.get("attachments", [])),
        raw_sha256=record.sha256,
        column=data.get("column"),
    )
