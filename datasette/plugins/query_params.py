"""Canned-query parameters checked before the SQL runs: a bad or missing date is a 400 naming the
parameter (never a silent wrong answer: SQLite compares '2026-13-45' as a string)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl

from kb.errors import shown
from kb.facts import LIST_NAMES

DB = "mofcom"
# query name → {parameter: required?}; optional parameters may be empty (the query then uses today).
DATE_PARAMS: dict[str, dict[str, bool]] = {
    "controlled_on": {"date": True},
    "status_on": {"date": True},
    "suspended_or_expiring": {"date": False},
    "new_documents": {"since": True},
    "entities_on_lists": {"on": False},
}
# query name → {parameter: the values it may take}; empty means all (a misspelt list would answer nothing).
CHOICE_PARAMS: dict[str, dict[str, tuple[str, ...]]] = {
    "entities_on_lists": {"list": LIST_NAMES},
}


def problem(query: str, args: dict[str, list[str]]) -> str | None:
    for name, required in DATE_PARAMS.get(query, {}).items():
        value = (args.get(name) or [""])[0].strip()
        if not value:
            if required:
                return f"{query}: parameter {name} is missing (a date, YYYY-MM-DD)"
            continue
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{query}: parameter {name}={shown(value)} is not a date (YYYY-MM-DD)"
        if len(value) != 10:
            return f"{query}: parameter {name}={shown(value)} is not a date (YYYY-MM-DD)"
    for name, allowed in CHOICE_PARAMS.get(query, {}).items():
        value = (args.get(name) or [""])[0].strip()
        if value and value not in allowed:
            return f"{query}: parameter {name}={shown(value)} is not one of {', '.join(allowed)} (or empty)"
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def checked(scope: dict[str, Any], receive: Any, send: Any) -> None:
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            prefix = f"/{DB}/"
            if path.startswith(prefix):
                name = path[len(prefix):]
                fmt = "json" if name.endswith(".json") else "html"
                name = name.removesuffix(".json").removesuffix(".csv")
                args = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
                message = problem(name, args)
                if message:
                    if fmt == "json":
                        body = json.dumps({"ok": False, "error": message, "status": 400}).encode()
                        ctype = b"application/json; charset=utf-8"
                    else:
                        import html

                        body = (f"<!DOCTYPE html><title>400</title><h1>400 Bad Request</h1>"
                                f"<p>{html.escape(message)}</p>").encode()
                        ctype = b"text/html; charset=utf-8"
                    await send({"type": "http.response.start", "status": 400,
                                "headers": [(b"content-type", ctype)]})
                    await send({"type": "http.response.body", "body": body})
                    return
            await app(scope, receive, send)

        return checked

    return wrap
