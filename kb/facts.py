"""The facts record: what the extraction pipeline says about one Document (the contract
between kb/extract and kb/ loading). Every fact carries the span of Document.text it
came from, and for catalogue rows the PDF page.

Dates are ISO strings (YYYY-MM-DD) so the record prints as JSON unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kb.fact_types import fact_types

RELATIONS = ("suspends", "resumes", "amends", "repeals", "supersedes", "implements", "adjusts", "references")
# The three lists of the export-control regime, and the countermeasure list of Anti-Foreign Sanctions Law
# decisions (反制清单, e.g. MOFCOM Order 2025 No. 6).
LIST_NAMES = ("出口管制管控名单", "关注名单", "不可靠实体清单", "反制清单")
# What a list notice does to an entity. add: put on the list; measures: measures taken against an entity already
# listed; warn: a risk warning (the entity is not listed); investigate: an investigation opened (not listed);
# remove: taken off; suspend: its measures suspended; stop: its measures stopped; resume: suspended measures restored.
ENTITY_ACTIONS = ("add", "measures", "warn", "investigate", "remove", "suspend", "stop", "resume")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Threshold:
    parameter: str | None  # e.g. 钨含量, 价值比例, 纯度
    operator: str  # one of >=, >, <=, <, =
    value: float
    unit: str | None  # e.g. %, Wh/kg, nm, MPa
    span: Span
    control_code: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class Control:
    """A controlled item: its control code as printed and the item it names."""

    control_code: str  # normalised ASCII: 1C902.a
    span: Span
    item: str | None = None  # item name/description as printed
    part: str | None = None  # numbered part path, e.g. 一（一）
    hs_codes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # printed oddities, e.g. "code-outside-parent-group"
    role: str = "control"  # control: printed at the head of its part; mention: 生产1C004项的技术, 非1C226项下


@dataclass(frozen=True)
class HsCode:
    hs_code: str
    digits: int  # 10 (海关商品编号) or 8 (税则号列)
    span: Span
    control_code: str | None = None
    item: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class DateMention:
    date: str  # ISO
    role: str  # signed, header, effective, window_start, window_end, mention
    span: Span
    part: str | None = None


@dataclass(frozen=True)
class DocReference:
    target_number: str  # canonical number
    span: Span
    source: str = "text"  # text | title: where the span's offsets point
    abbreviated: bool = False  # printed as a bare “56号” continuing a list


@dataclass(frozen=True)
class Relation:
    relation: str  # one of RELATIONS
    # canonical number of the document acted upon; a law named only by its title (Decree 792 Art. 50:
    # 《…条例》同时废止) appears as that title in 《》, as the guidelines allow for acting relations
    target_number: str
    span: Span
    part: str | None = None  # the part of the target concerned, e.g. 第二款
    start_date: str | None = None  # window, ISO
    end_date: str | None = None


@dataclass(frozen=True)
class ClauseEffective:
    """A part of this document with its own entry into force (No. 61: 一（一） from 2025-12-01)."""

    part: str  # e.g. 一（一）
    span: Span
    date: str | None = None  # ISO, None when on_publication and no signed date known
    on_publication: bool = False


@dataclass(frozen=True)
class LawReference:
    law: str  # 《中华人民共和国出口管制法》
    span: Span
    article: str | None = None  # 第十二条


@dataclass(frozen=True)
class Entity:
    list_name: str  # one of LIST_NAMES
    action: str  # one of ENTITY_ACTIONS
    name_zh: str
    span: Span
    name_en: str | None = None
    aliases: tuple[str, ...] = ()
    address: str | None = None
    postcode: str | None = None
    country: str | None = None
    branches: tuple[str, ...] = ()
    ordinal: int | None = None


@dataclass(frozen=True)
class Clause:
    """A statistical or rule-found clause: an exemption, an end use or an obligation."""

    kind: str  # exemption, end_use, obligation
    text: str
    span: Span
    part: str | None = None
    category: str | None = None  # e.g. humanitarian, public_domain, military, advanced_chips


# Records of fact types not built into Facts (kept in Facts.extra; kb/fact_types.yml names them). They live
# here, not beside their rules in kb/extract/, so decoding cached facts never imports the pipeline (spaCy).
@dataclass(frozen=True)
class Check:
    check: str  # no_entities | entity_count | annex_entry | no_controls | unread_item | unread_code
    expected: str
    found: str
    span: Span
    part: str | None = None


@dataclass(frozen=True)
class TechnologyFact:
    number: str  # 编号 as printed: 010101J
    name: str
    control_points: str | None
    klass: str | None  # prohibited | restricted
    industry: str | None
    part: str | None
    action: str | None  # None: listed by the catalogue; add | change | delete: an amendment's
    span: Span


@dataclass(frozen=True)
class Contact:
    kind: str  # email | url
    address: str  # as printed
    span: Span
    part: str | None = None  # the numbered part printing it, e.g. 三


@dataclass(frozen=True)
class Facts:
    doc_id: str
    doc_number: str | None = None
    effective_date: str | None = None  # whole document, ISO
    effective_on_publication: bool = False
    signed_date: str | None = None  # ISO, as printed at the foot (or the Document's)
    controls: tuple[Control, ...] = ()
    hs_codes: tuple[HsCode, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    dates: tuple[DateMention, ...] = ()
    references: tuple[DocReference, ...] = ()
    relations: tuple[Relation, ...] = ()
    clause_effective: tuple[ClauseEffective, ...] = ()
    law_references: tuple[LawReference, ...] = ()
    entities: tuple[Entity, ...] = ()
    clauses: tuple[Clause, ...] = ()
    emails: tuple[Span, ...] = ()
    urls: tuple[Span, ...] = ()
    flags: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    # Records of fact types registered in kb/fact_types.yml (or MOFCOM_KB_FACT_TYPES) beyond the fields above,
    # by their `field`; in JSON each is a top-level key like the built-in ones.
    extra: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def records(self, name: str) -> tuple[Any, ...]:
        """The records of one field, built in or registered."""
        if name in _OWN_FIELDS:
            return tuple(getattr(self, name))
        return self.extra.get(name, ())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        data.update(extra)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        """The inverse of to_json (Facts.from_json(f.to_json()) == f); unknown keys are ignored."""
        kwargs: dict[str, Any] = {}
        extra = {}
        for ft in fact_types():
            if ft.field not in _OWN_FIELDS and ft.field in data and ft.field not in extra:
                extra[ft.field] = tuple(_build(ft.record_class(), item) for item in data[ft.field])
        if extra:
            kwargs["extra"] = extra
        for f in fields(cls):
            if f.name not in data or f.name == "extra":
                continue
            value = data[f.name]
            item_cls = _ITEMS.get(f.name)
            if item_cls is not None:
                value = tuple(_build(item_cls, item) for item in value)
            elif isinstance(value, list):
                value = tuple(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    @classmethod
    def loads(cls, text: str) -> Facts:
        return cls.from_json(json.loads(text))

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1)


_OWN_FIELDS = frozenset(f.name for f in fields(Facts)) - {"extra", "meta"}
_ITEMS: dict[str, type] = {
    "controls": Control,
    "hs_codes": HsCode,
    "thresholds": Threshold,
    "dates": DateMention,
    "references": DocReference,
    "relations": Relation,
    "clause_effective": ClauseEffective,
    "law_references": LawReference,
    "entities": Entity,
    "clauses": Clause,
    "emails": Span,
    "urls": Span,
}


def _build(item_cls: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(item_cls)}
    kwargs = {}
    for key, value in data.items():
        if key not in known:
            continue
        if key == "span" and isinstance(value, dict):
            value = Span(**value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return item_cls(**kwargs)
