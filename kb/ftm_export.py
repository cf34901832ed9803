"""Listed entities as FollowTheMoney entities (the format OpenSanctions and nomenklatura users consume):
one `LegalEntity` per entity (names in Chinese and English, aliases, address, country), one `Sanction` per
listing (the list as program, authority, its dates and status: from `list_membership_periods` where the
build made them, so a suspension or stop of the measures shows, else from the listing document and a
later removal), one `Document` per source notice (title, number, date, official URL) that each Sanction
cites as `proof`. Ids are stable: the same database gives the same ids.

`mofcom-kb export-ftm` writes them as line-delimited JSON; `/-/entities.ftm.json` serves the same lines."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from kb.errors import KbError
from kb.json_columns import json_list
from kb.status_words import last_day
from kb.web_safety import safe_link

SETTINGS_PATH = Path(__file__).resolve().with_name("ftm_export.yml")

ENTITIES_SQL = """
select e.id, e.document_id, e.list_name, e.action, e.name_zh, e.name_en, e.aliases, e.address, e.postcode,
       e.country, e.span_id
from listed_entities e order by e.id
"""
MEMBERSHIP_SQL = """
select m.entity_id, m.status, m.start_date, m.end_date, m.caused_by_document_id, c.doc_number as caused_by_number
from list_membership_periods m left join documents c on c.id = m.caused_by_document_id
order by m.entity_id, m.start_date
"""
DOCUMENTS_SQL = """
select d.id, d.doc_number, d.title, d.signed_date, d.posted_date, d.effective_date, d.source_url,
       (select min(p.start_date) from document_status_periods p
         where p.document_id = d.id and p.part is null and p.status = 'in_force') as in_force_from
from documents d where d.id in (select document_id from listed_entities)
"""


@cache
def settings() -> dict[str, Any]:
    data = yaml.safe_load(SETTINGS_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise ValueError(f"{SETTINGS_PATH}: expected a mapping with `lists`")
    return data


def make_id(*parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return f"{settings()['id_prefix']}-{digest}"


def entity_key(name_zh: str) -> str:
    """Entities are one across notices when their Chinese name is (spaces and zero-width marks aside)."""
    return "".join(ch for ch in name_zh if not ch.isspace() and ch not in "\u200b\u200c\u200d\ufeff")


def document_entity(doc: dict[str, Any]) -> EntityProxy:
    proxy = model.make_entity("Document")
    proxy.id = make_id("document", doc["id"])
    proxy.add("title", doc["title"] or doc["doc_number"] or doc["id"])
    proxy.add("summary", doc["doc_number"])
    proxy.add("date", doc["signed_date"])
    proxy.add("publishedAt", doc["posted_date"])
    proxy.add("publisher", settings()["authority"])
    proxy.add("sourceUrl", safe_link(doc["source_url"]))
    proxy.add("language", "zho")
    return proxy


def legal_entity(rows: list[dict[str, Any]], docs: dict[str, dict[str, Any]]) -> EntityProxy:
    proxy = model.make_entity("LegalEntity")
    proxy.id = make_id("entity", entity_key(rows[0]["name_zh"]))
    for row in rows:
        proxy.add("name", row["name_zh"])
        proxy.add("name", row["name_en"])
        proxy.add("alias", json_list(row["aliases"]))
        address = " ".join(v for v in (row["address"], row["postcode"]) if v)
        proxy.add("address", address or None)
        country = registry.country.clean(row["country"]) if row["country"] else None
        if country:
            proxy.add("country", country)
        elif row["country"]:
            proxy.add("notes", f"country as printed: {row['country']}")
        topic = settings()["lists"].get(row["list_name"], {}).get("topic")
        proxy.add("topics", topic)
        proxy.add("program", program(row["list_name"]))
        proxy.add("sourceUrl", safe_link(docs.get(row["document_id"], {}).get("source_url")))
    return proxy


def program(list_name: str) -> str:
    return str(settings()["lists"].get(list_name, {}).get("program") or list_name)


def membership_dates(proxy: EntityProxy, periods: list[dict[str, Any]], today: str) -> None:
    """startDate, endDate (the day the listing ended, as OpenSanctions dates a delisting), status on `today`,
    and each suspension of the measures in words."""
    proxy.add("startDate", periods[0]["start_date"])
    last = periods[-1]
    current = next((p for p in periods if p["start_date"] <= today and (p["end_date"] is None or today < p["end_date"])),
                   None)
    if last["end_date"] is not None and today >= last["end_date"]:
        proxy.add("endDate", last["end_date"])
        proxy.add("status", "ended")
    elif current is not None:
        proxy.add("status", "measures suspended" if current["status"] == "suspended" else "in force")
    for p in periods:
        if p["status"] == "suspended":
            by = p["caused_by_number"] or p["caused_by_document_id"] or "a later text"
            until = f" to {last_day(p['end_date'])}" if p["end_date"] else ""
            proxy.add("description", f"measures suspended from {p['start_date']}{until} by {by}")


def sanction(row: dict[str, Any], entity_id: str, doc: dict[str, Any], ended: dict[str, Any] | None,
             periods: list[dict[str, Any]] | None = None, today: str = "") -> EntityProxy:
    proxy = model.make_entity("Sanction")
    proxy.id = make_id("sanction", str(row["id"]))
    proxy.add("entity", entity_id)
    proxy.add("authority", settings()["authority"])
    proxy.add("program", program(row["list_name"]))
    proxy.add("programId", row["list_name"])
    proxy.add("provisions", row["action"])
    proxy.add("listingDate", doc.get("signed_date"))
    if periods:
        membership_dates(proxy, periods, today)
    else:  # a database built before list_membership_periods
        proxy.add("startDate", doc.get("in_force_from") or doc.get("effective_date") or doc.get("signed_date"))
    if ended is not None:
        if not periods:
            proxy.add("endDate", ended.get("in_force_from") or ended.get("effective_date") or ended.get("signed_date"))
        proxy.add("status", f"removed by {ended.get('doc_number') or ended['id']}")
    proxy.add("sourceUrl", safe_link(doc.get("source_url")))
    proxy.add("summary", doc.get("doc_number") or doc.get("title"))
    proxy.add("recordId", row["span_id"])
    proxy.add("proof", make_id("document", row["document_id"]))
    proxy.add("publisher", settings()["publisher"])
    return proxy


def ftm_entities(conn: sqlite3.Connection) -> Iterator[EntityProxy]:
    """Documents first, then each entity followed by its sanctions (a reader of the stream meets every
    referenced id before the reference)."""
    conn.row_factory = sqlite3.Row
    docs = {r["id"]: dict(r) for r in conn.execute(DOCUMENTS_SQL)}
    periods: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(MEMBERSHIP_SQL):
        periods.setdefault(r["entity_id"], []).append(dict(r))
    today = dt.date.today().isoformat()
    rows = [dict(r) for r in conn.execute(ENTITIES_SQL)]
    for doc in sorted(docs.values(), key=lambda d: d["id"]):
        yield document_entity(doc)
    by_entity: dict[tuple[str, str], list[dict[str, Any]]] = {}
    order: list[str] = []
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = entity_key(row["name_zh"])
        if key not in grouped:
            order.append(key)
        grouped.setdefault(key, []).append(row)
        by_entity.setdefault((key, row["list_name"]), []).append(row)
    for key in order:
        entity = legal_entity(grouped[key], docs)
        yield entity
        for row in grouped[key]:
            if row["action"] != "add":
                continue
            start = docs.get(row["document_id"], {})
            later = [docs.get(r["document_id"], {"id": r["document_id"]}) for r in by_entity[(key, row["list_name"])]
                     if r["action"] == "remove" and (docs.get(r["document_id"], {}).get("signed_date") or "")
                     >= (start.get("signed_date") or "")]
            yield sanction(row, entity.id or "", start, min(later, key=lambda d: d.get("signed_date") or "",
                                                              default=None), periods.get(row["id"]), today)


def export(db_path: Path) -> Iterator[str]:
    """Line-delimited FtM JSON of the database's listed entities."""
    if not db_path.is_file():
        raise KbError(f"{db_path}: no database yet (run `mofcom-kb build` first)")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for proxy in ftm_entities(conn):
            yield json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True)
    finally:
        conn.close()
