"""Site-wide bits: menu links to the knowledge-base pages, and template variables (today's date; whether
the database holds samples only, for the banner on every page; on the home page: what the KB covers and as
of when, what is in force today, what changed in the last 90 days, and the public tables in reading order
with their row counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb import changes as kb_changes
from kb.status_words import last_day

DB = "mofcom"
# Reading order on the home page: the documents, what they say, where they say it, then the plumbing.
HOME_TABLES = (
    "documents", "document_status_periods", "document_relations", "controls", "hs_codes", "thresholds",
    "listed_entities", "list_membership_periods", "exemptions", "end_uses", "obligations", "law_references", "part_effective_dates",
    "date_mentions", "extraction_checks", "spans", "search_index",
)


RECENT_DAYS = 90
COVERAGE_SQL = {
    "doc_types": """select doc_type, count(*) as n from documents where known_only_by_reference = 0
                    group by doc_type order by n desc, doc_type""",
    "referenced": "select count(*) as n from documents where known_only_by_reference = 1",
    "codes": "select count(distinct control_code) as n from controls where role = 'control'",
    "hs": "select count(distinct hs_code) as n from hs_codes",
    "lists": "select list_name, count(*) as n from listed_entities group by list_name order by n desc",
    "newest": """select id, doc_number, title, coalesce(signed_date, posted_date) as date from documents
                 where known_only_by_reference = 0 and coalesce(signed_date, posted_date) is not null
                 order by date desc, id limit 1""",
}
# The whole-document status of every document today, and the control codes in force today.
TODAY_SQL = """
select p.status, p.document_id, d.doc_number, d.title, p.start_date, p.end_date, p.caused_by_document_id,
       coalesce(c.doc_number, c.title) as caused_by_number
from document_status_periods p join documents d on d.id = p.document_id
left join documents c on c.id = p.caused_by_document_id
where p.part is null and p.start_date <= :d and (p.end_date is null or :d < p.end_date)
  and d.attachment_of is null
order by p.status, coalesce(d.signed_date, d.posted_date) desc
"""
CODES_TODAY_SQL = """select count(distinct control_code) as n from control_status_periods
where status = 'in_force' and start_date <= :d and (end_date is null or :d < end_date)"""


async def first(db: Any, sql: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    found = [dict(r) for r in await db.execute(sql, params or {})]
    return found[0] if found else {}


def built_on(db: Any, info: dict[str, str]) -> str | None:
    """The build date: build_info.built_at when the build records it, else the database file's mtime
    (a build writes a new file and renames it into place)."""
    if info.get("built_at"):
        return info["built_at"][:10]
    if db.path and Path(db.path).is_file():
        return dt.datetime.fromtimestamp(Path(db.path).stat().st_mtime, dt.UTC).date().isoformat()
    return None


async def home_facts(db: Any, today: dt.date) -> dict[str, Any]:
    day = today.isoformat()
    present = set(await db.table_names())
    coverage: dict[str, Any] = {
        "doc_types": [dict(r) for r in await db.execute(COVERAGE_SQL["doc_types"])],
        "referenced": (await first(db, COVERAGE_SQL["referenced"])).get("n", 0),
        "codes": (await first(db, COVERAGE_SQL["codes"])).get("n", 0),
        "hs": (await first(db, COVERAGE_SQL["hs"])).get("n", 0),
        "lists": [dict(r) for r in await db.execute(COVERAGE_SQL["lists"])],
        "newest": await first(db, COVERAGE_SQL["newest"]),
    }
    coverage["documents"] = sum(r["n"] for r in coverage["doc_types"])
    info = ({r["key"]: r["value"] for r in await db.execute("select key, value from build_info")}
            if "build_info" in present else {})
    coverage["built"] = built_on(db, info)
    statuses: dict[str, list[dict[str, Any]]] = {}
    for row in await db.execute(TODAY_SQL, {"d": day}):
        item = dict(row)
        item["href"] = "/-/document/" + quote(item["document_id"], safe="")
        item["label"] = item["doc_number"] or item["title"] or item["document_id"]
        statuses.setdefault(item["status"], []).append(item)
    since = (today - dt.timedelta(days=RECENT_DAYS)).isoformat()
    rows = [dict(r) for r in await db.execute(kb_changes.CHANGES_SQL, {"since": since, "until": day})]
    recent = kb_changes.change_events(rows)
    for e in recent:
        e["href"] = "/-/document/" + quote(e["document_id"], safe="")
        other = e.get("caused_by_document_id")
        e["caused_by_href"] = "/-/document/" + quote(other, safe="") if other and other != e["document_id"] else None
    return {
        "coverage": coverage,
        "today_status": statuses,
        "codes_today": (await first(db, CODES_TODAY_SQL, {"d": day})).get("n", 0),
        "recent": recent,
        "recent_since": since,
    }


async def home_json(datasette: Any, request: Any) -> Response:
    """The home page's own facts as JSON (Datasette's /.json lists the databases, not these)."""
    return Response.json(await home_facts(datasette.get_database(DB), dt.date.today()))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/home\.json$", home_json)]


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
            out["kb_home"] = await home_facts(db, dt.date.today())
        return out

    return variables()


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    # A period's exclusive end (the schema's) as the last day people read (as printed).
    env.filters["kb_last_day"] = last_day
