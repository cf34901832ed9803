"""`/-/checks` (and `/-/checks.json`, `/-/checks.csv`): every open extraction check (table extraction_checks, written by
kb/extract/checks.py), grouped by document, each linked to the document page and to the passage that
makes the check, so a reviewer can go through them one by one."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.table_csv import to_csv

DB = "mofcom"
CSV_COLUMNS = ("document_id", "doc_number", "title", "date", "check", "expected", "found", "part", "span_id",
               "passage", "url")
CHECKS_SQL = """
select c.id, c.document_id, c."check", c.expected, c.found, c.part, c.span_id, s.text as passage,
       d.doc_number, d.title, d.doc_type, coalesce(d.signed_date, d.posted_date) as date
from extraction_checks c join documents d on d.id = c.document_id left join spans s on s.id = c.span_id
order by coalesce(d.signed_date, d.posted_date) desc, c.document_id, c.id
"""


def passage_href(document_id: str, span_id: str | None) -> str:
    page = "/-/document/" + quote(document_id, safe="")
    # span ids are "<document_id>@<start>-<end>[p<page>]"; the page anchors each span as #span-START-END
    if span_id and "@" in span_id:
        where = span_id.rsplit("@", 1)[1].split("p", 1)[0]
        return f"{page}#span-{where}"
    return page


def grouped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per document (in the rows' order) holding its checks."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        doc = out.setdefault(row["document_id"], {
            "document_id": row["document_id"], "doc_number": row["doc_number"], "title": row["title"],
            "doc_type": row["doc_type"], "date": row["date"],
            "href": "/-/document/" + quote(row["document_id"], safe=""), "checks": []})
        doc["checks"].append({k: row[k] for k in ("id", "check", "expected", "found", "part", "span_id", "passage")}
                             | {"passage_href": passage_href(row["document_id"], row["span_id"])})
    return list(out.values())


async def checks_view(datasette: Any, request: Any) -> Response:
    db = datasette.get_database(DB)
    present = await db.table_exists("extraction_checks")
    rows = [dict(r) for r in await db.execute(CHECKS_SQL)] if present else []
    documents = grouped(rows)
    data = {"count": len(rows), "documents": documents, "table": present}
    if request.url_vars.get("format") == "json":
        return Response.json(data)
    if request.url_vars.get("format") == "csv":
        base = datasette.absolute_url(request, "/").rstrip("/")
        flat = [{**{k: d[k] for k in ("document_id", "doc_number", "title", "date")}, **c,
                 "url": base + c["passage_href"]} for d in documents for c in d["checks"]]
        return Response(to_csv(flat, CSV_COLUMNS), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="checks.csv"'})
    return Response.html(await datasette.render_template("checks.html", data, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/checks(?:\.(?P<format>json|csv))?$", checks_view)]


@hookimpl
def menu_links() -> list[dict[str, str]]:
    return [{"href": "/-/checks", "label": "待核对 Open checks"}]
