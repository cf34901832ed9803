"""Work Datasette 0.65 repeats on every request although its answer cannot change while the served
files are immutable and the metadata static, done once instead:

- `refresh_schemas`: every table, query and row view first reads `PRAGMA schema_version` of each
  database and the internal catalogue (three trips to the SQL threads for `select 1`). With every
  served file immutable (`datasette -i`) the schema is that of the file: it is refreshed again only
  when a file's inode, size or mtime changes (as the response cache checks). A mutable database
  (`datasette FILE` without -i, `--memory`) keeps Datasette's refresh on every request.
- `_table_permission_allows`: each table permission check deep-copies and merges all metadata
  (metadata.yml and the plugins' get_metadata, both fixed for the life of the process) to find the
  table's `allow` blocks. Its answer per (database, table) is kept; the permission decision itself
  still runs on every request (default_permissions.py and any plugin's permission_allowed hook).
- the schema questions a table page asks its database (primary keys, columns, foreign keys, the FTS
  table, the label column, whether a table exists: 13 of the 19 trips to the SQL threads of a
  listed_entities.json), and how SQLite spells a table's name (Datasette 0.65.5's permission_allowed
  asks on every view-table check: 2 more): for an immutable file each answer is kept, with the file's
  identity, and asked again when the file changes. Callers get a copy; at most MAX_KEPT answers per
  question (table names come from URLs), past that the kept answers are dropped.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

INTERNAL = "_internal"
SCHEMA_QUESTIONS = ("table_exists", "view_exists", "table_names", "view_names", "table_columns",
                    "table_column_details", "primary_keys", "fts_table", "label_column_for_table",
                    "foreign_keys_for_table", "hidden_table_names", "get_all_foreign_keys", "get_table_definition",
                    "get_view_definition")
# permission_allowed's query (datasette/app.py), matched exactly: another Datasette's runs unchanged.
TABLE_NAME_SQL = "select name from sqlite_master where type in ('table', 'view') and name = ? collate nocase"
MAX_KEPT = 1024


def file_identity(datasette: Any) -> tuple[Any, ...] | None:
    """The served files' (path, inode, size, mtime); None when a database can change under the server."""
    out = []
    for name, db in datasette.databases.items():
        if name == INTERNAL:
            continue
        if db.is_mutable or db.is_memory or not db.path:
            return None
        try:
            st = os.stat(db.path)
        except OSError:
            return None
        out.append((db.path, st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def refresh_once(datasette: Any, refresh: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    seen: list[tuple[Any, ...] | None] = [None]

    async def refresh_schemas() -> None:
        identity = file_identity(datasette)
        if identity is not None and identity == seen[0]:
            return
        await refresh()
        seen[0] = identity

    return refresh_schemas


def allows_once(find: Callable[[str, str], list[Any]]) -> Callable[[str, str], list[Any]]:
    found: dict[tuple[str, str], list[Any]] = {}

    def table_permission_allows(database: str, table: str) -> list[Any]:
        key = (database, table)
        if key not in found:
            found[key] = find(database, table)
        return list(found[key])

    return table_permission_allows


def stat_of(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def kept(path: str, ask: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    found: dict[Any, tuple[tuple[int, int, int], Any]] = {}

    async def answer(*args: Any, **kwargs: Any) -> Any:
        identity = stat_of(path)
        key = (args, tuple(sorted(kwargs.items())))
        hit = found.get(key)
        if identity is not None and hit is not None and hit[0] == identity:
            return copy.deepcopy(hit[1])
        value = await ask(*args, **kwargs)
        if identity is not None:
            if len(found) >= MAX_KEPT:
                found.clear()
            found[key] = (identity, value)
        return copy.deepcopy(value)

    return answer


def keep_schema_answers(db: Any) -> None:
    for name in SCHEMA_QUESTIONS:
        ask = getattr(db, name, None)
        if ask is not None:
            setattr(db, name, kept(db.path, ask))
    keep_name_lookups(db)


def keep_name_lookups(db: Any) -> None:
    from datasette.database import Results

    execute = db.execute

    async def spelling(name: str) -> tuple[list[tuple[Any, ...]], bool, Any]:
        found = await execute(TABLE_NAME_SQL, (name,))
        return [tuple(row) for row in found.rows], found.truncated, found.description

    lookup = kept(db.path, spelling)

    async def answer(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if sql == TABLE_NAME_SQL and not args and not kwargs and isinstance(params, tuple) and len(params) == 1:
            rows, truncated, description = await lookup(params[0])
            return Results(rows, truncated, description)
        return await execute(sql, params, *args, **kwargs)

    db.execute = answer


@hookimpl
def startup(datasette: Any) -> None:
    for name, db in datasette.databases.items():
        if name != INTERNAL and not db.is_mutable and not db.is_memory and db.path:
            keep_schema_answers(db)
    datasette.refresh_schemas = refresh_once(datasette, datasette.refresh_schemas)
    if hasattr(datasette, "_table_permission_allows"):
        datasette._table_permission_allows = allows_once(datasette._table_permission_allows)
