"""A document's status as people read it: causes in plain words (kb/status_words.yml), the last day of a
period as printed (inclusive) while document_status_periods keeps its exclusive end, and one line for
"what is its status on a date", whole document and each clause dated on its own.

Pure functions over rows of document_status_periods; the pages and their JSON twins call them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.parse.dates import iso_day
from kb.errors import shown

WORDS_PATH = Path(__file__).resolve().with_name("status_words.yml")
STATUS_WORDS = {
    "published_not_effective": ("已公布未生效", "published, not yet in force"),
    "in_force": ("有效", "in force"),
    "suspended": ("暂停实施", "suspended"),
    "repealed": ("已废止", "repealed"),
    "expired": ("已失效", "expired"),
}
Segment = dict[str, str]  # {"text": …} or {"doc": document id, "text": its label}


class DateError(ValueError):
    """A date parameter that is not YYYY-MM-DD (HTTP 400 on the pages)."""


def parse_day(name: str, value: str | None, default: dt.date) -> dt.date:
    """`value` as a date, `default` when empty; a one-line DateError naming the parameter otherwise."""
    value = (value or "").strip()
    if not value:
        return default
    day = iso_day(value)
    if day is None:
        raise DateError(f"parameter {name}={shown(value)} is not a date (YYYY-MM-DD)")
    return day


@cache
def _words() -> dict[str, Any]:
    data = yaml.safe_load(WORDS_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("causes"), list):
        raise ValueError(f"{WORDS_PATH}: expected a mapping with a list of causes")
    return data


@cache
def _causes() -> list[tuple[re.Pattern[str], str, str]]:
    return [(re.compile(c["basis"]), c["zh"], c["en"]) for c in _words()["causes"]]


def last_day(end_exclusive: str | None) -> str | None:
    """The last day of a half-open period, as a notice prints it: end 2026-11-11 → 2026-11-10."""
    if not end_exclusive:
        return None
    return (dt.date.fromisoformat(end_exclusive) - dt.timedelta(days=1)).isoformat()


def _fill(template: str, groups: dict[str, str], label: Callable[[str], str], lang: str) -> list[Segment]:
    out: list[Segment] = []
    for piece in re.split(r"(\{doc\}|\{rest\})", template):
        if piece == "{doc}":
            out.append({"doc": groups["doc"], "text": label(groups["doc"])})
        elif piece == "{rest}":
            out.extend(cause_segments(groups["rest"], label)[lang])
        elif piece:
            out.append({"text": piece})
    return out


def cause_segments(basis: str | None, label: Callable[[str], str]) -> dict[str, list[Segment]]:
    """Why a period starts, as segments in Chinese and English (a document named in it as a link)."""
    basis = basis or ""
    for pattern, zh, en in _causes():
        match = pattern.match(basis)
        if match:
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            return {"zh": _fill(zh, groups, label, "zh"), "en": _fill(en, groups, label, "en")}
    return {"zh": [{"text": basis}], "en": [{"text": basis}]}


def flat(segments: Iterable[Segment]) -> str:
    return "".join(s["text"] for s in segments)


def period_view(row: dict[str, Any], label: Callable[[str], str],
                previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A status period with its inclusive last day and its cause in words (`previous`: the period of the
    same document or part just before it, so the day a suspension ends reads as such)."""
    cause = cause_segments(row.get("basis"), label)
    if (previous and previous["status"] == "suspended" and previous.get("end_date") == row["start_date"]
            and row["status"] != "suspended" and previous.get("caused_by_document_id")):
        words = _words()["after_suspension"]
        groups = {"doc": previous["caused_by_document_id"]}
        cause = {"zh": _fill(words["zh"], groups, label, "zh"), "en": _fill(words["en"], groups, label, "en")}
    zh, en = STATUS_WORDS.get(row["status"], (row["status"], row["status"]))
    return {
        "part": row.get("part"), "status": row["status"], "status_zh": zh, "status_en": en,
        "start_date": row["start_date"], "end_date": row.get("end_date"), "last_day": last_day(row.get("end_date")),
        "caused_by_document_id": row.get("caused_by_document_id"),
        "cause_zh": cause["zh"], "cause_en": cause["en"],
        "cause_text_zh": flat(cause["zh"]), "cause_text_en": flat(cause["en"]),
    }


def period_views(periods: list[dict[str, Any]], label: Callable[[str], str]) -> list[dict[str, Any]]:
    """period_view of each row (in the rows' order), each knowing the one before it in its part."""
    last: dict[str | None, dict[str, Any]] = {}
    out = []
    for row in sorted(periods, key=lambda p: p["start_date"]):
        out.append((row, period_view(row, label, last.get(row.get("part")))))
        last[row.get("part")] = row
    order = {id(row): view for row, view in out}
    return [order[id(row)] for row in periods]


def covering(periods: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    for p in periods:
        if p["start_date"] <= day and (p.get("end_date") is None or day < p["end_date"]):
            return p
    return None


def sentence(view: dict[str, Any] | None, day: str, lang: str) -> str:
    """'有效（自 2026-11-11 起）' / 'in force since 2026-11-11' for one period covering `day`."""
    if view is None:
        return "无效力记录" if lang == "zh" else "no status recorded"
    since, until = view["start_date"], view["last_day"]
    if lang == "zh":
        span = f"自 {since} 起" + (f"至 {until} 止" if until else "")
        return f"{view['status_zh']}（{span}；{view['cause_text_zh']}）"
    span = f"from {since} to {until}" if until else f"since {since}"
    return f"{view['status_en']} {span} ({view['cause_text_en']})"


def status_line(periods: list[dict[str, Any]], day: str, label: Callable[[str], str],
                part_key: Callable[[str], Any] = str) -> dict[str, Any]:
    """The status of a document on `day`: its whole-document period, and each clause dated on its own
    whose status that day differs from the whole (in printed order)."""
    views = period_views(periods, label)
    whole = whole_view = covering([v for v in views if not v.get("part")], day)
    parts: dict[str, list[dict[str, Any]]] = {}
    for v in views:
        if v.get("part"):
            parts.setdefault(v["part"], []).append(v)
    differing = []
    for part in sorted(parts, key=part_key):
        found = covering(parts[part], day)
        if found and (whole is None or found["status"] != whole["status"]):
            view = found
            differing.append({**view, "zh": f"{part}：{sentence(view, day, 'zh')}",
                              "en": f"{part}: {sentence(view, day, 'en')}"})
    return {
        "date": day,
        "status": whole["status"] if whole else None,
        "whole": whole_view,
        "zh": f"{day}：{sentence(whole_view, day, 'zh')}",
        "en": f"On {day}: {sentence(whole_view, day, 'en')}",
        "parts": differing,
    }
