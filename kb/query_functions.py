"""The SQL functions the published queries (kb/schema.yml `queries`) call, registered on any connection
that runs them: Datasette's (plugin hooks) and the CLI's (kb/on_date.py)."""

from __future__ import annotations

import sqlite3

from kb import glossary, search


def register(conn: sqlite3.Connection) -> None:
    """gloss_en, label_en (kb/glossary.py) and kb_fts_query (kb/search.py)."""
    glossary.register(conn)
    search.register(conn)
