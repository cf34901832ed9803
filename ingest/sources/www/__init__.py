"""www.mofcom.gov.cn: the 部令公告 annual indexes and CMS column list, and its article pages."""

from __future__ import annotations

from pathlib import Path

from ingest.archive import Record
from ingest.document import Document
from ingest.sources.article_pages import parse_page
from ingest.sources.cms_layout import discover_cms
from ingest.sources.spec import Link, load_spec

NAME = "www"
SPEC = load_spec(Path(__file__).with_name("source.yml"))


def discover(content: bytes, record: Record) -> list[Link]:
    return discover_cms(content, record, SPEC)


def parse(content: bytes, record: Record) -> Document:
    return parse_page(content, record, NAME)
