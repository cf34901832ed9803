"""`/-/changes?since=DATE[&until=DATE]` (+ `.json`, `.csv`, + `/-/feeds/changes.atom?since=DATE`): what changed in the
regime in a date range (kb/changes.py), newest first; `since` defaults to 90 days ago, `until` to today.
A malformed date is a 400 naming the parameter."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb import changes as kb_changes
from kb.atom import TAG, Entry, atom_feed
from kb.status_words import DateError, parse_day
from kb.table_csv import to_csv

DB = "mofcom"
DEFAULT_DAYS = 90
FEED_SIZE = 100
CSV_COLUMNS = ("date", "document_id", "label", "part", "event", "status", "what_zh", "what_en", "last_day",
               "caused_by_document_id", "caused_by_number", "title", "url")


def date_range(request: Any, today: dt.date) -> dict[str, str]:
    since = parse_day("since", request.args.get("since"), today - dt.timedelta(days=DEFAULT_DAYS))
    until = parse_day("until", request.args.get("until"), today)
    try:
        return kb_changes.window(since, until)
    except ValueError as exc:
        raise DateError(f"parameter since: {exc}") from None


async def change_list(datasette: Any, since: str, until: str) -> list[dict[str, Any]]:
    db = datasette.get_database(DB)
    rows = [dict(r) for r in await db.execute(kb_changes.CHANGES_SQL, {"since": since, "until": until})]
    events = kb_changes.change_events(rows)
    for e in events:
        e["href"] = "/-/document/" + quote(e["document_id"], safe="")
        e["caused_by_href"] = ("/-/document/" + quote(e["caused_by_document_id"], safe="")
                               if e.get("caused_by_document_id") and e["caused_by_document_id"] != e["document_id"]
                               else None)
    return events


def bad_request(message: str, fmt: str) -> Response:
    if fmt == "json":
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    if fmt in ("atom", "csv"):
        return Response.text(message, status=400)
    return Response.html(f"<!DOCTYPE html><title>400</title><h1>400 Bad Request</h1><p>{html.escape(message)}</p>",
                         status=400)


async def changes_view(datasette: Any, request: Any) -> Response:
    fmt = request.url_vars.get("format") or "html"
    try:
        span = date_range(request, dt.date.today())
    except DateError as exc:
        return bad_request(f"/-/changes: {exc}", fmt)
    events = await change_list(datasette, span["since"], span["until"])
    data = {**span, "count": len(events), "changes": events}
    if fmt == "json":
        return Response.json(data)
    if fmt == "csv":
        base = datasette.absolute_url(request, "/").rstrip("/")
        rows = [{**e, "url": base + e["href"]} for e in events]
        return Response(to_csv(rows, CSV_COLUMNS), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="changes.csv"'})
    context = {**data, "feed": "/-/feeds/changes.atom?" + urlencode({"since": span["since"]}),
               "json": "/-/changes.json?" + urlencode(span), "csv": "/-/changes.csv?" + urlencode(span)}
    return Response.html(await datasette.render_template("changes.html", context, request=request))


def entry_title(e: dict[str, Any]) -> str:
    part = f" {e['part']}" if e.get("part") else ""
    by = f"（{e['caused_by_number']}）" if e.get("caused_by_href") and e.get("caused_by_number") else ""
    return f"{e['label']}{part} {e['what_zh']} {e['what_en']}{by}"


async def changes_feed(datasette: Any, request: Any) -> Response:
    today = dt.date.today()
    try:
        span = date_range(request, today)
    except DateError as exc:
        return bad_request(f"/-/feeds/changes.atom: {exc}", "atom")
    events = (await change_list(datasette, span["since"], span["until"]))[:FEED_SIZE]
    base = datasette.absolute_url(request, "/").rstrip("/")
    entries = [
        Entry(id=f"{TAG}change/{e['event']}/{e['document_id']}/{e.get('part') or ''}/{e['date']}",
              title=entry_title(e), updated=e["date"], link=base + e["href"],
              summary=(e["title"] or e["label"]) + (f" — 至 {e['last_day']}" if e.get("last_day") else ""))
        for e in events
    ]
    query = urlencode({"since": span["since"]})
    body = atom_feed(TAG + "changes", "mofcom-kb: 变化 changes", f"{base}/-/feeds/changes.atom?{query}",
                     f"{base}/-/changes?{query}", entries)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/changes(?:\.(?P<format>json|csv))?$", changes_view),
        (r"^/-/feeds/changes\.atom$", changes_feed),
    ]
