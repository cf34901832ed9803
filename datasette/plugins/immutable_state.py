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
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

INTERNAL = "_internal"


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


@hookimpl
def startup(datasette: Any) -> None:
    datasette.refresh_schemas = refresh_once(datasette, datasette.refresh_schemas)
    if hasattr(datasette, "_table_permission_allows"):
        datasette._table_permission_allows = allows_once(datasette._table_permission_allows)
