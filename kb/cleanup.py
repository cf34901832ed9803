"""What killed writes leave in a data dir, and removing it safely (`mofcom-kb verify --clean`):

- `archive/objects/*/.tmp-*`: an object write cut short (ingest/archive.py), older than `min_age`
  (a younger one may be a fetch writing right now: the archive has no lock);
- `mofcom.db.new`: a killed build's scratch file, removed only while no build holds the build lock
  (a build also removes it itself when it starts);
- `state/**/*.tmp`: a state file rewrite cut short (crawl journal, pipeline-version memo), older
  than `min_age`.
"""

from __future__ import annotations

import time
from pathlib import Path

from ingest.archive import Archive
from ingest.archive_verify import stale_temporaries
from kb.build import build_lock
from kb.errors import KbError
from kb.paths import DataDir


def stray_files(data: DataDir, min_age: float, now: float | None = None) -> list[Path]:
    now = time.time() if now is None else now
    found = stale_temporaries(Archive(data.archive), min_age, now)
    if data.state.is_dir():
        found += sorted(p for p in data.state.rglob("*.tmp") if p.is_file() and now - p.stat().st_mtime >= min_age)
    scratch = data.db.with_name(data.db.name + ".new")
    if scratch.exists():
        found.append(scratch)
    return found


def clean(data: DataDir, min_age: float, now: float | None = None) -> list[Path]:
    """Remove the stray files; returns what was removed. A build in progress keeps its scratch file."""
    removed = []
    scratch = data.db.with_name(data.db.name + ".new")
    for path in stray_files(data, min_age, now):
        if path == scratch:
            try:
                with build_lock(data.state, data.db):
                    path.unlink(missing_ok=True)
            except KbError:
                continue  # a build is running: the file is its work in progress
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
