"""`mofcom-kb import FILE.jsonl`: archive a snapshot file as the `snapshot` source."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.archive import Archive
from ingest.sources import snapshot


@dataclass
class ImportSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)


def import_snapshot(path: Path, archive: Archive) -> ImportSummary:
    summary = ImportSummary()
    known = archive.latest()
    for _lineno, data in snapshot.iter_snapshot(path):
        url = data["source_url"]
        previous = known.get(url)
        record, is_new = archive.store(
            snapshot.encode(data),
            url=url,
            source=snapshot.NAME,
            kind="snapshot",
            content_type=snapshot.CONTENT_TYPE,
            status=200,
        )
        if not is_new:
            summary.unchanged += 1
        elif previous is None:
            summary.new += 1
        else:
            summary.changed += 1
    return summary
