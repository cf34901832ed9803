"""`/-/entities.ftm.json`: the listed entities as FollowTheMoney entities, line-delimited JSON (the same
lines as `mofcom-kb export-ftm`, kb/ftm_export.py), for OpenSanctions / nomenklatura tooling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from kb.ftm_export import export

DB = "mofcom"


async def ftm_view(datasette: Any, request: Any) -> Response:
    db = datasette.get_database(DB)
    if not db.path:
        raise NotFound("no database file to export")
    path = Path(db.path)
    lines: list[str] = await db.execute_fn(lambda conn: list(export(path)))
    return Response("".join(line + "\n" for line in lines), content_type="application/json; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="entities.ftm.json"'})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/entities\.ftm\.json$", ftm_view)]
