"""Site-wide bits: menu links to the knowledge-base pages, and template variables (today's date;
on the home page, the public tables in reading order with their row counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Any

from datasette import hookimpl

DB = "mofcom"
# Reading order on the home page: the documents, what they say, where they say it, then the plumbing.
HOME_TABLES = (
    "documents", "document_status_periods", "document_relations", "controls", "hs_codes", "catalogue_editions",
    "catalogue_entries", "technology_entries", "technology_status_periods", "thresholds",
    "listed_entities", "exemptions", "end_uses", "obligations", "law_references", "part_effective_dates",
    "date_mentions", "spans", "search_index",
)


@hookimpl
def menu_links() -> list[dict[str, str]]:
    return [
        {"href": "/-/search", "label": "搜索 Search"},
        {"href": "/-/timeline", "label": "时间线 Timeline"},
        {"href": "/-/feeds/documents.atom", "label": "Atom: 新文件 new documents"},
    ]


@hookimpl
def extra_template_vars(view_name: str, datasette: Any) -> Awaitable[dict[str, Any]]:
    async def variables() -> dict[str, Any]:
        out: dict[str, Any] = {"today": dt.date.today().isoformat()}
        if view_name == "index" and DB in datasette.databases:
            db = datasette.get_database(DB)
            present = set(await db.table_names())
            counts = await db.table_counts(limit=100)
            out["kb_tables"] = [{"name": t, "count": counts.get(t)} for t in HOME_TABLES if t in present]
        return out

    return variables()
