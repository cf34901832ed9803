"""A publication's fields (title, body text, page metadata) → the full Document.

Every source ends here: snapshot records and article pages alike. The body is normalised
(offsets refer to the normalised text; the original is kept), then read for its own number,
type, issuers, signing date, numbered parts and annexes. The site's posting date is kept
apart: it is never the signing date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.document import Attachment, Document
from ingest.limits import check_text
from ingest.parse.dates import parse_date
from ingest.parse.numbers import NumberMatch, find_numbers, issuer_names, leading_number
from ingest.parse.structure import Structure, parse_structure
from ingest.parse.text import normalise, simplified

DOC_TYPES_FILE = Path(__file__).with_name("doc_types.yml")
NUMBER_LABEL = "发布文号"
DATE_LABELS = ("发文日期", "成文日期")
MASTHEAD_CHARS = 200  # a masthead number (中华人民共和国商务部令 / 二〇二五年 第6号) opens the body
# (2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议通过)
_ADOPTED = re.compile(
    r"^[（(](?P<date>\d{4}年\d{1,2}月\d{1,2}日)(?:中华人民共和国)?(?:第.{1,4}届)?"
    r"(?P<body>全国人民代表大会常务委员会|全国人民代表大会|国务院).{0,16}?会议通过"
)
_TITLE_TAG = re.compile(r"^(?:【[^】]{0,20}】\s*)+")  # 【已废止】, 【样例 SAMPLE】 before a title
_TITLE_ISSUERS = re.compile(r"^(?P<names>[^《“]{2,60}?)(?:等\d+部门)?(?:关于|公告|公布|令)")


@dataclass(frozen=True)
class PageFields:
    """What a source knows about one publication before parsing its text."""

    title: str
    text: str  # the body as the source gives it (the original)
    source: str
    source_urls: tuple[str, ...] = ()
    posted_date: dt.date | None = None
    column: str | None = None
    attachments: tuple[Attachment, ...] = ()
    raw_sha256: str | None = None
    header: dict[str, str] = field(default_factory=dict)  # header values found outside the text
    is_sample: bool = False  # the input declares itself a team-written sample (ingest/sample_marks.py)
    meta: dict[str, Any] = field(default_factory=dict)


@cache
def _type_rules() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DOC_TYPES_FILE.read_text(encoding="utf-8"))
    data["title_regexes"] = [(re.compile(r["pattern"]), r["type"]) for r in data["titles"]]
    return data


def clean_title(title: str) -> str:
    return normalise(re.sub(r"\s+", " ", title)).text.replace("\n", " ")


def own_number(title: str, text: str, structure: Structure) -> tuple[NumberMatch | None, str | None]:
    """The publication's own number and where it was read: header, title or masthead.
    Numbers cited in the body are not the publication's own."""
    printed = structure.header.get(NUMBER_LABEL)
    if printed and (found := find_numbers(printed)):
        return found[0], "header"
    if lead := leading_number(_TITLE_TAG.sub("", title)):
        return lead, "title"
    body = text[structure.body[0] : structure.body[1]]
    lead = leading_number(body[:MASTHEAD_CHARS])
    if lead and lead.kind != "presidential_order":  # 主席令 promulgates a law; it does not number it
        return lead, "masthead"
    return None, None


def doc_type(number: NumberMatch | None, title: str, column: str | None) -> str:
    rules = _type_rules()
    if number is not None:
        return str(rules["number_kinds"].get(number.kind, "other"))
    if column in rules["trusted_columns"]:
        return str(rules["trusted_columns"][column])
    for regex, kind in rules["title_regexes"]:
        if regex.search(title):
            return str(kind)
    return str(rules["columns"].get(column or "", "other"))


def title_issuers(title: str) -> tuple[str, ...]:
    """Issuers named at the head of a title: 商务部 海关总署关于… → (商务部, 海关总署)."""
    m = _TITLE_ISSUERS.match(_TITLE_TAG.sub("", title))
    if not m:
        return ()
    names = m.group("names")
    known = [n for n in issuer_names() if n in names]
    ordered = sorted(known, key=names.index)
    return tuple(n for n in ordered if not any(n != o and n in o for o in ordered))


def build_document(fields: PageFields) -> Document:
    source = fields.source_urls[0] if fields.source_urls else fields.source
    check_text(source, fields.text)
    check_text(source, fields.title)
    norm = normalise(fields.text)
    text = norm.text
    structure = parse_structure(text)
    header = {**fields.header, **structure.header}
    structure = replace(structure, header=header)
    title = clean_title(fields.title)
    number, number_from = own_number(title, text, structure)
    kind = doc_type(number, title, fields.column)
    meta: dict[str, Any] = dict(fields.meta)
    if header:
        meta["header"] = header
    if number_from:
        meta["number_source"] = number_from
        in_title = leading_number(_TITLE_TAG.sub("", title))
        if in_title and number and in_title.canonical != number.canonical:
            meta["title_number"] = in_title.canonical

    signed = next((d for label in DATE_LABELS if (d := parse_date(header.get(label, "")))), None)
    signature = structure.signature
    signature_date = signature.date.date if signature and signature.date else None
    if signed and signature_date and signed != signature_date:
        meta["signature_date"] = signature_date.isoformat()  # header and signature disagree: keep both
    signed = signed or signature_date

    adopted = _ADOPTED.match(text)
    if adopted:
        meta["adopted_date"] = parse_date(adopted.group("date")).isoformat()  # type: ignore[union-attr]
        meta["adopted_by"] = adopted.group("body")

    issuers: tuple[str, ...] = ()
    title_number = leading_number(_TITLE_TAG.sub("", title))
    if kind == "law" and adopted:
        issuers = (adopted.group("body"),)
    elif signature and signature.issuers:
        issuers = signature.issuers
    elif title_number and title_number.issuers:
        issuers = title_number.issuers  # 商务部 海关总署公告… names every issuer; 【发布文号】 does not
    elif kind != "faq":
        issuers = title_issuers(title) or (number.issuers if number else ())
    if signature:
        meta["signature"] = {
            "signers": list(signature.signers),
            "start": signature.start,
            "end": signature.end,
        }
    if structure.annex_list:
        meta["annex_list"] = list(structure.annex_list)
    if structure.promulgated:
        meta["promulgated"] = {"start": structure.promulgated[0], "end": structure.promulgated[1]}
    search = simplified(text)
    if search != text:
        meta["search_text"] = search

    raw = fields.raw_sha256 or hashlib.sha256(fields.text.encode("utf-8")).hexdigest()
    return Document(
        doc_id=number.canonical if number else f"{fields.source}:{raw[:16]}",
        doc_type=kind,
        title=title,
        text=text,
        source=fields.source,
        doc_number=number.canonical if number else None,
        doc_number_printed=re.sub(r"\s*\n\s*", " ", number.printed)
        if number
        else None,  # a masthead spans lines
        issuers=issuers,
        signed_date=signed,
        posted_date=fields.posted_date,
        source_urls=fields.source_urls,
        original_text=fields.text,
        parts=structure.parts,
        annexes=structure.annexes,
        attachments=fields.attachments,
        raw_sha256=fields.raw_sha256,
        column=fields.column,
        is_sample=fields.is_sample,
        meta=meta,
    )
