"""The fact-type registry: each kind of fact declared once, in fact_types.yml (the comment at its top
says what an entry holds). The loader, the schema, the evaluation and the document page take what
they need from here, so a new kind of fact is one entry (plus its rule, its test, its guideline).

More entries can come from files named in MOFCOM_KB_FACT_TYPES (os.pathsep-separated), read after
fact_types.yml; tests use it to register a test-only type in every process (Datasette's too).
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as _default
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kb.errors import KbError

REGISTRY_FILE = Path(__file__).with_name("fact_types.yml")
EXTRA_ENV = "MOFCOM_KB_FACT_TYPES"
LINKS = ("code", "document", "entity")
NORMS = ("raw", "s", "num", "bool", "law")
VALUE_CONVERTERS = ("json", "int", "root", "const")
_CALL = re.compile(r"^(?P<fn>\w+)\((?P<arg>[^()]*)\)$")


class FactTypeError(KbError):
    """A fact-type entry that cannot be used (names the file and the entry)."""


@dataclass(frozen=True)
class KeyPart:
    norm: str  # one of NORMS
    attr: str  # the record's attribute
    gold: str  # the gold item's key


@dataclass(frozen=True)
class EvalSpec:
    gold: str  # key in a gold file's `facts`
    metrics: dict[str, tuple[KeyPart, ...]]
    predicted: str | None = None  # module:function(facts) -> {metric: keys}, replacing the record side


@dataclass(frozen=True)
class MarkSpec:
    kind: str
    key: str  # SQL over t (the fact table)
    title: str
    label_zh: str
    label_en: str
    style: str
    link: str | None = None  # one of LINKS


@dataclass(frozen=True)
class Value:
    converter: str | None  # None: the attribute as is; else one of VALUE_CONVERTERS
    arg: str  # the attribute (or the constant)


@dataclass(frozen=True)
class FactType:
    name: str
    field: str  # Facts attribute (or Facts.extra key)
    record: str  # module:Class
    where: dict[str, Any] = _default(default_factory=dict)
    rule: str | None = None  # module:function(doc, document, structure, facts) -> records
    table: str | None = None
    document_column: str = "document_id"
    columns: dict[str, str] = _default(default_factory=dict)  # column → SQL declaration
    values: dict[str, Value] = _default(default_factory=dict)
    foreign_keys: dict[str, str] = _default(default_factory=dict)
    indexes: tuple[tuple[str, ...], ...] = ()
    rows: str | None = None  # a named row builder in kb/load.py
    eval: EvalSpec | None = None
    span_label: str | None = None
    mark: MarkSpec | None = None
    describe: dict[str, Any] | None = None  # Datasette metadata of its table (title, description, facets, columns)
    source: str = ""  # the file declaring it, for error messages

    def selects(self, record: Any) -> bool:
        return all(getattr(record, k) == v for k, v in self.where.items())

    def records(self, facts: Any) -> list[Any]:
        """This type's records in a Facts record."""
        return [r for r in facts.records(self.field) if self.selects(r)]

    def all_columns(self) -> dict[str, str]:
        """Every column of its table in order: id, the document column, the declared ones, span_id."""
        return {"id": "integer", self.document_column: "text not null", **self.columns, "span_id": "text not null"}

    def value(self, column: str) -> Value:
        return self.values.get(column, Value(None, column))

    def record_class(self) -> type:
        cls: type = _resolve(self.record, self)
        return cls

    def rule_function(self) -> Callable[..., Iterable[Any]] | None:
        return _resolve(self.rule, self) if self.rule else None


def _resolve(path: str, ft: FactType) -> Any:
    module, _, name = path.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise FactTypeError(f"{ft.source}: fact type {ft.name!r}: cannot import {path!r} ({exc})") from exc


def _call(text: str, allowed: tuple[str, ...], where: str) -> tuple[str, str]:
    match = _CALL.match(str(text).strip())
    if not match or match["fn"] not in allowed:
        raise FactTypeError(f"{where}: {text!r} is not one of {', '.join(f'{a}(…)' for a in allowed)}")
    return match["fn"], match["arg"].strip()


def _eval_spec(spec: dict[str, Any], where: str) -> EvalSpec:
    gold_fields = dict(spec.get("gold_fields") or {})
    metrics: dict[str, tuple[KeyPart, ...]] = {}
    for metric, parts in (spec.get("metrics") or {}).items():
        out = []
        for part in parts:
            norm, attr = _call(part, NORMS, f"{where}: eval metric {metric}")
            out.append(KeyPart(norm, attr, gold_fields.get(attr, attr)))
        metrics[metric] = tuple(out)
    return EvalSpec(gold=str(spec["gold"]), metrics=metrics, predicted=spec.get("predicted"))


def _value(text: str, where: str) -> Value:
    if _CALL.match(str(text).strip()):
        converter, arg = _call(text, VALUE_CONVERTERS, where)
        return Value(converter, arg)
    return Value(None, str(text))


def parse_entry(name: str, spec: dict[str, Any], source: str = "") -> FactType:
    where = f"{source}: fact type {name!r}"
    try:
        mark = spec.get("mark")
        link = mark.get("link") if mark else None
        if link is not None and link not in LINKS:
            raise FactTypeError(f"{where}: mark link {link!r} is not one of {', '.join(LINKS)}")
        ft = FactType(
            name=name,
            field=str(spec["field"]),
            record=str(spec["record"]),
            where=dict(spec.get("where") or {}),
            rule=spec.get("rule"),
            table=spec.get("table"),
            document_column=str(spec.get("document_column") or "document_id"),
            columns={str(k): str(v) for k, v in (spec.get("columns") or {}).items()},
            values={str(k): _value(v, f"{where}: values.{k}") for k, v in (spec.get("values") or {}).items()},
            foreign_keys=dict(spec.get("foreign_keys") or {}),
            indexes=tuple(tuple(ix) for ix in spec.get("indexes") or ()),
            rows=spec.get("rows"),
            eval=_eval_spec(spec["eval"], where) if spec.get("eval") else None,
            span_label=spec.get("span_label"),
            mark=MarkSpec(kind=str(mark["kind"]), key=str(mark.get("key", "null")), title=str(mark["title"]),
                          label_zh=str(mark["label"]["zh"]), label_en=str(mark["label"]["en"]),
                          style=str(mark.get("style", "")), link=link) if mark else None,
            describe=dict(spec["describe"]) if spec.get("describe") else None,
            source=source,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise FactTypeError(f"{where}: malformed entry ({exc!r})") from exc
    if ft.table and ft.rows is None:
        unknown = [c for c in ft.columns if c in ("id", "span_id", ft.document_column)]
        if unknown:
            raise FactTypeError(f"{where}: columns {unknown} are added by the registry, do not declare them")
    if ft.describe is not None:
        _check_describe(ft, where)
    return ft


def _check_describe(ft: FactType, where: str) -> None:
    d = ft.describe or {}
    if not ft.table:
        raise FactTypeError(f"{where}: describe needs a table")
    title = d.get("title")
    if not isinstance(title, dict) or not title.get("zh") or not title.get("en") or not d.get("description"):
        raise FactTypeError(f"{where}: describe needs title {{zh, en}} and a description")
    columns = set(ft.all_columns())
    unknown = sorted(set(d.get("columns") or {}) - columns) + sorted(set(d.get("facets") or []) - columns)
    if unknown:
        raise FactTypeError(f"{where}: describe names columns its table lacks: {unknown}")


def read_file(path: Path) -> list[FactType]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FactTypeError(f"{path}: not a readable fact-type file ({exc})") from exc
    if not isinstance(data, dict):
        raise FactTypeError(f"{path}: a fact-type file maps names to entries")
    return [parse_entry(str(name), spec, str(path)) for name, spec in data.items()]


def extra_files() -> tuple[Path, ...]:
    return tuple(Path(p) for p in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if p)


def registry_files() -> tuple[Path, ...]:
    return (REGISTRY_FILE, *extra_files())


@cache
def read_registry(files: tuple[Path, ...]) -> tuple[FactType, ...]:
    types: list[FactType] = []
    for path in files:
        types.extend(read_file(path))
    check(types)
    return tuple(types)


def fact_types() -> tuple[FactType, ...]:
    """Every registered fact type, in registry order (fact_types.yml, then MOFCOM_KB_FACT_TYPES files)."""
    return read_registry(registry_files())


def by_name(name: str) -> FactType:
    for ft in fact_types():
        if ft.name == name:
            return ft
    raise FactTypeError(f"no fact type {name!r} (registered: {', '.join(ft.name for ft in fact_types())})")


def check(types: list[FactType]) -> None:
    """Names, tables, mark kinds, metrics and span labels are each declared once."""
    for what, values in (
        ("name", [t.name for t in types]),
        ("table", [t.table for t in types if t.table]),
        ("mark kind", [t.mark.kind for t in types if t.mark]),
        ("metric", [m for t in types if t.eval for m in t.eval.metrics]),
        ("span label", [t.span_label for t in types if t.span_label]),
    ):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                owners = [t.source for t in types]
                raise FactTypeError(f"{what} {value!r} is declared twice ({', '.join(sorted(set(owners)))})")
            seen.add(value)


@contextmanager
def registered(*paths: Path) -> Iterator[tuple[FactType, ...]]:
    """Register the fact types in these files for the duration (and in child processes, by the environment)."""
    before = os.environ.get(EXTRA_ENV)
    os.environ[EXTRA_ENV] = os.pathsep.join([*(str(p) for p in paths), *([before] if before else [])])
    try:
        yield fact_types()
    finally:
        if before is None:
            os.environ.pop(EXTRA_ENV, None)
        else:
            os.environ[EXTRA_ENV] = before


def tables() -> list[FactType]:
    return [ft for ft in fact_types() if ft.table]


def metrics() -> tuple[str, ...]:
    return tuple(m for ft in fact_types() if ft.eval for m in ft.eval.metrics)


def span_labels() -> tuple[str, ...]:
    return tuple(ft.span_label for ft in fact_types() if ft.span_label)


def gold_fact_keys() -> set[str]:
    """The keys of a gold file's `facts` object."""
    return {ft.eval.gold for ft in fact_types() if ft.eval}
