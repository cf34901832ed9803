"""English glosses beside Chinese item names and English labels of enumerated values, from the
curated glossary.yml beside this file. Published queries (kb/schema.yml) call them as SQL functions,
so every connection that runs those queries registers them (`register`): Datasette's through the
glossary plugin, the CLI's in kb/on_date.py.

- gloss_en(text)         → English reading of an item name, or NULL when nothing is known;
- label_en(kind, value)  → English label of a list name, status, relation, action, doc type,
                           issuer or table (kind = the glossary section), or NULL.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from ingest.parse.part_labels import strip_label
from kb.fact_types import fact_types

GLOSSARY_PATH = Path(__file__).resolve().with_name("glossary.yml")

# Item names come with numbering and reference HS numbers around them: 1. 金属钬（参考税则号列：28053019）。
_REFERENCE = re.compile(r"[（(][^（）()]*(?:税则|商品编号|编码)[^（）()]*[）)]")
_CODE = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*\s*[.．]?\s*")
_TRAILING = "：:；;。，,、 \t\n"


class Pattern(NamedTuple):
    regex: re.Pattern[str]
    en: str


class Glossary:
    def __init__(self, data: dict[str, Any]) -> None:
        self.elements: dict[str, str] = dict(data.get("elements") or {})
        self.terms: dict[str, str] = dict(data.get("terms") or {})
        self.phrases: dict[str, str] = dict(data.get("phrases") or {})
        self.sections: dict[str, dict[str, Any]] = {
            key: dict(value) for key, value in data.items() if isinstance(value, dict)
        }
        lists = dict(data.get("lists") or {})
        issuers = dict(data.get("issuers") or {})
        self.vocabulary = {**self.elements, **self.terms, **issuers, **lists, **self.phrases}
        # Inside longer text, one-character form words (管 tube, 片 sheet…) are mostly parts of other
        # words (管制): only elements may match alone there.
        self.in_text = {k: v for k, v in self.vocabulary.items() if len(k) > 1 or k in self.elements}
        self.longest = max((len(k) for k in self.vocabulary), default=1)
        self.patterns = [self._compile(p["zh"], p["en"]) for p in data.get("patterns") or []]

    def _compile(self, zh: str, en: str) -> Pattern:
        alternatives = {
            "el": "|".join(sorted(map(re.escape, self.elements), key=len, reverse=True)),
            "el2": "|".join(sorted(map(re.escape, self.elements), key=len, reverse=True)),
            "mat": "|".join(sorted(map(re.escape, self.terms), key=len, reverse=True)),
            "code": r"[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*(?:、[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*)*",
            "item": r".+",
        }
        seen: set[str] = set()
        out = []
        for piece in re.split(r"(\{(?:el2|el|mat|code|item)\})", zh):
            name = piece[1:-1] if piece.startswith("{") else None
            if name is None:
                out.append(re.escape(piece))
            elif name in seen:
                out.append(f"(?P={name})")  # 金属{el}、含{el}…: the same element both times
            else:
                seen.add(name)
                out.append(f"(?P<{name}>{alternatives[name]})")
        return Pattern(re.compile("".join(out)), en)

    @staticmethod
    def clean(text: str) -> str:
        text = _REFERENCE.sub("", text)
        text = strip_label(text.strip(), repeated=True)  # the part grammar's labels, ingest/parse/part_labels.py
        text = _CODE.sub("", text)
        return text.strip(_TRAILING)

    def gloss(self, text: str | None) -> str | None:
        """English for a Chinese item name: exact entry, else a pattern, else its known terms."""
        if not text:
            return None
        name = self.clean(text)
        if not name:
            return None
        if name in self.vocabulary:
            return self.vocabulary[name]
        for pattern in self.patterns:
            match = pattern.regex.fullmatch(name)
            if match:
                groups = match.groupdict()
                item = groups.get("item")
                return pattern.en.format(
                    el=self.elements.get(groups.get("el") or "", ""),
                    el2=self.elements.get(groups.get("el2") or "", ""),
                    mat=self.terms.get(groups.get("mat") or "", ""),
                    code=(groups.get("code") or "").replace("、", ", "),
                    item=(self.gloss(item) or item) if item else "",  # {item}: the rest, glossed in turn
                )
        return self.terms_in(name)

    def terms_in(self, text: str) -> str | None:
        """Known terms in reading order, longest match first (a reading aid, not a translation)."""
        found: list[str] = []
        i = 0
        while i < len(text):
            for size in range(min(self.longest, len(text) - i), 0, -1):
                english = self.in_text.get(text[i : i + size])
                if english:
                    if english not in found:
                        found.append(english)
                    i += size
                    break
            else:
                i += 1
        return " · ".join(found) or None

    def label(self, kind: str | None, value: str | None, lang: str = "en") -> str | None:
        if not kind or value is None:
            return None
        entry = self.sections.get(kind, {}).get(value)
        if isinstance(entry, dict):
            return entry.get(lang)
        return entry if lang == "en" else None


@cache
def glossary() -> Glossary:
    return Glossary(glossary_data())


@lru_cache(maxsize=8192)
def gloss_en(text: str | None) -> str | None:
    return glossary().gloss(text)


def label_en(kind: str | None, value: str | None) -> str | None:
    return glossary().label(kind, value)


def glossary_data() -> dict[str, Any]:
    """glossary.yml, with the titles of the fact tables the registry describes (kb/fact_types.yml)."""
    data = yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict), GLOSSARY_PATH
    tables = data.setdefault("tables", {})
    for ft in fact_types():
        if ft.describe and ft.table:
            tables.setdefault(ft.table, {"zh": ft.describe["title"]["zh"], "en": ft.describe["title"]["en"]})
    return data


def register(conn: sqlite3.Connection) -> None:
    """Add gloss_en(text) and label_en(kind, value) to a connection."""
    conn.create_function("gloss_en", 1, gloss_en, deterministic=True)
    conn.create_function("label_en", 2, label_en, deterministic=True)
