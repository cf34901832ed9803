"""Facts per document, cached in the data dir's state/ so a rebuild only runs NLP on what changed.

The key is the sha256 of the whole parsed Document (text, parts, dates, …) plus the extraction
pipeline's version: a changed text, a changed parser output or a new pipeline all miss."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import types
import typing
from pathlib import Path
from typing import Any

from ingest.document import Document
from kb.facts import Facts

CACHE_NAME = "facts-cache.sqlite"


def plain(value: Any) -> Any:
    """dataclasses.asdict without its deep copies (the bulk of its time): dataclasses → dicts, tuples →
    lists, dicts walked; json.dumps prints the result exactly as it prints asdict's."""
    if type(value) in _ATOMS:
        return value
    fields_ = _FIELDS.get(type(value))
    if fields_ is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields_ = _FIELDS.setdefault(type(value), tuple(f.name for f in dataclasses.fields(value)))
    # Atoms inline (no call): most values are strings and numbers, and a call per value was most of the time.
    if fields_ is not None:
        return {name: v if type(v := getattr(value, name)) in _ATOMS else plain(v) for name in fields_}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _ATOMS else plain(v) for v in value]
    if isinstance(value, dict):
        return {k: v if type(v) in _ATOMS else plain(v) for k, v in value.items()}
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}
_ATOMS = frozenset({str, int, float, bool, type(None)})  # exactly these types: returned as they are


def document_json(doc: Document) -> str:
    """Document.to_json() as compact JSON (C encoder: Document.dumps()'s indent takes the slow one)."""
    data = plain(doc)
    for key in ("signed_date", "posted_date"):
        value = getattr(doc, key)
        data[key] = value.isoformat() if value else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def facts_json(facts: Facts) -> str:
    """The cache's text of Facts.to_json(), faster."""
    data = plain(facts)
    data.update(data.pop("extra", None) or {})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def cache_key(doc: Document, pipeline_version: str) -> str:
    return hashlib.sha256(f"{pipeline_version}\n{document_json(doc)}".encode()).hexdigest()


def _decode(tp: Any, value: Any) -> Any:
    """Rebuild a value of type `tp` from its asdict() JSON (dataclasses, tuples, optionals)."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        (item, *_rest) = typing.get_args(tp)
        return tuple(_decode(item, v) for v in value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        return tp(**{k: _decode(hints[k], v) for k, v in value.items() if k in known})
    return value


def facts_from_json(data: dict[str, Any]) -> Facts:
    from_json = getattr(Facts, "from_json", None)
    if from_json is not None:
        return typing.cast(Facts, from_json(data))
    return typing.cast(Facts, _decode(Facts, data))


class FactsCache:
    """A small SQLite file: (document id, key) → facts JSON. Written in one transaction per batch."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError:
            # Not a cache we can read (truncated, overwritten): it only saves time, so start afresh.
            path.unlink(missing_ok=True)
            self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path)
        try:
            # WAL + NORMAL: a commit per document without an fsync each; a crash loses at most the
            # last entries (recomputed next time), never the file.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS facts (doc_id TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, "
                "PRIMARY KEY (doc_id, key))")
            conn.execute("SELECT count(*) FROM facts").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def get(self, doc_id: str, key: str) -> Facts | None:
        row = self.conn.execute("SELECT json FROM facts WHERE doc_id = ? AND key = ?", (doc_id, key)).fetchone()
        if row is None:
            return None
        try:
            return facts_from_json(json.loads(row[0]))
        except Exception:  # an entry from an older Facts shape, or damaged: recompute it
            return None

    def put(self, doc_id: str, key: str, facts: Facts) -> None:
        with self.conn:
            # One entry per document: older keys are dead weight.
            self.conn.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
            self.conn.execute("INSERT INTO facts (doc_id, key, json) VALUES (?, ?, ?)", (doc_id, key, facts_json(facts)))

    def put_many(self, entries: list[tuple[str, str, Facts]]) -> None:
        """Several (doc id, key, facts) entries in one transaction."""
        self.put_encoded(list((doc_id, key, facts_json(facts)) for doc_id, key, facts in entries))

    def put_encoded(self, entries: list[tuple[str, str, str]]) -> None:
        """Several (doc id, key, facts_json text) entries in one transaction."""
        with self.conn:
            self.conn.executemany("DELETE FROM facts WHERE doc_id = ?", [(doc_id,) for doc_id, _k, _j in entries])
            self.conn.executemany("INSERT INTO facts (doc_id, key, json) VALUES (?, ?, ?)", entries)

    def keys(self) -> dict[str, str]:
        """doc id → the key its entry was stored under (one query; entries are decoded only when used)."""
        return dict(self.conn.execute("SELECT doc_id, key FROM facts"))

    def close(self) -> None:
        self.conn.close()
