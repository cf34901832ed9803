"""An article page read by any layout → the Document contract: number from the header
block (【发布文号】) or the title or the text, signing date from 【发文日期】 (never the
posting date), issuers from 【发布单位】."""

from __future__ import annotations

import datetime as dt

from ingest.archive import Record
from ingest.document import Attachment, Document
from ingest.parse.numbers import find_numbers
from ingest.sources.cms_layout import Article, parse_date

# Number prefix → document type; a page without a number is typed by its column.
NUMBER_TYPES = (("国务院令", "decree"), ("商务部令", "order"), ("不可靠实体清单", "uel_notice"), ("", "announcement"))
COLUMN_TYPES = {"常见问题": "faq", "法律": "law", "行政法规": "regulation", "部门规章": "regulation",
                "规章及规范性文件": "regulation", "管制清单": "catalogue", "新闻": "news"}


def doc_type_for(number: str | None, column: str | None) -> str:
    if number:
        return next(kind for prefix, kind in NUMBER_TYPES if number.startswith(prefix))
    return COLUMN_TYPES.get(column or "", "other")


def article_document(article: Article, record: Record, source: str, *, list_date: dt.date | None = None) -> Document:
    printed_number = article.header.get("发布文号") or ""
    numbers = find_numbers(printed_number) or find_numbers(article.title) or find_numbers(article.text[:2000])
    number = numbers[0] if numbers else None
    issuer = article.header.get("发布单位")
    return Document(
        doc_id=number.canonical if number else f"{source}:{record.sha256[:16]}",
        doc_type=doc_type_for(number.canonical if number else None, article.column),
        title=article.title,
        text=article.text,
        original_text=article.text,
        source=source,
        doc_number=number.canonical if number else None,
        doc_number_printed=number.printed if number else None,
        issuers=(issuer,) if issuer else (),
        signed_date=parse_date(article.header.get("发文日期")),
        posted_date=article.posted or list_date,
        source_urls=tuple(dict.fromkeys(u for u in (record.url, record.final_url) if u)),
        attachments=tuple(Attachment(name=name, url=url) for name, url in article.attachments),
        raw_sha256=record.sha256,
        column=article.column,
        meta={"header": dict(article.header)} if article.header else {},
    )
