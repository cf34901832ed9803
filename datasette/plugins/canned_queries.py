"""The canned queries of the mofcom database: kb/schema.yml `queries`, the one definition (also run by
`mofcom-kb on`), given to Datasette here rather than copied into metadata.yml. Read on every call, so
a query added to the definition is published by the next request to a server that reads it."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from kb.paths import DB_NAME
from kb.schema import load_schema

# What Datasette's canned-query shape takes from a definition (its own keys, passed through as written).
CANNED_KEYS = ("sql", "title", "description", "hide_sql", "fragment", "params")


def published_queries() -> dict[str, dict[str, Any]]:
    return {
        name: {key: spec[key] for key in CANNED_KEYS if key in spec}
        for name, spec in load_schema().queries.items()
    }


@hookimpl
def canned_queries(database: str) -> dict[str, dict[str, Any]] | None:
    return published_queries() if database == DB_NAME else None
