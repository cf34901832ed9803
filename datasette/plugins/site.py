"""Site-wide bits: menu links to the knowledge-base pages, and template variables (today's date; whether
the database holds samples only, for the banner on every page; on the home page, the public tables in
reading order with their row counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Any

from datasette import hookimpl

DB = "mofcom"
# Reading order on the home page: the documents, what they say, where they say it, then the plumbing.
HOME_TABLES = (
    "documents", "document_status_periods", "document_relations", "controls", "hs_codes", "thresholds",
    "listed_entities", "list_membership_periods", "exemptions", "end_uses", "obligations", "law_references", "part_effective_dates",
    "date_mentions", "spans", "search_index",
)


@hookimpl
def menu_links() -> list[dict[str, str]]:
    return [
        {"href": "/-/search", "label": "搜索 Search"},
        {"href": "/-/timeline", "label": "时间线 Timeline"},
        {"href": "/-/feeds/documents.atom", "label": "Atom: 新文件 new documents"},
    ]


async def samples_only(datasette: Any) -> bool:
    """Whether the database was built from team-written samples alone (build_info.material), asked once:
    the served file is immutable."""
    cached = getattr(datasette, "_kb_samples_only", None)
    if cached is None:
        cached = False
        if DB in datasette.databases:
            db = datasette.get_database(DB)
            if "build_info" in await db.table_names():
                row = (await db.execute("select value from build_info where key = 'material'")).first()
                cached = row is not None and row[0] == "samples only"
        datasette._kb_samples_only = cached
    return bool(cached)


@hookimpl
def extra_template_vars(view_name: str, datasette: Any) -> Awaitable[dict[str, Any]]:
    async def variables() -> dict[str, Any]:
        out: dict[str, Any] = {"today": dt.date.today().isoformat(), "kb_samples_only": await samples_only(datasette)}
        if view_name == "index" and DB in datasette.databases:
            db = datasette.get_database(DB)
            present = set(await db.table_names())
            counts = await db.table_counts(limit=100)
            out["kb_tables"] = [{"name": t, "count": counts.get(t)} for t in HOME_TABLES if t in present]
        return out

    return variables()
