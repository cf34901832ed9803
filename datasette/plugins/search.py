"""Chinese search, wired to kb.search: the SQL function `kb_fts_query(q)` on every connection
(so the `search` canned query and any SQL can use it), and the page `/-/search?q=…` (also
`/-/search.json`): one result per document, in kb.search.search_documents' order (documents
matching themselves first, then those reached through a control, HS number or entity), each with
the snippet of its best hit."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from datasette.utils.asgi import Response
from markupsafe import Markup

from datasette import hookimpl
from kb import search as kb_search
from kb import table_search
from kb.schema import load_schema

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
           d.doc_number, d.title, d.doc_type, d.signed_date, d.posted_date, d.known_only_by_reference
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


async def search_results(datasette: Any, q: str) -> list[dict[str, Any]]:
    match = kb_search.fts_query(q)  # raises SearchQueryError for a query with nothing to search
    db = datasette.get_database(DB)
    ranked: list[str] = await db.execute_fn(lambda conn: kb_search.search_documents(conn, q, LIMIT))
    if not ranked:
        return []
    params: dict[str, Any] = {"match": match, **{f"d{i}": d for i, d in enumerate(ranked)}}
    by_document = {r["document_id"]: dict(r) for r in await db.execute(snippets_sql(len(ranked)), params)}
    return [
        {**by_document[d], "href": "/-/document/" + quote(d, safe=""),
         "snippet_html": snippet_html(by_document[d]["snippet"])}
        for d in ranked if d in by_document
    ]


async def search_view(datasette: Any, request: Any) -> Response:
    q = (request.args.get("q") or "").strip()
    results: list[dict[str, Any]] = []
    error = None
    if q:
        try:
            results = await search_results(datasette, q)
        except kb_search.SearchQueryError as exc:
            error = str(exc)
    if request.url_vars.get("format") == "json":
        rows = [{k: v for k, v in r.items() if k != "snippet_html"} for r in results]
        for row in rows:
            row["snippet"] = snippet_text(row["snippet"]).replace(OPEN, "").replace(CLOSE, "")
        return Response.json({"q": q, "error": error, "results": rows}, status=400 if error else 200)
    context = {"q": q, "results": results, "error": error}
    return Response.html(await datasette.render_template("search.html", context, request=request))


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
