"""The technology catalogue (《中国禁止出口限制出口技术目录》): its entries, and the notices amending it.

The table prints 序号, 技术名称, 编号 (six digits and the class letter, as printed: 010101J) and 控制要点
under part headings (一、禁止出口部分 / 二、限制出口部分) and industry headings (（一）农业 / 01 农业). It is
read by the catalogue table reader with its own layout (technology_layout.json); the class comes from
the 编号's letter (technology.yml), and a part heading that says otherwise is flagged, not corrected.

An amending notice's annex prints the same table under action headings (一、删除的技术条目, 二、新增的…,
三、修改的…). `timeline` applies amendments by date: each entry's periods (listed, changed, deleted)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.catalogue.reader import Source, read_catalogue
from ingest.catalogue.table import CatalogueTable, Heading

LAYOUT_FILE = Path(__file__).with_name("technology_layout.json")
RULES_FILE = Path(__file__).with_name("technology.yml")


@dataclass(frozen=True)
class TechnologyEntry:
    number: str  # 编号 as printed: 010101J
    name: str  # 技术名称
    control_points: str | None = None  # 控制要点
    klass: str | None = None  # prohibited | restricted (from the number's letter, else the part)
    industry: str | None = None
    part: str | None = None  # the part heading it is printed under
    page: int | None = None
    seq: str | None = None
    flags: tuple[str, ...] = ()  # printed oddities: a number in no known form, a class the part contradicts


@dataclass(frozen=True)
class Change:
    action: str  # add | change | delete
    entry: TechnologyEntry


@dataclass(frozen=True)
class Period:
    """An entry's state from `start` (inclusive) to `end` (EXCLUSIVE; None: still so)."""

    start: dt.date
    end: dt.date | None
    status: str  # listed | changed | deleted
    entry: TechnologyEntry
    caused_by: str | None = None  # the amendment's id (its notice), None for the catalogue itself


@dataclass(frozen=True)
class Rules:
    classes: dict[str, str]
    parts: dict[str, re.Pattern[str]]
    industry: re.Pattern[str]
    number: re.Pattern[str]
    actions: dict[str, re.Pattern[str]]


@cache
def rules(path: Path = RULES_FILE) -> Rules:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Rules(
        classes=dict(data["classes"]),
        parts={k: re.compile(v) for k, v in data["parts"].items()},
        industry=re.compile(data["industry"]),
        number=re.compile(data["number"]),
        actions={k: re.compile(v) for k, v in data["actions"].items()},
    )


def read_table(source: Source, name: str | None = None) -> CatalogueTable:
    return read_catalogue(source, name, layout_file=LAYOUT_FILE)


def _context(headings: Sequence[Heading], rule: Rules) -> list[tuple[int, dict[str, str | None]]]:
    """(first row, what the headings so far say: part, class, industry, action) at each heading."""
    state: dict[str, str | None] = {"part": None, "part_class": None, "industry": None, "action": None}
    out = []
    for heading in sorted(headings, key=lambda h: h.first_row):
        text = heading.text.strip()
        action = next((a for a, p in rule.actions.items() if p.search(text)), None)
        klass = next((k for k, p in rule.parts.items() if p.search(text)), None)
        if action:
            state = {**state, "action": action, "industry": None}
        elif klass:
            state = {**state, "part": text, "part_class": klass, "industry": None}
        elif (m := rule.industry.match(text)) is not None:
            state = {**state, "industry": m.group("name").strip()}
        out.append((heading.first_row, dict(state)))
    return out


def entries_of(table: CatalogueTable) -> list[tuple[str | None, TechnologyEntry]]:
    rule = rules()
    context = _context(table.headings, rule)
    out = []
    for index, row in enumerate(table.rows):
        state = next((s for first, s in reversed(context) if first <= index), {})
        number = "".join((row.control_code or "").split())
        flags = []
        match = rule.number.match(number)
        klass = rule.classes.get(match.group("letter")) if match else None
        if not match:
            flags.append("number_form")
        part_class = state.get("part_class")
        if klass and part_class and klass != part_class:
            flags.append("class_differs_from_part")
        out.append((state.get("action"), TechnologyEntry(
            number=number, name=row.name, control_points=row.reference_name, klass=klass or part_class,
            industry=state.get("industry"), part=state.get("part"), page=row.page, seq=row.seq, flags=tuple(flags))))
    return out


def read_technology_catalogue(source: Source, name: str | None = None) -> list[TechnologyEntry]:
    """The catalogue's entries in printed order."""
    return [entry for _, entry in entries_of(read_table(source, name))]


def read_amendment(source: Source, name: str | None = None) -> list[Change]:
    """An amending notice's annex: each entry with what is done to it (by the heading above it). An
    entry under no action heading is refused: what it changes cannot be told."""
    from ingest.catalogue.errors import NoCatalogueTableError

    changes = []
    for action, entry in entries_of(read_table(source, name)):
        if action is None:
            raise NoCatalogueTableError(name or str(source), f"entry {entry.number} is under no 删除/新增/修改 heading")
        changes.append(Change(action, entry))
    return changes


def timeline(catalogue: Sequence[TechnologyEntry], effective: dt.date,
             amendments: Sequence[tuple[dt.date, str, Sequence[Change]]]) -> dict[str, list[Period]]:
    """Each entry's periods: listed from the catalogue's date, then changed or deleted (or added) by
    each amendment (date, id, changes) in date order. A change keeps what it does not reprint."""
    periods: dict[str, list[Period]] = {}
    for entry in catalogue:
        periods.setdefault(entry.number, []).append(Period(effective, None, "listed", entry))
    for date, amendment_id, changes in sorted(amendments, key=lambda a: (a[0], a[1])):
        for change in changes:
            history = periods.setdefault(change.entry.number, [])
            current = history[-1] if history and history[-1].end is None else None
            if current is not None:
                history[-1] = replace(current, end=date)
            if change.action == "delete":
                if current is not None:
                    history.append(Period(date, None, "deleted", current.entry, amendment_id))
                continue
            entry = change.entry
            if change.action == "change" and current is not None:
                reprinted: dict[str, Any] = {k: v for k, v in (("name", entry.name), ("control_points",
                                             entry.control_points), ("klass", entry.klass)) if v}
                entry = replace(current.entry, **reprinted)
            history.append(Period(date, None, "listed" if change.action == "add" else "changed", entry,
                                  amendment_id))
    return periods


def status_on(periods: dict[str, list[Period]], number: str, date: dt.date) -> Period | None:
    """The entry's period on `date` (None: not yet listed, or unknown)."""
    for period in periods.get(number, []):
        if period.start <= date and (period.end is None or date < period.end):
            return period
    return None


def in_force_on(periods: dict[str, list[Period]], date: dt.date) -> dict[str, TechnologyEntry]:
    """The entries listed (as changed) on `date`."""
    out = {}
    for number in periods:
        period = status_on(periods, number, date)
        if period is not None and period.status != "deleted":
            out[number] = period.entry
    return out
