"""Chinese search, wired to kb.search: the SQL function `kb_fts_query(q)` on every connection
(so the `search` canned query and any SQL can use it), and the page `/-/search?q=…` (also
`/-/search.json` and `/-/search.csv`): one result per document, in kb.search.search_documents' order
(documents matching themselves first, then those reached through a control, HS number or entity) with
the team's samples after the real documents; each with its status on a date (`on`, default today), the
lists it acts on and a snippet of its text as printed with the hits marked (kb/search_snippet.py).
Filters: `type` (doc_type), `list` (list name), `status` (on `on`), `year`."""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3
from typing import Any
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup

from kb import search as kb_search
from kb import search_snippet, status_words, table_search
from kb.errors import shown
from kb.schema import load_schema
from kb.table_csv import to_csv
from kb.web_safety import settings

DB = "mofcom"
LIMIT = 50  # results shown (and exported) per query
RANK_LIMIT = 200  # documents ranked before the filters apply
FILTERS = ("type", "list", "status", "year")
CSV_COLUMNS = ("rank", "document_id", "doc_number", "title", "doc_type", "year", "signed_date", "posted_date",
               "status", "status_on", "is_sample", "lists", "hit_kind", "hit_title", "snippet", "url")
# Team-written samples carry this label in their title (ingest/samples/README.md); a database built with
# documents.is_sample says so directly.
SAMPLE_LABEL_SQL = "(d.title like '%样例 SAMPLE%' or d.title like '%【样例】%')"


def results_sql(sample_sql: str) -> str:
    """Rank and describe in one FTS pass: the documents kb.search.search_documents ranks (each by its
    best hit's bm25, a hit on a fact 1000 after any hit on a document's own text; then by id; at most
    :rank_limit), each with its best hit (its own text before its facts) and what the page shows."""
    weights = ", ".join(str(float(w)) for w in load_schema().fts[kb_search.FTS_TABLE]["rank_weights"])
    # bm25() only works in the FTS query itself: score the hits first (materialized), then rank.
    return f"""
    with hits as materialized (
      select s.document_id, bm25(search_fts, {weights}) as score, s.kind, s.title as hit_title, s.id as hit_id
      from search_fts join search_index s on s.id = search_fts.rowid
      where search_fts match :match
    ),
    best as (
      select *, row_number() over (
        partition by document_id order by kind != 'document', score, hit_id) as n,
        min(score + (case kind when 'document' then 0 else 1000 end)) over (partition by document_id) as rank_score
      from hits
    ),
    ranked as materialized (
      select * from best where n = 1 order by rank_score, document_id limit :rank_limit
    )
    select b.document_id, b.score, b.kind, b.hit_title,
           d.doc_number, d.title, d.doc_type, d.signed_date, d.posted_date, d.known_only_by_reference,
           coalesce(d.year, cast(substr(coalesce(d.signed_date, d.posted_date), 1, 4) as integer)) as year,
           coalesce({sample_sql}, 0) as is_sample,
           (select group_concat(distinct e.list_name) from listed_entities e where e.document_id = d.id) as lists,
           (select p.status from document_status_periods p where p.document_id = d.id and p.part is null
              and p.start_date <= :on and (p.end_date is null or :on < p.end_date) limit 1) as status
    from ranked b join documents d on d.id = b.document_id
    order by b.rank_score, b.document_id
    """


def pieces_html(pieces: list[search_snippet.Piece]) -> Markup:
    """A snippet as HTML: every piece escaped, the hits in <mark>."""
    return Markup("".join(f"<mark>{html.escape(p.text)}</mark>" if p.hit else html.escape(p.text) for p in pieces))


class SearchBusy(Exception):
    """The search ran past its time limit (HTTP 503)."""


class BadFilter(ValueError):
    """A filter parameter with a value the search cannot use (HTTP 400)."""


def check_bounds(q: str) -> None:
    """Refuse (HTTP 400) a query longer or with more terms than datasette/publishing.yml allows."""
    limits = settings()["search"]
    if len(q) > limits["max_query_chars"]:
        raise kb_search.SearchQueryError(
            f"search query too long: {len(q)} characters (at most {limits['max_query_chars']})")
    terms = len(kb_search.normalise(q).split())
    if terms > limits["max_terms"]:
        raise kb_search.SearchQueryError(f"search query has {terms} terms (at most {limits['max_terms']})")


def read_filters(args: Any) -> dict[str, str]:
    """The filters of a request, checked: year is 4 digits, status one of the statuses, on a date."""
    filters = {k: (args.get(k) or "").strip() for k in FILTERS}
    longest = settings()["search"]["max_query_chars"]
    for name, value in filters.items():
        if len(value) > longest:
            raise BadFilter(f"parameter {name}={shown(value)} is too long (at most {longest} characters)")
    if filters["year"] and not re.fullmatch(r"\d{4}", filters["year"]):
        raise BadFilter(f"parameter year={shown(filters['year'])} is not a year (YYYY)")
    if filters["status"] and filters["status"] not in status_words.STATUS_WORDS:
        raise BadFilter(f"parameter status={shown(filters['status'])} is not one of {', '.join(status_words.STATUS_WORDS)}")
    try:
        filters["on"] = status_words.parse_day("on", args.get("on"), dt.date.today()).isoformat()
    except status_words.DateError as exc:
        raise BadFilter(str(exc)) from None
    return filters


def keep(row: dict[str, Any], filters: dict[str, str]) -> bool:
    if filters["type"] and row["doc_type"] != filters["type"]:
        return False
    if filters["list"] and filters["list"] not in (row["lists"] or "").split(","):
        return False
    if filters["status"] and row["status"] != filters["status"]:
        return False
    return not (filters["year"] and str(row["year"] or "") != filters["year"])


def facets(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """The values each filter can take among the results, with counts (most first)."""
    counts: dict[str, dict[str, int]] = {k: {} for k in FILTERS}
    for row in rows:
        values = {"type": [row["doc_type"]], "status": [row["status"]], "year": [str(row["year"] or "")],
                  "list": (row["lists"] or "").split(",")}
        for key, found in values.items():
            for value in found:
                if value:
                    counts[key][value] = counts[key].get(value, 0) + 1
    return {k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0])) for k, v in counts.items()}


async def sample_expression(db: Any) -> str:
    columns = await db.table_columns("documents")
    return "d.is_sample" if "is_sample" in columns else SAMPLE_LABEL_SQL


async def search_results(datasette: Any, q: str, filters: dict[str, str]) -> dict[str, Any]:
    check_bounds(q)
    match = kb_search.fts_query(q)  # raises SearchQueryError for a query with nothing to search
    db = datasette.get_database(DB)
    ms = int(settings()["search"]["time_limit_ms"])
    try:
        params: dict[str, Any] = {"match": match, "on": filters["on"], "rank_limit": RANK_LIMIT}
        found = await db.execute(results_sql(await sample_expression(db)), params, custom_time_limit=ms)
    except (QueryInterrupted, sqlite3.OperationalError) as exc:
        if isinstance(exc, QueryInterrupted) or "interrupted" in str(exc):
            raise SearchBusy(f"search took longer than {ms} ms: try fewer or more specific terms") from None
        raise kb_search.SearchQueryError("search query could not be run: try fewer or simpler terms") from None
    ordered = [dict(r) for r in found]
    # Real documents first, the team's samples after them (each in rank order): a sample restating a notice
    # must never hide the notice.
    ordered.sort(key=lambda r: bool(r["is_sample"]))
    kept = [r for r in ordered if keep(r, filters)][:LIMIT]
    texts = await texts_of(db, [r["document_id"] for r in kept])
    for rank, row in enumerate(kept, 1):
        pieces = search_snippet.snippet(texts.get(row["document_id"]), q)
        if not pieces and row["hit_title"]:  # matched through a fact: the fact's own words
            pieces = search_snippet.snippet(row["hit_title"], q) or [search_snippet.Piece(row["hit_title"], False)]
        row.update(rank=rank, is_sample=bool(row["is_sample"]), href="/-/document/" + quote(row["document_id"], safe=""),
                   snippet="".join(p.text for p in pieces), snippet_html=pieces_html(pieces),
                   status_on=filters["on"])
    return {"total": len(ordered), "results": kept, "facets": facets(ordered)}


async def texts_of(db: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    params = {f"d{i}": d for i, d in enumerate(ids)}
    sql = "select id, text from documents where id in ({})".format(", ".join(":" + k for k in params))
    return {r["id"]: r["text"] or "" for r in await db.execute(sql, params)}


def csv_response(q: str, results: list[dict[str, Any]], base: str) -> Response:
    rows = [{**r, "hit_kind": r["kind"], "url": base + r["href"], "is_sample": int(r["is_sample"])} for r in results]
    return Response(to_csv(rows, CSV_COLUMNS), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="search.csv"'})


def export_links(q: str, filters: dict[str, str]) -> dict[str, str]:
    query = urlencode({"q": q, **{k: v for k, v in filters.items() if v}})
    return {"json": f"/-/search.json?{query}", "csv": f"/-/search.csv?{query}"}


async def search_view(datasette: Any, request: Any) -> Response:
    fmt = request.url_vars.get("format") or "html"
    q = (request.args.get("q") or "").strip()
    found: dict[str, Any] = {"total": 0, "results": [], "facets": facets([])}
    error = None
    status = 200
    filters = {k: "" for k in FILTERS} | {"on": dt.date.today().isoformat()}
    try:
        filters = read_filters(request.args)
        if q:
            found = await search_results(datasette, q, filters)
    except (kb_search.SearchQueryError, BadFilter) as exc:
        error, status = str(exc), 400
    except SearchBusy as exc:
        error, status = str(exc), 503
    results = found["results"]
    if fmt == "json":
        rows = [{k: v for k, v in r.items() if k != "snippet_html"} for r in results]
        return Response.json({"q": q, "filters": filters, "error": error, "total": found["total"],
                              "facets": found["facets"], "results": rows}, status=status)
    if fmt == "csv":
        if error:
            return Response.text(error, status=status)
        return csv_response(q, results, datasette.absolute_url(request, "/").rstrip("/"))
    context = {"q": q, "results": results, "error": error, "filters": filters, "total": found["total"],
               "facets": found["facets"], "exports": export_links(q, filters),
               "today": dt.date.today().isoformat()}
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
    return [(r"^/-/search(?:\.(?P<format>json|csv))?$", search_view)]


@hookimpl
def startup() -> None:
    """Load the word segmenter (jieba's dictionary, about 0.6 s) before the server takes requests: the
    first query of three or more Chinese characters would otherwise wait for it, in every process."""
    kb_search.fts_query("出口管制")
