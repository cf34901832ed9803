"""Catalogue editions and their entries (pure): every catalogue Document — a parsed PDF or a dataset
file, the same Document either way — is part of one edition of its catalogue (the control list, a
licence catalogue, the technology catalogue), dated by what its source states or else by the notice
issuing it; an edition runs until the next edition of the same catalogue takes effect.

`diff(a, b)` compares two editions' entries: control codes and HS numbers added, removed, changed."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.catalogue.datasets import editions_config, kind_of
from ingest.document import CatalogueRow, Document
from ingest.parse.numbers import find_numbers
from kb.facts import Span
from kb.load import span_id

Row = dict[str, Any]
COMPARED = ("description", "hs_codes", "unit", "reference_name")  # what makes a code's entry "changed"
AMENDMENT = ":amendment"  # the kind suffix of entries a notice adds to the edition in force


def publishes(title: str | None) -> bool:
    """Whether a notice's title publishes a catalogue (an edition), by editions.yml `publishes`."""
    return bool(title) and any(re.search(p, title or "") for p in editions_config()["publishes"])


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def row_needle_span(doc: Document, index: int, row: CatalogueRow) -> Span | None:
    """The span kb.extract cites for a row (its code, else its first HS number, in the row's line)."""
    lines = doc.meta.get("row_lines") or []
    if index >= len(lines):
        return None
    start, end = (int(x) for x in lines[index])
    needle = row.control_code or (row.hs_codes[0] if row.hs_codes else None)
    if not needle:
        return None
    pos = doc.text.find(needle, start, end)
    if pos < 0:
        return Span(start, end, doc.text[start:end], row.page)
    return Span(pos, pos + len(needle), needle, row.page)


def _notice_of(doc: Document, doc_row: Row, by_url: dict[str, str], by_number: dict[str, str]) -> str | None:
    """The notice issuing a catalogue: the article a PDF hangs from, else the notice the dataset names
    (its page, else its number)."""
    if doc_row.get("attachment_of"):
        return str(doc_row["attachment_of"])
    edition = doc.meta.get("edition") or {}
    if edition.get("notice_url") in by_url:
        return by_url[edition["notice_url"]]
    for match in find_numbers(edition.get("notice") or ""):
        if match.canonical in by_number:
            return by_number[match.canonical]
    return None


def link_datasets(documents: Sequence[Document], doc_rows: list[Row]) -> list[Row]:
    """Document rows with each dataset-file catalogue hung from the notice it names (`attachment_of`),
    so its entries are in force exactly when that notice is, like a PDF attachment's."""
    by_url = {url: row["id"] for row in doc_rows for url in json.loads(row["source_urls"] or "[]")}
    by_number = {row["doc_number"]: row["id"] for row in doc_rows if row["doc_number"]}
    rows = {row["id"]: row for row in doc_rows}
    for doc in documents:
        row = rows.get(doc.doc_id)
        if doc.doc_type != "catalogue" or row is None or row["attachment_of"]:
            continue
        notice = _notice_of(doc, row, by_url, by_number) or _publishing_notice(doc, doc_rows)
        if notice and notice != doc.doc_id:
            rows[doc.doc_id] = {**row, "attachment_of": notice}
    return [rows[row["id"]] for row in doc_rows]


def _publishing_notice(doc: Document, doc_rows: Sequence[Row]) -> str | None:
    """When a dataset names its notice by neither an archived URL nor a number the archive knows: the
    one notice that publishes a catalogue of its kind (its title, editions.yml `publishes`) and takes
    effect on the date the dataset states. None when there is no such notice, or more than one."""
    edition = doc.meta.get("edition") or {}
    date, kind = edition.get("effective_date"), edition.get("kind")
    if not date or not kind:
        return None
    found = [row["id"] for row in doc_rows
             if row["id"] != doc.doc_id and row.get("effective_date") == date and publishes(row.get("title"))
             and kind_of(row.get("title")) == kind]
    return found[0] if len(found) == 1 else None


@dataclass
class _Edition:
    kind: str
    effective_date: str | None
    title: str | None = None
    notice: str | None = None
    documents: list[str] = field(default_factory=list)


def edition_tables(documents: Sequence[Document], doc_rows: Sequence[Row], span_ids: set[str]) -> dict[str, list[Row]]:
    """Rows of catalogue_editions, catalogue_entries, technology_entries and technology_status_periods
    for every catalogue document of a known kind (and the spans the technology entries cite)."""
    rows_by_id = {row["id"]: row for row in doc_rows}
    editions: dict[str, _Edition] = {}
    entries: list[Row] = []
    technology: list[Row] = []
    technology_spans: dict[str, Row] = {}
    for doc in sorted((d for d in documents if d.doc_type == "catalogue"), key=lambda d: d.doc_id):
        edition_meta = doc.meta.get("edition") or {}
        kind = edition_meta.get("kind")
        doc_row = rows_by_id.get(doc.doc_id)
        if not kind or doc_row is None:
            continue  # a catalogue of no known kind: its rows are facts, not an edition
        notice = rows_by_id.get(doc_row.get("attachment_of") or "")
        effective = (edition_meta.get("effective_date") or (notice or {}).get("effective_date")
                     or (notice or {}).get("signed_date") or doc_row.get("posted_date"))
        if edition_meta.get("amendment") or (not edition_meta.get("effective_date")
                                             and not publishes((notice or {}).get("title"))):
            kind += AMENDMENT
        edition_id = f"{kind}@{effective or 'undated:' + doc.doc_id}"
        edition = editions.setdefault(edition_id, _Edition(kind, effective))
        edition.documents.append(doc.doc_id)
        edition.title = edition.title or doc.title
        edition.notice = edition.notice or (notice or {}).get("id")
        provenance = edition_meta.get("provenance") or (doc.source_urls[0] if doc.source_urls else None)
        for item in doc.meta.get("technology", ()):
            start, end = item["line"]
            line = Span(start, end, doc.text[start:end], item["page"])
            line_id = span_id(doc.doc_id, line)
            technology_spans[line_id] = {"id": line_id, "document_id": doc.doc_id, "start": start, "end": end,
                                         "page": item["page"], "text": line.text}
            technology.append({
                "edition_id": edition_id, "document_id": doc.doc_id, "action": item["action"],
                "number": item["number"], "name": item["name"] or None, "control_points": item["control_points"],
                "class": item["klass"], "industry": item["industry"], "part": item["part"], "page": item["page"],
                "seq": item["seq"], "flags": _json(item["flags"]), "span_id": line_id,
            })
        for index, row in enumerate(doc.rows):
            span = row_needle_span(doc, index, row)
            sid = span_id(doc.doc_id, span) if span else None
            entries.append({
                "edition_id": edition_id, "document_id": doc.doc_id, "provenance": provenance,
                "seq": row.seq, "control_code": row.control_code,
                "control_code_root": row.control_code.split(".")[0] if row.control_code else None,
                "description": row.name or None, "reference_name": row.reference_name,
                "hs_codes": _json(row.hs_codes), "unit": row.unit, "notes": row.notes, "page": row.page,
                "span_id": sid if sid in span_ids else None,
            })
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry["edition_id"]] += 1
    by_kind: dict[str, list[tuple[str, _Edition]]] = defaultdict(list)
    for edition_id, edition in editions.items():
        by_kind[edition.kind].append((edition_id, edition))
    edition_rows: list[Row] = []
    for kind_editions in by_kind.values():
        dated = sorted(kind_editions, key=lambda item: item[1].effective_date or "")
        for i, (edition_id, edition) in enumerate(dated):
            later = [e.effective_date for _, e in dated[i + 1:] if e.effective_date and edition.effective_date
                     and e.effective_date > edition.effective_date]
            edition_rows.append({
                "id": edition_id, "kind": edition.kind, "title": edition.title,
                "effective_date": edition.effective_date, "end_date": later[0] if later else None,
                "notice_document_id": edition.notice, "documents": _json(edition.documents),
                "entries": counts[edition_id],
            })
    edition_rows.sort(key=lambda r: str(r["id"]))
    for entry in technology:
        counts[entry["edition_id"]] += 1
    for edition_row in edition_rows:
        edition_row["entries"] = counts[edition_row["id"]]
    return {
        "catalogue_editions": edition_rows,
        "catalogue_entries": [{"id": i, **entry} for i, entry in enumerate(entries, 1)],
        "technology_entries": [{"id": i, **entry} for i, entry in enumerate(technology, 1)],
        "technology_status_periods": technology_periods(edition_rows, technology),
        "spans": [technology_spans[k] for k in sorted(technology_spans)],
    }


def technology_periods(edition_rows: Sequence[Row], technology: Sequence[Row]) -> list[Row]:
    """Each technology entry's periods: listed from its catalogue edition's date, changed or deleted
    (or added) by the amendments dated within that edition, ended when the next edition takes effect."""
    import datetime as dt

    from ingest.catalogue.technology import Change, TechnologyEntry, timeline

    def entry(row: Row) -> TechnologyEntry:
        return TechnologyEntry(row["number"], row["name"] or "", row["control_points"], row["class"])

    dated = {e["id"]: e for e in edition_rows if e["effective_date"]}
    bases = sorted((e for e in dated.values() if e["kind"] == "technology_catalogue"), key=lambda e: e["effective_date"])
    out: list[Row] = []
    for base in bases:
        start, end = base["effective_date"], base["end_date"]
        amendments = []
        for edition in sorted(dated.values(), key=lambda e: (e["effective_date"], e["id"])):
            if edition["kind"] == "technology_catalogue" + AMENDMENT and start <= edition["effective_date"] \
                    and (end is None or edition["effective_date"] < end):
                changes = [Change(r["action"], entry(r)) for r in technology if r["edition_id"] == edition["id"]]
                amendments.append((dt.date.fromisoformat(edition["effective_date"]),
                                   json.loads(edition["documents"])[0], changes))
        listed = [entry(r) for r in technology if r["edition_id"] == base["id"]]
        for number, periods in sorted(timeline(listed, dt.date.fromisoformat(start), amendments).items()):
            for period in periods:
                if end is not None and period.start.isoformat() >= end:
                    continue
                stop = period.end.isoformat() if period.end else end
                out.append({"number": number, "status": period.status, "start_date": period.start.isoformat(),
                            "end_date": stop if end is None or stop is None or stop < end else end,
                            "name": period.entry.name or None, "control_points": period.entry.control_points,
                            "class": period.entry.klass, "edition_id": base["id"],
                            "caused_by_document_id": period.caused_by})
    return [{"id": i, **row} for i, row in enumerate(out, 1)]


# --- diff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What a diff compares of one entry."""

    control_code: str | None
    description: str | None = None
    hs_codes: tuple[str, ...] = ()
    unit: str | None = None
    reference_name: str | None = None
    page: int | None = None

    @classmethod
    def of_row(cls, row: CatalogueRow) -> Entry:
        return cls(row.control_code, row.name or None, tuple(row.hs_codes), row.unit, row.reference_name, row.page)

    @classmethod
    def of_db(cls, row: Row) -> Entry:
        return cls(row["control_code"], row["description"], tuple(json.loads(row["hs_codes"] or "[]")), row["unit"],
                   row["reference_name"], row["page"])


def _keyed(entries: Iterable[Entry]) -> dict[tuple[str, int], Entry]:
    """Entries by control code (and occurrence, when an edition lists a code more than once)."""
    seen: dict[str, int] = defaultdict(int)
    out = {}
    for entry in entries:
        if entry.control_code:
            out[(entry.control_code, seen[entry.control_code])] = entry
            seen[entry.control_code] += 1
    return out


def diff(a: Iterable[Entry], b: Iterable[Entry]) -> dict[str, Any]:
    """Control codes added, removed and changed (which fields, old → new) from edition a to b, and HS
    numbers added and removed (over all entries, with or without a code)."""
    a, b = list(a), list(b)
    old, new = _keyed(a), _keyed(b)
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields_ = {name: [getattr(old[key], name), getattr(new[key], name)] for name in COMPARED
                   if getattr(old[key], name) != getattr(new[key], name)}
        if fields_:
            changed.append({"control_code": key[0], "occurrence": key[1], "page": new[key].page,
                            "fields": {n: [list(v) if isinstance(v, tuple) else v for v in pair]
                                       for n, pair in fields_.items()}})
    hs_old = {h for e in a for h in e.hs_codes}
    hs_new = {h for e in b for h in e.hs_codes}
    return {
        "codes": {
            "added": [_entry_json(new[k]) for k in sorted(new.keys() - old.keys())],
            "removed": [_entry_json(old[k]) for k in sorted(old.keys() - new.keys())],
            "changed": changed,
        },
        "hs_codes": {"added": sorted(hs_new - hs_old), "removed": sorted(hs_old - hs_new)},
        "counts": {"a_entries": len(a), "b_entries": len(b)},
    }


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {"control_code": entry.control_code, "description": entry.description, "hs_codes": list(entry.hs_codes),
            "unit": entry.unit, "page": entry.page}


# --- where a diff's two sides come from (I/O at the edge) -------------------------------------------

ENTRIES_SQL = ("SELECT control_code, description, hs_codes, unit, reference_name, page FROM catalogue_entries "
               "WHERE edition_id = ? ORDER BY id")
ON_DATE = "on:"  # a diff side "on:2026-01-01": the controls of the notices in force that day
# One entry per control code in force on the date (a code several notices list: the earliest listing's item;
# HS numbers: all its listings'), so a date compares with an edition code by code.
IN_FORCE_SQL = """
SELECT c.control_code, min(c.item) AS description,
       json_group_array(DISTINCT h.value) FILTER (WHERE h.value IS NOT NULL) AS hs_codes,
       NULL AS unit, NULL AS reference_name, NULL AS page
FROM control_status_periods v JOIN controls c ON c.id = v.control_id
LEFT JOIN json_each(c.hs_codes) h
WHERE v.status = 'in_force' AND v.start_date <= ? AND (v.end_date IS NULL OR ? < v.end_date)
GROUP BY c.control_code ORDER BY c.control_code
"""


def entries_of(spec: str, db_path: Any) -> tuple[str, list[Entry]]:
    """A diff side: a catalogue PDF or dataset file (parsed now), an edition id in the database, or
    `on:DATE` (the controls of the notices in force on DATE). Raises KbError naming `spec` (and the
    known editions) when it is none of these."""
    import sqlite3
    from pathlib import Path

    from kb.errors import KbError

    path = Path(spec)
    if path.is_file():
        from ingest.catalogue import read_catalogue
        from ingest.catalogue.datasets import is_dataset, parse_dataset
        from ingest.limits import read_bounded

        data = read_bounded(path)
        table = parse_dataset(data, spec).table if is_dataset(data) else read_catalogue(data, spec)
        return path.name, [Entry.of_row(r) for r in table.rows]
    if not Path(db_path).is_file():
        raise KbError(f"{spec}: no such file, and no database at {db_path} to find an edition in")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        if spec.startswith(ON_DATE):
            import datetime as dt

            day = spec.removeprefix(ON_DATE)
            try:
                dt.date.fromisoformat(day)
            except ValueError as exc:
                raise KbError(f"{spec}: not a date (on:YYYY-MM-DD)") from exc
            rows = [dict(r) for r in conn.execute(IN_FORCE_SQL, (day, day))]
            return spec, [Entry.of_db(r) for r in rows]
        rows = [dict(r) for r in conn.execute(ENTRIES_SQL, (spec,))]
        known = [r[0] for r in conn.execute("SELECT id FROM catalogue_editions ORDER BY id")] if not rows else []
    except sqlite3.OperationalError as exc:
        raise KbError(f"{db_path}: no catalogue editions in this database ({exc}); rebuild it") from exc
    finally:
        conn.close()
    if not rows:
        raise KbError(f"{spec}: neither a file nor an edition (known editions: {', '.join(known) or 'none'})")
    return spec, [Entry.of_db(r) for r in rows]
