"""The contract between ingest/ and kb/: one parsed MOFCOM publication.

Everything downstream (extraction, the database, Datasette) sees a publication only
through this dataclass. Character offsets in `parts`, `annexes` and in the facts that
kb/ extracts refer to `text` (the normalised text); `original_text` keeps the bytes'
reading as printed, so nothing is lost by normalisation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

DOC_TYPES = (
    "announcement",  # 公告 (MOFCOM, often joint)
    "order",  # 商务部令
    "decree",  # 国务院令
    "uel_notice",  # 不可靠实体清单工作机制公告
    "law",  # 法律
    "regulation",  # 行政法规 / 部门规章 without a number
    "faq",  # 常见问题
    "catalogue",  # a control list or licence catalogue (PDF)
    "annex",  # any other attachment of a notice (PDF/DOC/XLS text)
    "news",
    "other",
)


@dataclass(frozen=True)
class Part:
    """A numbered part of a legal text: 一、 / （一） / 1. / a. (and 第X条, （1）, ①; headings 第X章,
    第X节, 说明：). Built by ingest/parse/structure.py, whose docstring has the details."""

    label: str  # as printed without punctuation: "一", "（一）" → "（一）", "1", "a", "第十二条", "第二章"
    path: str  # labels from the root, e.g. "一（一）1", "第十二条（一）", "说明1"; annexes: "附件1/3"
    level: int  # 1 for 一、 and 第X条, 2 for （一）, 3 for 1., 4 for a. and （1）, 5 for ①, 0 for headings
    start: int  # offsets into Document.text
    end: int


@dataclass(frozen=True)
class Annex:
    """An annex (附件 / 附) carried inline in the page, separated from the body."""

    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str
    sha256: str | None = None  # set once the file is in the archive
    media_type: str | None = None


@dataclass(frozen=True)
class CatalogueRow:
    """One row of a catalogue table (the control list or the licence catalogue)."""

    page: int  # 1-based page of the PDF where the row starts
    seq: str | None = None  # 序号
    control_code: str | None = None  # 管制编码
    name: str = ""  # 物项名称及描述
    reference_name: str | None = None  # 参考商品名称
    hs_codes: tuple[str, ...] = ()  # 海关商品编号
    unit: str | None = None  # 单位
    notes: str | None = None  # technical notes attached to the row


@dataclass(frozen=True)
class Document:
    doc_id: str  # stable key: canonical number when printed, else "<source>:<sha256[:16]>"
    doc_type: str  # one of DOC_TYPES
    title: str
    text: str  # normalised text; all offsets refer to it
    source: str  # name of the ingest source that produced it
    doc_number: str | None = None  # canonical, e.g. 商务部公告2025年第61号
    doc_number_printed: str | None = None  # as printed, e.g. 商务部公告2025第61号
    issuers: tuple[str, ...] = ()
    signed_date: dt.date | None = None
    posted_date: dt.date | None = None  # the site's posting date, never the signing date
    source_urls: tuple[str, ...] = ()
    language: str = "zh"
    original_text: str = ""
    parts: tuple[Part, ...] = ()
    annexes: tuple[Annex, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    rows: tuple[CatalogueRow, ...] = ()
    raw_sha256: str | None = None  # archive object the document was parsed from
    column: str | None = None  # the site's column / category name
    is_sample: bool = False  # written by the team, declared so in its bytes (ingest/sample_marks.py)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.doc_type not in DOC_TYPES:
            raise ValueError(f"unknown doc_type {self.doc_type!r} for {self.doc_id}")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("signed_date", "posted_date"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        for key in ("signed_date", "posted_date"):
            if kwargs.get(key):
                kwargs[key] = dt.date.fromisoformat(kwargs[key])
        kwargs["issuers"] = tuple(kwargs.get("issuers", ()))
        kwargs["source_urls"] = tuple(kwargs.get("source_urls", ()))
        kwargs["parts"] = tuple(Part(**p) for p in kwargs.get("parts", ()))
        kwargs["annexes"] = tuple(Annex(**a) for a in kwargs.get("annexes", ()))
        kwargs["attachments"] = tuple(Attachment(**a) for a in kwargs.get("attachments", ()))
        kwargs["rows"] = tuple(
            CatalogueRow(**{**r, "hs_codes": tuple(r.get("hs_codes", ()))}) for r in kwargs.get("rows", ())
        )
        return cls(**kwargs)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
