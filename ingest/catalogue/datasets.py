"""Catalogue entries published as data (a JSON Lines list of control codes, a JSON list of HS numbers)
→ the same CatalogueTable a parsed PDF gives, with the edition they belong to.

Shapes are data (editions.yml `datasets`); the loader after this point is the PDF's: one Document
of doc_type "catalogue" with its rows, built by ingest.catalogue.document.table_document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.catalogue.errors import CatalogueError
from ingest.catalogue.table import CatalogueTable, Heading
from ingest.document import CatalogueRow

EDITIONS_FILE = Path(__file__).with_name("editions.yml")


class DatasetError(CatalogueError):
    """A catalogue dataset file that is not in any known shape, or is damaged."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    title_en: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Dataset:
    """A parsed dataset: its rows (as a table) and what it says of its edition."""

    shape: str
    kind: str
    table: CatalogueTable
    title: str
    effective_date: str | None = None
    notice: str | None = None  # the issuing notice's number, as printed
    notice_url: str | None = None


@cache
def editions_config(path: Path = EDITIONS_FILE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@cache
def kinds() -> dict[str, Kind]:
    return {name: Kind(name, spec["title"], spec["title_en"], tuple(re.compile(p) for p in spec["patterns"]))
            for name, spec in editions_config()["kinds"].items()}


def kind_of(*texts: str | None) -> str | None:
    """The catalogue kind whose pattern the first of `texts` to match any matches."""
    for text in texts:
        for kind in kinds().values():
            if text and any(p.search(text) for p in kind.patterns):
                return kind.name
    return None


def _shape(data: Any) -> tuple[str, dict[str, Any]] | None:
    for name, spec in editions_config()["datasets"].items():
        if spec["format"] == "jsonl" and isinstance(data, list) and data and all(
                isinstance(d, dict) and set(spec["fields"]) <= set(d) for d in data):
            return name, spec
        if spec["format"] == "json" and isinstance(data, dict) and isinstance(data.get(spec["entries"]), list) \
                and isinstance(data.get(spec["metadata"]), dict):
            return name, spec
    return None


def _decode(content: bytes, source: str) -> Any:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(source, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    stripped = text.lstrip()
    if not stripped:
        raise DatasetError(source, "empty dataset file")
    try:
        if stripped.startswith("["):
            return json.loads(text)
        if stripped.startswith("{") and "\n{" not in stripped:
            data = json.loads(text)
            # one object: a dataset in the JSON shape, else a JSON Lines file of one entry
            return data if _shape(data) is not None else [data]
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise DatasetError(source, f"not JSON / JSON Lines ({exc.msg}, line {exc.lineno})") from exc


def is_dataset(content: bytes) -> bool:
    """Whether bytes are a catalogue dataset in a known shape (the importer's test)."""
    try:
        return _shape(_decode(content, "")) is not None
    except DatasetError:
        return False


def parse_dataset(content: bytes, source: str) -> Dataset:
    """Rows of a dataset file; a DatasetError naming `source` when the shape is unknown or an entry bad."""
    data = _decode(content, source)
    found = _shape(data)
    if found is None:
        raise DatasetError(source, "not a known catalogue dataset (editions.yml datasets: "
                                   + ", ".join(editions_config()["datasets"]) + ")")
    name, spec = found
    kind = kinds()[spec["kind"]]
    if spec["format"] == "jsonl":
        return _entries_dataset(name, spec, kind, data, source)
    return _list_dataset(name, spec, kind, data, source)


def _entries_dataset(name: str, spec: dict[str, Any], kind: Kind, data: list[dict[str, Any]],
                     source: str) -> Dataset:
    rows: list[CatalogueRow] = []
    headings: list[Heading] = []
    heading = None
    urls = []
    for number, entry in enumerate(data, 1):
        values: dict[str, Any] = {field: " ".join(str(entry.get(key) or "").split()) for key, field in spec["fields"].items()}
        if not values.get("control_code"):
            raise DatasetError(source, f"entry {number} has no {next(iter(spec['fields']))}")
        if spec.get("heading") and entry.get(spec["heading"]) != heading:
            heading = entry.get(spec["heading"])
            headings.append(Heading(0, str(heading), len(rows)))
        rows.append(CatalogueRow(page=None, **values))
        if spec.get("notice_url") and entry.get(spec["notice_url"]):
            urls.append(entry[spec["notice_url"]])
    table = CatalogueTable(tuple(rows), tuple(headings), 0, (kind.title,))
    notice_url = max(set(urls), key=urls.count) if urls else None  # the page the entries were taken from
    return Dataset(name, kind.name, table, kind.title, notice_url=notice_url)


def _list_dataset(name: str, spec: dict[str, Any], kind: Kind, data: dict[str, Any], source: str) -> Dataset:
    meta = data[spec["metadata"]]
    values = data[spec["entries"]]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise DatasetError(source, f"{spec['entries']}: every entry must be a non-empty string")
    value: dict[str, Any] = {}
    rows = tuple(CatalogueRow(page=None, **(value | {spec["field"]: (v.strip(),) if spec["field"] == "hs_codes"
                                                     else v.strip()})) for v in values)
    title = str(meta.get(spec["title"]) or kind.title)
    table = CatalogueTable(rows, (), 0, (title,))
    return Dataset(name, kind.name, table, title, effective_date=meta.get(spec["effective_date"]),
                   notice=meta.get(spec["notice"]), notice_url=meta.get(spec["notice_url"]))
