"""Digests of what a build depends on, so a rebuild with nothing new does nothing.

- `inputs_fingerprint`: the archive manifest (objects are content-addressed, so the manifest names
  every byte) plus the code and data files of the `ingest` and `kb` packages. Equal fingerprint and
  an existing database → the build is a no-op.
- `pipeline_version`: kb.extract.PIPELINE_VERSION, memoised in state/ against a digest of the files
  it is computed from (a superset), so probing the facts cache does not import spaCy.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import ingest
import kb

PACKAGES = (Path(ingest.__file__).resolve().parent, Path(kb.__file__).resolve().parent)
# Where kb.extract reads what PIPELINE_VERSION hashes (kb/extract/pipeline.py: _VERSIONED).
EXTRACT_INPUTS = (PACKAGES[1] / "extract", PACKAGES[0] / "parse")
MEMO_NAME = "pipeline-version.json"


def tree_digest(roots: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(archive_root: Path) -> str:
    manifest = archive_root / "manifest.jsonl"
    digest = hashlib.sha256(manifest.read_bytes() if manifest.exists() else b"")
    digest.update(tree_digest(PACKAGES).encode())
    return digest.hexdigest()


def built_fingerprint(db_path: Path) -> str | None:
    """The fingerprint recorded by the build that wrote db_path, if any."""
    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM build_info WHERE key = 'inputs_fingerprint'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def pipeline_version(state_dir: Path) -> str:
    key = tree_digest(EXTRACT_INPUTS)
    memo = state_dir / MEMO_NAME
    try:
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved.get("inputs") == key:
            return str(saved["version"])
    except (OSError, ValueError, KeyError):
        pass
    from kb.extract import (
        PIPELINE_VERSION,  # here, not at the top: it loads spaCy, the memo above avoids that
    )

    version = PIPELINE_VERSION
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = memo.with_suffix(".tmp")
    tmp.write_text(json.dumps({"inputs": key, "version": version}), encoding="utf-8")
    tmp.replace(memo)
    return version
