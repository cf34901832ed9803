"""The numbered-part grammar (structure.yml `part_labels`): the one place that says how MOFCOM texts
number their parts (一、 （一） 1． （1） a． ①, 第一章 / 第一节 / 第一条). The parser builds the part
tree from `markers()`; extraction and publishing recognise or strip a label with `label_regex()`, so
a label the parser reads is the label they read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

GRAMMAR_FILE = Path(__file__).with_name("structure.yml")
CN_NUMERAL = "[一二三四五六七八九十百零〇]+"


@dataclass(frozen=True)
class LabelForm:
    kind: str
    pattern: str  # unanchored, the number in group n
    rank: int
    label: str  # path label, {n} = the number as printed
    numbered: bool

    @property
    def regex(self) -> re.Pattern[str]:
        """At a line start."""
        return _compiled("^" + self.pattern)

    @property
    def at(self) -> re.Pattern[str]:
        """Where matching starts (`.match(text, pos)`)."""
        return _compiled(self.pattern)

    def path_label(self, n: str) -> str:
        return self.label.format(n=n)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def markers() -> tuple[LabelForm, ...]:
    """Every label form, in the order they are tried at a line start."""
    data = yaml.safe_load(GRAMMAR_FILE.read_text(encoding="utf-8"))
    return tuple(
        LabelForm(
            kind=str(entry["kind"]),
            pattern=str(entry["regex"]).replace("{cn}", CN_NUMERAL),
            rank=int(entry["rank"]),
            label=str(entry.get("label", "{n}")),
            numbered=bool(entry.get("numbered", False)),
        )
        for entry in data["part_labels"]
    )


def label_pattern(kinds: tuple[str, ...] | None = None) -> str:
    """One non-capturing alternation of the label forms (all numbered ones by default), without
    groups, to embed in other patterns."""
    forms = [m for m in markers() if (m.kind in kinds if kinds is not None else m.numbered)]
    unknown = set(kinds or ()) - {m.kind for m in markers()}
    if unknown:
        raise ValueError(f"{GRAMMAR_FILE}: no part label kind {sorted(unknown)}")
    return "(?:" + "|".join(re.sub(r"\(\?P<n>", "(?:", m.pattern) for m in forms) + ")"


# The enumerators extraction reads items and clauses after: 一、 （一） 1． a． (not （1） or ①, whose
# entries are sub-conditions, nor the 第X条 headings).
ENUMERATORS = ("l1", "l2", "l3", "l4a")


@cache
def label_regex(kinds: tuple[str, ...] | None = None, *, repeated: bool = False) -> re.Pattern[str]:
    """A label, after any white space, where matching starts (`.match(text, pos)`); `repeated`: a run
    of them with the white space between (1．（1）a．)."""
    one = label_pattern(kinds)
    return re.compile(rf"\s*(?:{one}\s*)+" if repeated else rf"\s*{one}")


def strip_label(text: str, kinds: tuple[str, ...] | None = None, *, repeated: bool = False) -> str:
    """`text` without the label (or run of labels) it opens with."""
    m = label_regex(kinds, repeated=repeated).match(text)
    return text[m.end():] if m else text
