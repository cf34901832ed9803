"""The open extraction checks of a built database, one line each (for `mofcom-kb build` and `--strict`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_checks(db_path: Path) -> list[str]:
    """'number or title: check — expected …, found …' per extraction_checks row; [] without the table."""
    if not db_path.is_file():
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'extraction_checks'").fetchone() is None:
            return []
        rows = conn.execute(
            'SELECT coalesce(d.doc_number, d.title), c."check", c.expected, c.found FROM extraction_checks c '
            "JOIN documents d ON d.id = c.document_id ORDER BY d.id, c.id"
        ).fetchall()
    finally:
        conn.close()
    return [f"{doc}: {check} — expected {expected}, found {found}" for doc, check, expected, found in rows]
