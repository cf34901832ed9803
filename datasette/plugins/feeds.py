"""Atom feeds (RFC 4287): `/-/feeds/documents.atom` (newest documents) and
`/-/feeds/code/<code>.atom` (documents naming a control code or HS number, and every act on them).
Built with ElementTree so the XML is always well formed, whatever the text contains."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from kb.atom import TAG, Entry, atom_feed
from kb.web_safety import safe_link

DB = "mofcom"
FEED_SIZE = 50

NEW_DOCUMENTS_SQL = """
select id, doc_number, title, doc_type, signed_date, posted_date, source_url, substr(text, 1, 280) as excerpt
from documents where text is not null and coalesce(posted_date, signed_date) is not null
order by coalesce(posted_date, signed_date) desc, id limit :limit
"""

CODE_DOCUMENTS = """
select document_id from controls where control_code = :code or control_code like :code || '.%'
union select document_id from hs_codes where hs_code like :code || '%' or control_code = :code
"""

CODE_CHANGES_SQL = f"""
with docs as ({CODE_DOCUMENTS})
select 'names' as event, d.id as document_id, d.doc_number, d.title, null as target_id,
       coalesce(d.posted_date, d.signed_date) as date, null as start_date, null as end_date, d.source_url
from documents d where d.id in docs and coalesce(d.posted_date, d.signed_date) is not null
union all
select r.relation, r.source_document_id, s.doc_number, s.title, r.target_document_id,
       coalesce(s.posted_date, s.signed_date, r.start_date), r.start_date, r.end_date, s.source_url
from document_relations r join documents s on s.id = r.source_document_id
where r.target_document_id in docs and coalesce(s.posted_date, s.signed_date, r.start_date) is not null
order by date desc, document_id limit :limit
"""


def base_url(datasette: Any, request: Any) -> str:
    return datasette.absolute_url(request, "/").rstrip("/")


def document_link(base: str, doc_id: str) -> str:
    return f"{base}/-/document/{quote(doc_id, safe='')}"


def atom_response(body: bytes) -> Response:
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def documents_feed(datasette: Any, request: Any) -> Response:
    db = datasette.get_database(DB)
    base = base_url(datasette, request)
    entries = [
        Entry(
            id=TAG + "document/" + r["id"],
            title=r["title"] or r["doc_number"] or r["id"],
            updated=r["posted_date"] or r["signed_date"],
            link=document_link(base, r["id"]),
            summary=" ".join((r["excerpt"] or "").split()),
            official=safe_link(r["source_url"]),
        )
        for r in await db.execute(NEW_DOCUMENTS_SQL, {"limit": FEED_SIZE})
    ]
    body = atom_feed(TAG + "documents", "mofcom-kb: 新文件 new documents",
                     base + "/-/feeds/documents.atom", base + "/", entries)
    return atom_response(body)


def change_title(row: Any, code: str) -> str:
    number = row["doc_number"] or row["title"] or row["document_id"]
    if row["event"] == "names":
        return f"{number} 列入管制 controls {code}"
    window = f" ({row['start_date'] or '…'} → {row['end_date'] or '…'})" if row["start_date"] or row["end_date"] else ""
    return f"{number} {row['event']} {row['target_id']}{window}"


async def code_feed(datasette: Any, request: Any) -> Response:
    code = unquote(request.url_vars["code"]).strip()
    if not code or len(code) > 32:
        raise NotFound("not a control code or HS number")
    db = datasette.get_database(DB)
    base = base_url(datasette, request)
    rows = list(await db.execute(CODE_CHANGES_SQL, {"code": code, "limit": FEED_SIZE}))
    entries = [
        Entry(
            id=f"{TAG}code/{code}/{r['event']}/{r['document_id']}/{r['target_id'] or ''}",
            title=change_title(r, code),
            updated=r["date"],
            link=document_link(base, r["document_id"]),
            summary=r["title"] or "",
            official=safe_link(r["source_url"]),
        )
        for r in rows
    ]
    quoted = quote(code, safe="")
    body = atom_feed(TAG + "code/" + code, f"mofcom-kb: {code} 变化 changes",
                     f"{base}/-/feeds/code/{quoted}.atom", f"{base}/-/code/{quoted}", entries)
    return atom_response(body)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/feeds/documents\.atom$", documents_feed),
        (r"^/-/feeds/code/(?P<code>[^/]+)\.atom$", code_feed),
    ]
