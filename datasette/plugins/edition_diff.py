"""`/-/diff/<A>/<B>`: what changed from one catalogue edition to another — control codes added,
removed and changed (field by field), HS numbers added and removed — as a page and as JSON
(`/-/diff/<A>/<B>.json`). A and B are ids of catalogue_editions (control_list@2024-12-01) or on:DATE
(the controls of the notices in force on DATE)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from kb.editions import ENTRIES_SQL, IN_FORCE_SQL, ON_DATE, Entry, diff

DB = "mofcom"


async def _entries(db: Any, edition: str) -> list[Entry]:
    if edition.startswith(ON_DATE):  # the controls of the notices in force that day
        day = edition.removeprefix(ON_DATE)
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise NotFound(f"{edition!r}: not a date (on:YYYY-MM-DD)") from None
        return [Entry.of_db(dict(r)) for r in await db.execute(IN_FORCE_SQL.replace("?", ":day"), {"day": day})]
    rows = [dict(r) for r in await db.execute(ENTRIES_SQL.replace("?", ":edition"), {"edition": edition})]
    if not rows:
        known = [r[0] for r in await db.execute("select id from catalogue_editions order by id")]
        raise NotFound(f"no catalogue edition {edition!r} (known: {', '.join(known) or 'none'})")
    return [Entry.of_db(r) for r in rows]


async def diff_view(datasette: Any, request: Any) -> Response:
    a, b = (unquote(request.url_vars[k]) for k in ("a", "b"))
    db = datasette.get_database(DB)
    editions = {r["id"]: dict(r) for r in await db.execute(
        "select id, kind, title, effective_date, end_date from catalogue_editions where id in (:a, :b)",
        {"a": a, "b": b})}
    result = {"a": a, "b": b, "editions": editions, **diff(await _entries(db, a), await _entries(db, b))}
    if request.url_vars.get("format") == "json":
        return Response.json(result)
    return Response.html(await datasette.render_template("diff.html", {"result": result}, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/diff/(?P<a>[^/]+)/(?P<b>[^/]+?)(?:\.(?P<format>json))?$", diff_view)]
