"""`mofcom-kb on DATE`: the point-in-time questions from the command line, through the same
parameterised queries the database publishes (kb/schema.yml `status_on`, `controlled_on`,
`entities_on_lists`)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from kb import query_functions
from kb.errors import KbError
from kb.schema import load_schema


def run_query(db_path: Path, name: str, date: dt.date, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """A published query on `date`, given as :date (and as :on, the name entities_on_lists takes)."""
    if not db_path.exists():
        raise KbError(f"{db_path}: no database yet (run `mofcom-kb build` first)")
    sql = load_schema().queries[name]["sql"]
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # read-only: never touches a served file
    conn.row_factory = sqlite3.Row
    query_functions.register(conn)
    try:
        bound = {"date": date.isoformat(), "on": date.isoformat(), **(params or {})}
        return [dict(row) for row in conn.execute(sql, bound)]
    finally:
        conn.close()


def on_date(db_path: Path, date: dt.date, code: str | None = None,
            list_name: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Status of every document (and dated part) on `date`, the control codes in force then, and who was on
    which list (with the status of the measures against them); `code` keeps the controls whose code is it or
    starts with it (1C9, 1C902, 1C902.a), `list_name` the entities of one list."""
    statuses = run_query(db_path, "status_on", date)
    controls = run_query(db_path, "controlled_on", date)
    if code:
        controls = [c for c in controls if c["control_code"].upper().startswith(code.upper())]
    entities = run_query(db_path, "entities_on_lists", date, {"list": list_name or ""})
    return {"statuses": statuses, "controls": controls, "entities": entities}


def samples_only(db_path: Path) -> bool:
    """Whether the database was built from team-written samples alone (build_info.material)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM build_info WHERE key = 'material'").fetchone()
    except sqlite3.OperationalError:  # a database built before build_info held it
        return False
    finally:
        conn.close()
    return row is not None and row[0] == "samples only"
