"""The glossary (kb/glossary.py, kb/glossary.yml) in Datasette: its SQL functions on every connection
(so canned queries and the JSON API carry the glosses too), Jinja filters for the templates, and the
glossary itself as /-/glossary.json.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.glossary import gloss_en, glossary, glossary_data, label_en, register


@hookimpl
def prepare_connection(conn: Any) -> None:
    register(conn)


async def glossary_json() -> Response:
    return Response.json(glossary_data())


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/glossary\.json$", glossary_json)]


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["gloss_en"] = gloss_en
    env.filters["label_en"] = lambda value, kind: label_en(kind, value)
    env.filters["label_zh"] = lambda value, kind: glossary().label(kind, value, "zh")
