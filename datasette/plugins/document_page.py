"""`/-/document/<id>`: a document's text with every extracted fact highlighted and linked.

Each fact is a span of `documents.text` (table `spans`); the mark links a control code or HS
number to `/-/code/<code>` (the other documents with it), a relation to its target document, an
entity to its list history. Status periods, relations both ways and the facts as tables follow.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.utils import sqlite_timelimit, tilde_decode, tilde_encode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from kb import document_outline, status_words
from kb.errors import shown
from kb.fact_types import FactType, fact_types
from kb.json_columns import json_list

DB = "mofcom"


class Mark(NamedTuple):
    start: int
    end: int
    kind: str  # control, hs_code, relation, entity, threshold, date, exemption, end_use, …
    title: str
    href: str | None


def document_href(doc_id: str) -> str:
    return "/-/document/" + quote(doc_id, safe="")


def code_href(code: str) -> str:
    return "/-/code/" + quote(code, safe="")


def entity_href(name_zh: str) -> str:
    return f"/{DB}/entity_history?" + urlencode({"name": name_zh})


SPAN_ID = re.compile(r"^(?P<doc>.+)@(?P<start>\d+)-(?P<end>\d+)(?:p\d+)?$")  # "<document_id>@<start>-<end>[p<page>]"


def span_anchor(start: int, end: int) -> str:
    return f"span-{start}-{end}"


def span_href(span_id: str) -> str | None:
    match = SPAN_ID.match(span_id)
    if not match:
        return None
    return document_href(match["doc"]) + "#" + span_anchor(int(match["start"]), int(match["end"]))


def path_value(raw: str) -> str:
    """Route variables arrive still %-encoded (Datasette matches the raw path); accept its ~-encoding too."""
    return tilde_decode(unquote(raw)) if "~" in raw else unquote(raw)


LINKS = {"code": code_href, "document": document_href, "entity": entity_href}


def mark_types() -> list[FactType]:
    """The fact types marked in the text, in legend order (kb/fact_types.yml)."""
    return [ft for ft in fact_types() if ft.mark and ft.table]


def mark_sql(ft: FactType) -> str:
    """The span each fact of one type came from, its link key and its title."""
    assert ft.mark is not None and ft.table is not None
    return (f'select s.start, s."end", {ft.mark.key} as key, {ft.mark.title} as title\n'
            f'from "{ft.table}" t join spans s on s.id = t.span_id where t."{ft.document_column}" = :id')


def mark_styles() -> Markup:
    """The marks' colours, one CSS rule per kind (each declared with its fact type)."""
    rules = [f"mark.fact-{ft.mark.kind} {{ {ft.mark.style} }}" for ft in mark_types() if ft.mark and ft.mark.style]
    return Markup("\n".join(html.escape(rule, quote=False) for rule in rules))


def mark_labels() -> dict[str, dict[str, str]]:
    return {ft.mark.kind: {"zh": ft.mark.label_zh, "en": ft.mark.label_en} for ft in mark_types() if ft.mark}


def highlight(text: str, marks: list[Mark]) -> Markup:
    """The text as HTML with each mark wrapped in <mark> (and <a> when it links).

    Overlapping marks: the text is cut at every boundary and each piece takes the innermost
    (shortest) mark covering it, so nested facts (an HS number inside a control item) stay visible.
    """
    valid = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in valid), *(m.end for m in valid)})
    anchors_at: dict[int, set[str]] = {}
    for m in valid:
        anchors_at.setdefault(m.start, set()).add(span_anchor(m.start, m.end))
    # A sweep over the cuts: the marks covering a piece are those started and not yet ended (linear in
    # the marks, where a catalogue page has thousands), ties broken by the marks' order as given.
    pending = sorted(range(len(valid)), key=lambda i: valid[i].start)
    active: list[int] = []
    nxt = 0
    out: list[str] = []
    anchored: set[str] = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = html.escape(text[a:b])
        # An empty anchor where each span starts, so `#span-START-END` (a span_id's link) scrolls to it.
        for anchor in sorted(anchors_at.get(a, set()) - anchored):
            anchored.add(anchor)
            out.append(f'<a class="kb-anchor" id="{anchor}"></a>')
        while nxt < len(pending) and valid[pending[nxt]].start <= a:
            active.append(pending[nxt])
            nxt += 1
        active = [i for i in active if b <= valid[i].end]
        if not active:
            out.append(piece)
            continue
        covering = [valid[i] for i in sorted(active)]
        mark = min(covering, key=lambda m: (m.end - m.start, m.kind))
        kinds = " ".join(sorted({f"fact-{m.kind}" for m in covering}))
        inner = piece
        if mark.href:
            inner = f'<a href="{html.escape(mark.href)}">{piece}</a>'
        out.append(
            f'<mark class="fact {kinds}" data-kind="{mark.kind}" data-start="{mark.start}" '
            f'title="{html.escape(mark.kind + ": " + mark.title)}">{inner}</mark>'
        )
    return Markup("".join(out))


def marks_from(rows_by_type: dict[str, list[dict[str, Any]]]) -> list[Mark]:
    marks: list[Mark] = []
    for ft in mark_types():
        assert ft.mark is not None
        kind, link = ft.mark.kind, ft.mark.link
        for row in rows_by_type.get(ft.name, []):
            key = row["key"]
            href = LINKS[link](key) if key and link else None
            marks.append(Mark(row["start"], row["end"], kind, row["title"] or key or kind, href))
    return marks


def bad_date(request: Any, message: str) -> Response:
    if request.url_vars.get("format") == "json":
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    return Response.html(f"<!DOCTYPE html><title>400</title><h1>400 Bad Request</h1><p>{html.escape(message)}</p>",
                         status=400)


def effective_dates(doc: dict[str, Any], part_rows: list[dict[str, Any]], periods: list[dict[str, Any]],
                    part_key: Any) -> list[dict[str, Any]]:
    """The dates the document and its clauses were to take effect, and what happened on each date
    (a planned date reached while suspended did not bring the clause into force)."""
    planned = []
    if doc.get("effective_date"):
        planned.append({"part": None, "effective_date": doc["effective_date"],
                        "on_publication": bool(doc.get("effective_on_publication")), "span_id": None})
    planned += sorted(part_rows, key=lambda r: part_key(r["part"]))
    out = []
    for row in planned:
        own = [p for p in periods if p.get("part") == row["part"]] or [p for p in periods if not p.get("part")]
        then = status_words.covering(own, row["effective_date"]) if row["effective_date"] else None
        out.append({**row, "span_href": span_href(row["span_id"]) if row.get("span_id") else None,
                    "then": then})
    return out


# The page's sections, each one query on the document's id (every filter column is indexed).
SECTIONS = {
    "periods": "select * from document_status_periods where document_id = :id order by start_date",
    "relations_out": "select * from document_relations where source_document_id = :id order by start_date, target_number",
    "relations_in": """select r.*, d.doc_number as source_number, d.title as source_title from document_relations r
        left join documents d on d.id = r.source_document_id
        where r.target_document_id = :id order by r.start_date, r.source_document_id""",
    "attachments": "select id, title from documents where attachment_of = :id order by id",
    "checks": 'select id, "check", expected, found, part, span_id from extraction_checks where document_id = :id order by id',
    "part_rows": "select part, effective_date, on_publication, span_id from part_effective_dates where document_id = :id",
    "controls": """select control_code, item, gloss_en(item) as item_en, part, role from controls
        where document_id = :id order by id""",
    "hs_codes": "select hs_code, digits, control_code from hs_codes where document_id = :id order by id",
    "entities": """select list_name, action, name_zh, name_en, country from listed_entities
        where document_id = :id order by id""",
}


def page_rows(conn: sqlite3.Connection, doc_id: str, time_limit_ms: int) -> dict[str, Any] | None:
    """The document, every section, every mark type's spans and the labels of the documents it names, in
    one trip to Datasette's SQL thread (a trip per query costs more than the queries), under the SQL
    time limit. None when there is no such document."""
    def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    key = {"id": doc_id}
    with sqlite_timelimit(conn, time_limit_ms):
        found = fetch("select * from documents where id = :id", key)
        if not found:
            return None
        out: dict[str, Any] = {name: fetch(sql, key) for name, sql in SECTIONS.items()}
        out["doc"] = found[0]
        out["marks"] = {ft.name: fetch(mark_sql(ft), key) for ft in mark_types()}
        named = sorted({p["caused_by_document_id"] for p in out["periods"] if p["caused_by_document_id"]}
                       | {r["target_document_id"] for r in out["relations_out"] if r["target_document_id"]})
        params = {f"i{n}": i for n, i in enumerate(named)}
        labels = fetch("select id, doc_number, title from documents where id in ({})".format(
            ", ".join(":" + k for k in params)), params) if params else []
        out["labels"] = {r["id"]: r["doc_number"] or r["title"] or r["id"] for r in labels}
    return out


def document_context(data: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The page's context from `page_rows` (pure)."""
    doc = data["doc"]
    doc_id = doc["id"]
    marks = marks_from(data["marks"])
    labels = mark_labels()
    names = dict(data["labels"])
    names[doc_id] = doc.get("doc_number") or doc.get("title") or doc_id

    def label(doc: str) -> str:
        return names.get(doc) or doc
    part_key = document_outline.part_order(doc.get("text"))
    periods = sorted(data["periods"], key=lambda p: (part_key(p["part"]), p["start_date"]))
    views = status_words.period_views(periods, label)
    today = dt.date.today().isoformat()
    checks = [{**check, "span_href": span_href(check["span_id"])} for check in data["checks"]]
    return {
        "doc": doc,
        "number": doc.get("doc_number"),
        "issuers": json_list(doc.get("issuers")),
        "doc_json": f"/{DB}/documents/{tilde_encode(doc_id)}.json",
        "page_json": document_href(doc_id) + ".json",
        "on": day.isoformat(),
        "today": today,
        "status_today": status_words.status_line(periods, today, label, part_key),
        "status_on": status_words.status_line(periods, day.isoformat(), label, part_key),
        "periods": views,
        "effective_dates": effective_dates(doc, data["part_rows"], views, part_key),
        "annexes": document_outline.annexes(doc.get("text"), data["attachments"]),
        "checks": checks,
        "marks": marks,
        "text_html": highlight(doc.get("text") or "", marks),
        "mark_counts": {k: sum(1 for m in marks if m.kind == k) for k in labels},
        "mark_labels": labels,
        "mark_styles": mark_styles(),
        "relations_out": data["relations_out"],
        "relations_in": data["relations_in"],
        "target_labels": names,
        "controls": data["controls"],
        "hs_codes": data["hs_codes"],
        "entities": data["entities"],
        "document_href": document_href,
        "code_href": code_href,
        "entity_href": entity_href,
    }


JSON_KEYS = ("doc", "number", "issuers", "on", "today", "status_today", "status_on", "periods", "effective_dates",
             "annexes", "checks", "relations_out", "relations_in", "controls", "hs_codes", "entities")


async def document_view(datasette: Any, request: Any) -> Response:
    doc_id = path_value(request.url_vars["doc_id"])
    try:
        day = status_words.parse_day("on", request.args.get("on"), dt.date.today())
    except status_words.DateError as exc:
        return bad_date(request, f"/-/document/{shown(doc_id)}: {exc}")
    db = datasette.get_database(DB)
    limit = int(datasette.setting("sql_time_limit_ms"))
    data = await db.execute_fn(lambda conn: page_rows(conn, doc_id, limit))
    if data is None:
        raise NotFound(f"No document {shown(doc_id)}")
    context = document_context(data, day)
    if request.url_vars.get("format") == "json":  # the page's JSON twin: the same data, no HTML
        return Response.json({k: context[k] for k in JSON_KEYS}
                             | {"marks": [m._asdict() for m in context["marks"]]})
    return Response.html(await datasette.render_template("document.html", context, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/document/(?P<doc_id>[^/]+?)(?:\.(?P<format>json))?$", document_view)]


DOCUMENT_COLUMNS = {"document_id", "source_document_id", "target_document_id", "caused_by_document_id"}


# Ids that are no document number ("<source>:<sha256 prefix>") read as their title; the database is served
# immutable, so the titles are read once per database file.
_TITLES: dict[tuple[str, float], dict[str, str]] = {}


async def internal_id_titles(datasette: Any) -> dict[str, str]:
    db = datasette.get_database(DB)
    key = (str(db.path), Path(db.path).stat().st_mtime if db.path and Path(db.path).is_file() else 0.0)
    if key not in _TITLES:
        rows = await db.execute("select id, title from documents where doc_number is null and title is not null")
        _TITLES.clear()
        _TITLES[key] = {r["id"]: r["title"] for r in rows}
    return _TITLES[key]


def document_cell(value: str, label: str | None) -> Markup:
    text = html.escape(value) if not label or label == value else f"{html.escape(label)} <em>{html.escape(value)}</em>"
    return Markup(f'<a href="{html.escape(document_href(value))}">{text}</a>')


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Document ids anywhere in the tables link to the document page (an internal id shows the document's
    title beside it), span ids to the passage in it, codes to their history."""
    if database != DB:
        return None
    label = None
    if isinstance(value, dict) and "value" in value:  # a foreign key Datasette expanded to {value, label}
        value, label = value["value"], value.get("label")
    if not isinstance(value, str) or not value:
        return None
    if (table == "documents" and column == "id") or column in DOCUMENT_COLUMNS:
        if label or ":" not in value:
            return document_cell(value, label)
        doc_id = value

        async def titled() -> Markup:
            return document_cell(doc_id, (await internal_id_titles(datasette)).get(doc_id))

        return titled()
    if column == "span_id" or (table == "spans" and column == "id"):
        href = span_href(value)
        return Markup(f'<a href="{html.escape(href)}">{html.escape(value)}</a>') if href else None
    if column == "control_code" or (column == "hs_code" and value.isdigit()):
        return Markup(f'<a href="{html.escape(code_href(value))}">{html.escape(value)}</a>')
    return None
