"""Chinese search, wired to kb.search: the SQL function `kb_fts_query(q)` on every connection
(so the `search` canned query and any SQL can use it), and the page `/-/search?q=…` (also
`/-/search.json`): one result per document, in kb.search.search_documents' order (documents
matching themselves first, then those reached through a control, HS number or entity), each with
the snippet of its best hit."""

from __future__ import annotations

import html
import re
import sqlite3
from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import Response
from markupsafe import Markup

from kb import search as kb_search
from kb import table_search
from kb.schema import load_schema
from kb.web_safety import settings

DB = "mofcom"
LIMIT = 50
OPEN, CLOSE = "\x01", "\x02"  # snippet markers, turned into <mark> after escaping


def snippets_sql(count: int) -> str:
    weights = ", ".join(str(float(w)) for w in load_schema().fts[kb_search.FTS_TABLE]["rank_weights"])
    ids = ", ".join(f":d{i}" for i in range(count))
    # bm25() and snippet() only work in the FTS query itself: rank the hits first (materialized),
    # then keep each document's best one (its own text before its facts, as search_documents ranks).
    return f"""
    with hits as materialized (
      select s.document_id, bm25(search_fts, {weights}) as score, s.kind, s.title as hit_title,
             snippet(search_fts, -1, char(1), char(2), '…', 24) as snippet, s.id as hit_id
      from search_fts join search_index s on s.id = search_fts.rowid
      where search_fts match :match and s.document_id in ({ids})
    ),
    best as (
      select *, row_number() over (
        partition by document_id order by kind != 'document', score, hit_id) as n
      from hits
    )
    select b.document_id, b.score, b.kind, b.hit_title, b.snippet,
           d.doc_number, d.title, d.doc_type, d.signed_date, d.posted_date, d.known_only_by_reference, d.is_sample
    from best b join documents d on d.id = b.document_id
    where b.n = 1
    """


def snippet_text(snippet: str | None) -> str:
    """The indexed form has a space between every CJK character: undo it, markers included."""
    return kb_search.untokenize(re.sub(" ?([\x01\x02]) ?", r"\1", snippet or ""))


def snippet_html(snippet: str | None) -> Markup:
    text = snippet_text(snippet)
    escaped = html.escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
    return Markup(escaped)


class SearchBusy(Exception):
    """The search ran past its time limit (HTTP 503)."""


def check_bounds(q: str) -> None:
    """Refuse (HTTP 400) a query longer or with more terms than datasette/publishing.yml allows."""
    limits = settings()["search"]
    if len(q) > limits["max_query_chars"]:
        raise kb_search.SearchQueryError(
            f"search query too long: {len(q)} characters (at most {limits['max_query_chars']})")
    terms = len(kb_search.normalise(q).split())
    if terms > limits["max_terms"]:
        raise kb_search.SearchQueryError(f"search query has {terms} terms (at most {limits['max_terms']})")


def rank_within_limit(conn: sqlite3.Connection, q: str, ms: int) -> list[str]:
    with sqlite_timelimit(conn, ms):
        return kb_search.search_documents(conn, q, LIMIT)


async def search_results(datasette: Any, q: str) -> list[dict[str, Any]]:
    check_bounds(q)
    match = kb_search.fts_query(q)  # raises SearchQueryError for a query with nothing to search
    db = datasette.get_database(DB)
    ms = int(settings()["search"]["time_limit_ms"])
    try:
        ranked: list[str] = await db.execute_fn(lambda conn: rank_within_limit(conn, q, ms))
        if not ranked:
            return []
        params: dict[str, Any] = {"match": match, **{f"d{i}": d for i, d in enumerate(ranked)}}
        found = await db.execute(snippets_sql(len(ranked)), params, custom_time_limit=ms)
    except (QueryInterrupted, sqlite3.OperationalError) as exc:
        if isinstance(exc, QueryInterrupted) or "interrupted" in str(exc):
            raise SearchBusy(f"search took longer than {ms} ms: try fewer or more specific terms") from None
        raise kb_search.SearchQueryError("search query could not be run: try fewer or simpler terms") from None
    by_document = {r["document_id"]: dict(r) for r in found}
    return [
        {**by_document[d], "href": "/-/document/" + quote(d, safe=""),
         "snippet_html": snippet_html(by_document[d]["snippet"])}
        for d in ranked if d in by_document
    ]


async def search_view(datasette: Any, request: Any) -> Response:
    q = (request.args.get("q") or "").strip()
    results: list[dict[str, Any]] = []
    error = None
    status = 200
    if q:
        try:
            results = await search_results(datasette, q)
        except kb_search.SearchQueryError as exc:
            error, status = str(exc), 400
        except SearchBusy as exc:
            error, status = str(exc), 503
    if request.url_vars.get("format") == "json":
        rows = [{k: v for k, v in r.items() if k != "snippet_html"} for r in results]
        for row in rows:
            row["snippet"] = snippet_text(row["snippet"]).replace(OPEN, "").replace(CLOSE, "")
        return Response.json({"q": q, "error": error, "results": rows}, status=status)
    context = {"q": q, "results": results, "error": error}
    return Response.html(await datasette.render_template("search.html", context, request=request), status=status)


@hookimpl
def prepare_connection(conn: Any) -> None:
    kb_search.register(conn)
    conn.create_function("kb_untokenize", 1, lambda text: kb_search.untokenize(text or ""), deterministic=True)
    # ?_search= on the table pages: Datasette calls escape_fts(:search); ours also splits Chinese runs
    # of 3+ characters into the character pairs <table>_fts indexes (kb/table_search.py).
    conn.create_function("escape_fts", 1, table_search.escape_query, deterministic=True)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/search(?:\.(?P<format>json))?$", search_view)]
