"""What changed in the regime between two dates: documents published, and every status change of a
document or dated clause (took effect, suspended, back in force, repealed, expired) that the status
periods record. One list of events, newest first, for the home page, `/-/changes?since=DATE` (+ .json) and
its Atom feed; dates inclusive on both ends, as people read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

# A status period starting inside [since, until] is a change on its first day; the period before it (same
# document and part) says what it changed from. Published: a document signed (else posted) in the range.
CHANGES_SQL = """
select * from (
select 'published' as event, d.id as document_id, d.doc_number, d.title, d.doc_type, null as part,
       coalesce(d.signed_date, d.posted_date) as date, null as status, null as previous_status,
       null as caused_by_document_id, null as caused_by_number, null as end_date
from documents d
where d.known_only_by_reference = 0 and coalesce(d.signed_date, d.posted_date) between :since and :until
union all
select 'status', p.document_id, d.doc_number, d.title, d.doc_type, p.part, p.start_date, p.status,
       (select q.status from document_status_periods q where q.document_id = p.document_id
         and coalesce(q.part, '') = coalesce(p.part, '') and q.end_date = p.start_date),
       p.caused_by_document_id, coalesce(c.doc_number, c.title), p.end_date
from document_status_periods p join documents d on d.id = p.document_id
left join documents c on c.id = p.caused_by_document_id
where p.start_date between :since and :until
) order by date desc, document_id, coalesce(part, ''), event
"""

EVENT_WORDS = {
    ("published", None): ("发布", "published"),
    ("status", "in_force"): ("生效", "took effect"),
    ("status", "suspended"): ("暂停实施", "suspended"),
    ("status", "published_not_effective"): ("已公布待施行", "published, not yet in force"),
    ("status", "repealed"): ("废止", "repealed"),
    ("status", "expired"): ("失效", "expired"),
}
RESUMED = ("恢复实施", "back in force")


def window(since: dt.date, until: dt.date) -> dict[str, str]:
    if since > until:
        raise ValueError(f"since={since.isoformat()} is after {until.isoformat()}")
    return {"since": since.isoformat(), "until": until.isoformat()}


def describe(row: dict[str, Any]) -> dict[str, Any]:
    """A change row with its words: 生效 took effect, 暂停实施 suspended, 恢复实施 back in force…"""
    key = (row["event"], row["status"] if row["event"] == "status" else None)
    zh, en = EVENT_WORDS.get(key, (row["status"] or row["event"], row["status"] or row["event"]))
    if row["event"] == "status" and row["status"] == "in_force" and row.get("previous_status") == "suspended":
        zh, en = RESUMED
    last = None
    if row.get("end_date"):
        last = (dt.date.fromisoformat(row["end_date"]) - dt.timedelta(days=1)).isoformat()
    return {**row, "what_zh": zh, "what_en": en, "last_day": last,
            "label": row["doc_number"] or row["title"] or row["document_id"]}


def is_published_duplicate(event: dict[str, Any], events: list[dict[str, Any]]) -> bool:
    """A document's `published_not_effective` period starting on its publishing day says the same
    thing as its `published` event."""
    return (event["event"] == "status" and event["status"] == "published_not_effective" and any(
        e["event"] == "published" and e["document_id"] == event["document_id"] and e["date"] == event["date"]
        for e in events))


def repeats_whole(event: dict[str, Any], events: list[dict[str, Any]]) -> bool:
    """A clause changing on the day and to the status its whole document does adds nothing."""
    return bool(event.get("part")) and any(
        not e.get("part") and e["event"] == "status" and e["document_id"] == event["document_id"]
        and e["date"] == event["date"] and e["status"] == event["status"] for e in events)


def change_events(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of CHANGES_SQL as events, without those another event already says."""
    events = [describe(dict(r)) for r in rows]
    return [e for e in events if not is_published_duplicate(e, events) and not repeats_whole(e, events)]
