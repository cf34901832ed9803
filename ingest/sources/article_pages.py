"""Article pages of any crawled source: parsed by ingest/parse/article.py (three layouts),
and read for the attachments to download beside them."""

from __future__ import annotations

import dataclasses

from ingest.archive import Record
from ingest.document import Document
from ingest.parse.article import article_document, parse_article
from ingest.sources.spec import Link


def parse_page(content: bytes, record: Record, source: str) -> Document:
    document = article_document(content, record.url, source=source, content_type=record.content_type,
                                raw_sha256=record.sha256)
    if record.final_url and record.final_url not in document.source_urls:  # reached through a redirect
        document = dataclasses.replace(document, source_urls=(*document.source_urls, record.final_url))
    return document


def attachment_links(content: bytes, record: Record) -> list[Link]:
    page = parse_article(content, record.url, record.content_type)
    return [Link(a.url, "attachment", name=a.name) for a in page.attachments]
