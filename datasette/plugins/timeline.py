"""`/-/timeline`: documents' status periods (in force, suspended, …) over time as a chart, and
`/-/code/<code>`: the history of one control code or HS number (which documents name it, what
happened to them, when). Both also as JSON (`/-/timeline.json`, `/-/code/<code>.json`).

The chart is drawn in the browser by static/timeline.js from the JSON embedded in the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import quote, unquote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from kb import document_outline, status_words
from kb.errors import shown
from kb.web_safety import script_json

DB = "mofcom"
CODE = re.compile(r"^(?:[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*|[0-9]{8}|[0-9]{10})$")
LABEL_CHARS = 16  # lane labels longer than this are cut (the full title is the tooltip)
HS = re.compile(r"^[0-9]{8}(?:[0-9]{2})?$")

PERIODS_SQL = """
select p.document_id, p.part, p.status, p.start_date, p.end_date, p.caused_by_document_id as caused_by, p.basis,
       d.doc_number, d.title, d.signed_date, coalesce(c.doc_number, c.title) as caused_by_number
from document_status_periods p join documents d on d.id = p.document_id
left join documents c on c.id = p.caused_by_document_id
{where}
order by coalesce(d.signed_date, d.posted_date, p.start_date), p.document_id, p.start_date, p.part
"""

# Documents that name the code: control codes match the item and its sub-items (1C909 → 1C909.a.1).
CODE_DOCUMENTS_SQL = """
select distinct document_id from controls where control_code = :code or control_code like :code || '.%'
union select distinct document_id from hs_codes where hs_code like :code || '%' or control_code = :code
"""

# What happened to the code, oldest first: each document naming it, each act on such a document, and
# each status period of those documents (`codes` carries the status, `item` the part, for those rows).
CODE_HISTORY_SQL = """
with docs as ({docs})
select * from (
select coalesce(d.signed_date, d.posted_date) as date, 'names' as event, d.id as document_id,
       d.doc_number, d.title, null as target_id,
       (select group_concat(distinct c.control_code) from controls c
         where c.document_id = d.id and (c.control_code = :code or c.control_code like :code || '.%')) as codes,
       (select c.item from controls c where c.document_id = d.id
         and (c.control_code = :code or c.control_code like :code || '.%') order by c.id limit 1) as item,
       null as start_date, null as end_date
from documents d where d.id in docs
union all
select coalesce(r.start_date, s.signed_date, s.posted_date) as date, r.relation as event,
       r.source_document_id as document_id, s.doc_number, s.title, r.target_document_id, null, null,
       r.start_date, r.end_date
from document_relations r join documents s on s.id = r.source_document_id
where r.target_document_id in docs
union all
select p.start_date, 'status', p.document_id, d.doc_number, d.title, p.caused_by_document_id, p.status, p.part,
       p.start_date, p.end_date
from document_status_periods p join documents d on d.id = p.document_id
where p.document_id in docs
)
order by date, event = 'status', document_id
"""


# Each distinct (code, item, role, document) once: a document printing a code twice is one row here.
CODE_CONTROLS_SQL = """
select c.control_code, c.role, c.item, gloss_en(c.item) as item_en, c.document_id, d.doc_number, d.title,
       d.is_sample, min(c.span_id) as span_id
from controls c join documents d on d.id = c.document_id
where c.control_code = :code or c.control_code like :code || '.%'
group by c.control_code, c.role, c.item, c.document_id
order by c.role, c.control_code, c.document_id
"""

# The code's entries in each catalogue edition (the control list's description, its HS numbers, page,
# the file read); an HS number's: the entries listing it (or an HS number it begins).
CODE_ENTRIES_SQL = """
select e.edition_id, ed.kind, ed.title as edition_title, ed.effective_date, ed.end_date, e.control_code, e.seq,
       e.description, gloss_en(e.description) as description_en, e.hs_codes, e.unit, e.page, e.provenance,
       e.document_id, e.span_id
from catalogue_entries e join catalogue_editions ed on ed.id = e.edition_id
where e.control_code = :code or e.control_code like :code || '.%'
   or exists (select 1 from json_each(e.hs_codes) h where h.value like :code || '%')
order by ed.effective_date, e.edition_id, e.control_code, e.id
"""


def short_number(doc_number: str | None, fallback: str) -> str:
    """商务部公告2025年第61号 → 2025年第61号 (lane labels stay short; the full number is the tooltip)."""
    if not doc_number:
        return fallback[:24]
    match = re.search(r"(\d{4}年第\d+号|第\d+号)$", doc_number)
    return match.group(1) if match else doc_number


def lanes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group status-period rows into one lane per document (then per part), in the rows' order."""
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in rows:
        key = (row["document_id"], row["part"])
        lane = out.get(key)
        if lane is None:
            label = short_number(row["doc_number"], row["title"] or row["document_id"])
            if row["part"]:
                label += " " + row["part"]
            lane = out[key] = {
                "document_id": row["document_id"],
                "label": label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
                "title": row["title"] or row["doc_number"] or row["document_id"],
                "href": "/-/document/" + quote(row["document_id"], safe=""),
                "part": row["part"],
                "periods": [],
            }
        lane["periods"].append(
            {k: row[k] for k in ("status", "start_date", "end_date", "caused_by", "caused_by_number", "basis")}
        )
    # A document's own lanes: the whole document first, then its parts by their numbers (一（一）, 一（二）, 一（三）).
    first_seen = {doc: i for i, doc in reversed(list(enumerate(k[0] for k in out)))}
    part_key = document_outline.part_order(None)
    out = dict(sorted(out.items(), key=lambda kv: (first_seen[kv[0][0]], part_key(kv[0][1]))))
    numbers = {r["caused_by"]: r["caused_by_number"] for r in rows if r["caused_by"] and r["caused_by_number"]}
    for lane in out.values():  # the dates and causes people read (the chart keeps the exclusive ends)
        views = status_words.period_views(
            [{**p, "part": lane["part"], "caused_by_document_id": p["caused_by"]} for p in lane["periods"]],
            lambda i: numbers.get(i, i))
        for period, view in zip(lane["periods"], views, strict=True):
            period.update(last_day=view["last_day"], cause_zh=view["cause_zh"], cause_en=view["cause_en"],
                          cause_text_en=view["cause_text_en"])
    return list(out.values())


def chart_data(rows: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    return {"today": today.isoformat(), "lanes": lanes(rows)}


# Each control code's in-force and suspended periods (a code listed by several documents counts once).
CODE_PERIODS_SQL = """
select distinct control_code, status, start_date, end_date from control_status_periods
where status in ('in_force', 'suspended')
"""


def codes_over_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Step series: at each date where anything changes, how many distinct control codes are in force
    and how many are suspended (periods are half-open: start inclusive, end exclusive)."""
    changes = sorted({r["start_date"] for r in rows} | {r["end_date"] for r in rows if r["end_date"]})
    series = []
    for day in changes:
        live = [r for r in rows if r["start_date"] <= day and (r["end_date"] is None or day < r["end_date"])]
        in_force = {r["control_code"] for r in live if r["status"] == "in_force"}
        suspended = {r["control_code"] for r in live if r["status"] == "suspended"} - in_force
        series.append({"date": day, "in_force": len(in_force), "suspended": len(suspended)})
    return series


async def fetch(db: Any, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [dict(r) for r in await db.execute(sql, params or {})]


def wants_json(request: Any) -> bool:
    return request.url_vars.get("format") == "json"


# The years with activity: from the first act of the regime's notices and orders (laws in force long before
# show as bars from the left edge), to the last change or today.
ACTIVITY_SQL = """
select min(p.start_date) as first, max(coalesce(p.end_date, p.start_date)) as last
from document_status_periods p join documents d on d.id = p.document_id
where d.doc_type in ('announcement', 'order', 'decree', 'uel_notice', 'catalogue')
"""


class BadYear(ValueError):
    """?from= / ?to= that is not a year (HTTP 400)."""


def year_range(args: Any, first: str | None, last: str | None, today: dt.date) -> dict[str, Any]:
    """The years the chart shows: ?from=YYYY&to=YYYY (inclusive), else the years with activity;
    ?from=all shows every period."""
    def year(name: str, default: int) -> int:
        value = (args.get(name) or "").strip()
        if not value:
            return default
        if not re.fullmatch(r"(?:19|20)\d\d", value):
            raise BadYear(f"parameter {name}={shown(value)} is not a year (YYYY)")
        return int(value)

    if (args.get("from") or "").strip() == "all":
        return {"from": None, "to": None, "from_year": None, "to_year": None, "all": True}
    lo = year("from", int(first[:4]) if first else today.year - 1)
    hi = year("to", max(today.year, int(last[:4]) if last else today.year))
    if lo > hi:
        raise BadYear(f"parameter from={lo} is after to={hi}")
    return {"from": f"{lo}-01-01", "to": f"{hi + 1}-01-01", "from_year": lo, "to_year": hi, "all": False}


async def timeline_view(datasette: Any, request: Any) -> Response:
    db = datasette.get_database(DB)
    today = dt.date.today()
    activity = (await fetch(db, ACTIVITY_SQL))[0]
    try:
        span = year_range(request.args, activity["first"], activity["last"], today)
    except BadYear as exc:
        if wants_json(request):
            return Response.json({"ok": False, "error": f"/-/timeline: {exc}", "status": 400}, status=400)
        return Response.text(f"/-/timeline: {exc}", status=400)
    data = chart_data(await fetch(db, PERIODS_SQL.format(where="")), today)
    data["codes_over_time"] = codes_over_time(await fetch(db, CODE_PERIODS_SQL))
    data["range"] = {"from": span["from"], "to": span["to"]}
    if wants_json(request):
        return Response.json(data)
    counts = await fetch(
        db, "select status, count(*) as n from document_status_periods group by status order by n desc"
    )
    first_year = int(activity["first"][:4]) if activity["first"] else today.year
    years = list(range(min(first_year, 2015), today.year + 2))
    context = {"data": data, "data_json": Markup(script_json(data)), "counts": counts, "span": span,
               "years": years}
    return Response.html(await datasette.render_template("timeline.html", context, request=request))


async def code_view(datasette: Any, request: Any) -> Response:
    code = unquote(request.url_vars["code"]).strip()
    if not CODE.match(code):
        raise NotFound(f"{shown(code)} is not a control code (1C902, 1C902.a) or an HS number (8 or 10 digits)")
    db = datasette.get_database(DB)
    params = {"code": code}
    documents = [r["document_id"] for r in await fetch(db, CODE_DOCUMENTS_SQL, params)]
    history = await fetch(db, CODE_HISTORY_SQL.format(docs=CODE_DOCUMENTS_SQL), params)
    for row in history:  # people read last days: a status period's end is exclusive, a relation's window is not
        row["last_day"] = status_words.last_day(row["end_date"]) if row["event"] == "status" else row["end_date"]
    placeholders = ", ".join(f":d{i}" for i in range(len(documents))) or "null"
    doc_params = {f"d{i}": d for i, d in enumerate(documents)}
    # The chart: the documents naming the code and those that acted on them.
    acting = await fetch(
        db,
        f"select distinct source_document_id as document_id from document_relations "
        f"where target_document_id in ({placeholders})",
        doc_params,
    )
    involved = documents + [r["document_id"] for r in acting if r["document_id"] not in documents]
    lane_params = {f"d{i}": d for i, d in enumerate(involved)}
    where = "where p.document_id in ({})".format(", ".join(f":d{i}" for i in range(len(involved))) or "null")
    data = chart_data(await fetch(db, PERIODS_SQL.format(where=where), lane_params), dt.date.today())
    named = await fetch(db, CODE_CONTROLS_SQL, params)
    entries = await fetch(db, CODE_ENTRIES_SQL, params)
    for entry in entries:
        entry["hs_codes"] = json.loads(entry["hs_codes"] or "[]")
    payload = {"code": code, "kind": "hs_code" if HS.match(code) else "control_code",
               "catalogue_entries": entries,
               "controls": [c for c in named if c["role"] == "control"],
               "mentions": [c for c in named if c["role"] != "control"],
               "documents": documents, "history": history, **data}
    if wants_json(request):
        return Response.json(payload)
    samples = await fetch(db, "select id from documents where is_sample = 1")  # labelled wherever they show
    context = {"code": code, "payload": payload, "data_json": Markup(script_json(data)),
               "sample_ids": {r["id"] for r in samples},
               "controls": payload["controls"], "mentions": payload["mentions"], "entries": entries,
               "feed": "/-/feeds/code/" + quote(code, safe="") + ".atom"}
    return Response.html(await datasette.render_template("code.html", context, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/timeline(?:\.(?P<format>json))?$", timeline_view),
        (r"^/-/code/(?P<code>[^/]+?)(?:\.(?P<format>json))?$", code_view),
    ]
