"""Point-in-time list membership (pure): who was on which list, and whether the measures against them were
in force or suspended, day by day. Built at load time into `list_membership_periods` (kb/schema.yml), which
the canned query `entities_on_lists` and `mofcom-kb on` read.

The rule, from the regime's general forms (a listing takes effect; other texts suspend, resume or stop the
measures of a listing notice, or name the entity in their own decision):

- A party is listed by a document that adds it to a list (`add`), takes measures against it as a listed
  party (`measures`), or restores or suspends by name the measures against a party with no earlier listing
  known (`resume`, `suspend`: the text says the party is listed, though the KB lacks the listing notice);
  from that document's acting date: its effective date where one is known, else its signing date, else the
  site's posting date (an annex printing the parties: its notice's date, and its notice's status). A warning (`warn`) or an investigation (`investigate`) never lists anyone.
- The listing ends on the date a later document removes the party from that list (`remove`) or stops the
  measures against it (`stop`), and when the listing document itself is repealed or its measures stopped
  (停止实施 is read as `repeals`; document_status_periods says `repealed`) or expire.
- While listed, the measures are `suspended` when the listing document's whole-document status is
  suspended (a relation of another text, windows and `resumes` applied as in kb/status.py), or when a later
  document suspends the measures against the party by name (`suspend`). A named suspension lasts until a
  later `resume`, `stop` or `remove` of the party, or until the end of the suspending document's window when
  all its suspension windows end on one day; else it stays open. A named `resume` also ends a suspension of
  the whole listing document for that party.
- A party listed (or subjected to measures) by several documents has a membership per document: each
  document's measures can be suspended or stopped on their own.

Periods are half-open like every period of the database: start_date inclusive, end_date EXCLUSIVE
(NULL = still so). Parties are matched by list and Chinese name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kb.intervals import change_points, top_stretches
from kb.status import next_day

LISTING_ACTIONS = ("add", "measures")
RESTORING_ACTIONS = ("resume",)
ENDING_ACTIONS = ("remove", "stop")
SUSPENDING_ACTIONS = ("suspend",)
# Whole-document statuses of a listing document that end its measures for good.
ENDED_STATUSES = ("repealed", "expired")
MEMBERSHIP_STATUSES = ("in_force", "suspended")

Key = tuple[str, str]  # (list_name, name_zh)


@dataclass(frozen=True)
class Action:
    """One list action on one party, dated by its document."""

    id: int  # listed_entities.id
    list_name: str
    name_zh: str
    name_en: str | None
    country: str | None
    action: str
    document_id: str
    date: str | None  # the acting date of its document

    @property
    def key(self) -> Key:
        return (self.list_name, self.name_zh)


@dataclass(frozen=True)
class _Layer:
    status: str  # in_force, suspended, ended
    start: str
    end: str | None
    caused_by: str | None
    relation_id: int | None
    basis: str


_RANK = {"ended": 3, "suspended": 2, "in_force": 1}


def acting_date(document: dict[str, Any]) -> str | None:
    """When a document's list decision takes effect: effective date, else signed, else posted."""
    return document.get("effective_date") or document.get("signed_date") or document.get("posted_date")


def actions_from_rows(tables: dict[str, list[dict[str, Any]]]) -> list[Action]:
    documents = {d["id"]: d for d in tables["documents"]}

    def dated(doc_id: str) -> str | None:
        # an annex printing the parties acts when its notice does (its own page rarely prints a date)
        doc = documents.get(doc_id, {})
        parent = doc.get("attachment_of")
        return acting_date(doc) or (acting_date(documents.get(parent, {})) if parent else None)

    out = []
    for e in tables.get("listed_entities", []):
        out.append(Action(e["id"], e["list_name"], e["name_zh"], e.get("name_en"), e.get("country"), e["action"],
                          e["document_id"], dated(e["document_id"])))
    return sorted(out, key=lambda a: (a.date or "", a.id))


def _common_window_end(document_id: str, relations: list[dict[str, Any]]) -> str | None:
    """The exclusive end of a document's suspension windows when they all end on one printed day."""
    ends = {r["end_date"] for r in relations if r["source_document_id"] == document_id and r["relation"] == "suspends"}
    if len(ends) != 1 or None in ends:
        return None
    (end,) = ends
    try:
        return next_day(end)
    except (TypeError, ValueError):
        return None  # a window end that is no date: open rather than wrong


def _document_layers(periods: list[dict[str, Any]]) -> list[_Layer]:
    """What the listing document's own whole-document status says about its measures."""
    layers = []
    for p in periods:
        if p["part"] is not None:
            continue
        if p["status"] == "suspended":
            layers.append(_Layer("suspended", p["start_date"], p["end_date"], p["caused_by_document_id"],
                                 p["relation_id"], f"the listing document suspended ({p['basis']})"))
        elif p["status"] in ENDED_STATUSES:
            layers.append(_Layer("ended", p["start_date"], None, p["caused_by_document_id"], p["relation_id"],
                                 f"the listing document {p['status']} ({p['basis']})"))
    return layers


def _cut(layer: _Layer, at: str) -> _Layer | None:
    """A suspension cut short by a named resume on `at`; None when it had not begun."""
    if at <= layer.start:
        return None
    return _Layer(layer.status, layer.start, at, layer.caused_by, layer.relation_id, layer.basis)


def _named_layers(listing: Action, later: list[Action], relations: list[dict[str, Any]]) -> list[_Layer]:
    """Suspensions and endings of this party's measures by documents naming it (the listing's own text when
    it is a suspension by name, then later ones)."""
    layers: list[_Layer] = []
    for act in ([listing] if listing.action in SUSPENDING_ACTIONS else []) + later:
        assert act.date is not None
        if act.action in ENDING_ACTIONS:
            layers.append(_Layer("ended", act.date, None, act.document_id, None, f"{act.action} ({act.document_id})"))
        elif act.action in SUSPENDING_ACTIONS:
            ends = [a.date for a in later if a.date and a.date > act.date
                    and a.action in (*RESTORING_ACTIONS, *ENDING_ACTIONS)]
            window = _common_window_end(act.document_id, relations)
            end = min([d for d in (*ends, window) if d], default=None)
            layers.append(_Layer("suspended", act.date, end, act.document_id, None,
                                 f"suspend by name ({act.document_id})"))
    return layers


def _flatten(layers: list[_Layer], start: str) -> list[_Layer]:
    """The top layer of each stretch from `start`, merged; stops at the first ending."""
    out: list[_Layer] = []
    for at, end, top in top_stretches(layers, _RANK, change_points(layers, after=start)):
        if top.status == "ended":
            break
        prev = out[-1] if out else None
        if prev and prev.end == at and (prev.status, prev.caused_by, prev.relation_id) == (top.status, top.caused_by, top.relation_id):
            out[-1] = _Layer(prev.status, prev.start, end, prev.caused_by, prev.relation_id, prev.basis)
        else:
            out.append(_Layer(top.status, at, end, top.caused_by, top.relation_id, top.basis))
    return out


def _listings(actions: list[Action]) -> list[tuple[Action, list[Action]]]:
    """Each listing with the later actions on the same party; a resume lists only a party not listed then."""
    by_key: dict[Key, list[Action]] = defaultdict(list)
    for act in actions:
        if act.date is not None:
            by_key[act.key].append(act)
    out = []
    for acts in by_key.values():
        live_until: list[str | None] = []  # end dates of the listings so far (None = open)
        listed_by: set[str] = set()
        for i, act in enumerate(acts):
            assert act.date is not None
            if act.action in ENDING_ACTIONS:
                live_until = [act.date if (u is None or u > act.date) else u for u in live_until]
                continue
            live = any(u is None or u > act.date for u in live_until)
            # a party whose measures are restored or suspended by name was listed, even when the KB lacks
            # the listing document: it is listed from that text's date
            implied = act.action in (*RESTORING_ACTIONS, *SUSPENDING_ACTIONS) and not live
            if (act.action in LISTING_ACTIONS or implied) and act.document_id not in listed_by:
                listed_by.add(act.document_id)
                later = [a for a in acts[i + 1:] if a.document_id != act.document_id]
                out.append((act, later))
                live_until.append(None)
    return out


def membership_periods(actions: list[Action], relations: list[dict[str, Any]],
                       status_periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """list_membership_periods rows (without ids), one per stretch of one listing's status."""
    periods_by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in status_periods:
        periods_by_doc[p["document_id"]].append(p)
    rows = []
    for listing, later in _listings(actions):
        assert listing.date is not None
        base = _Layer("in_force", listing.date, None, listing.document_id, None,
                      f"{listing.action} ({listing.document_id})")
        layers = [base, *_document_layers(periods_by_doc.get(listing.document_id, [])),
                  *_named_layers(listing, later, relations)]
        resumes = sorted(a.date for a in later if a.action in RESTORING_ACTIONS and a.date)
        cut_layers = []
        for layer in layers:
            if layer.status == "suspended":
                at = next((d for d in resumes if d > layer.start and (layer.end is None or d < layer.end)), None)
                if at is not None:
                    layer = _cut(layer, at) or layer
            cut_layers.append(layer)
        for stretch in _flatten(cut_layers, listing.date):
            rows.append({
                "entity_id": listing.id, "list_name": listing.list_name, "name_zh": listing.name_zh,
                "name_en": listing.name_en, "country": listing.country, "document_id": listing.document_id,
                "action": listing.action, "listed_since": listing.date, "status": stretch.status,
                "start_date": stretch.start, "end_date": stretch.end, "caused_by_document_id": stretch.caused_by,
                "relation_id": stretch.relation_id, "basis": stretch.basis,
            })
    return rows


def membership_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """list_membership_periods rows from the built tables (document_status_periods already computed),
    numbered in a stable order."""
    rows = membership_periods(actions_from_rows(tables), tables.get("document_relations", []),
                              tables.get("document_status_periods", []))
    rows.sort(key=lambda r: (r["list_name"], r["name_zh"], r["listed_since"], r["document_id"], r["start_date"]))
    return [{"id": i, **row} for i, row in enumerate(rows, 1)]


def member_on(rows: list[dict[str, Any]], date: str, list_name: str | None = None) -> list[dict[str, Any]]:
    """The membership rows covering `date` (the same test as the canned query's)."""
    return [r for r in rows if r["start_date"] <= date and (r["end_date"] is None or date < r["end_date"])
            and (list_name is None or r["list_name"] == list_name)]
