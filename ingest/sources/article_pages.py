"""Article pages of any crawled source: parsed by ingest/parse/article.py (three layouts),
and read for what to fetch next: the attachments to download beside them, and the old-layout
pages their bodies cite (article_urls.yml says which URLs are article pages)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from ingest.archive import Record
from ingest.document import Document
from ingest.http import host_allowed
from ingest.parse.article import article_document, parse_article
from ingest.sources.spec import Link

URLS_FILE = Path(__file__).with_name("article_urls.yml")


@cache
def _patterns(kind: str) -> tuple[re.Pattern[str], ...]:
    data = yaml.safe_load(URLS_FILE.read_text(encoding="utf-8"))
    return tuple(re.compile(p) for p in data[kind])


def canonical_url(url: str) -> str:
    """MOFCOM pages are linked as http:// and https:// alike: one https:// URL per page, so one key."""
    parts = urlsplit(url)
    if parts.scheme == "http" and host_allowed(url):
        return urlunsplit(("https", parts.netloc, parts.path, parts.query, ""))
    return url


def is_list_item(url: str) -> bool:
    path = urlsplit(url).path
    return any(p.search(path) for p in _patterns("list_items"))


def cited_page(url: str) -> Link | None:
    """A body link to an old-layout page on an allowed host, dated by its file name; else None."""
    if not host_allowed(url):
        return None
    path = urlsplit(url).path
    for pattern in _patterns("body_pages"):
        if m := pattern.search(path):
            try:
                date = dt.datetime.strptime(m.group("date"), "%Y%m%d").date()
            except (IndexError, ValueError):
                date = None
            return Link(canonical_url(url), "page", date=date)
    return None


def parse_page(content: bytes, record: Record, source: str) -> Document:
    document = article_document(content, record.url, source=source, content_type=record.content_type,
                                raw_sha256=record.sha256)
    if record.final_url and record.final_url not in document.source_urls:  # reached through a redirect
        document = dataclasses.replace(document, source_urls=(*document.source_urls, record.final_url))
    return document


def article_links(content: bytes, record: Record) -> list[Link]:
    """An article page → its attachments, then the old-layout pages its body cites."""
    page = parse_article(content, record.url, record.content_type)
    links = [Link(a.url, "attachment", name=a.name) for a in page.attachments]
    cited = (cited_page(url) for url in page.links)
    return links + [link for link in cited if link is not None and link.url != canonical_url(record.url)]
