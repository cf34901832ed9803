"""aqygzj.mofcom.gov.cn (安全与管制局): its CMS column list and article pages with the 【发布单位】 header block."""

from __future__ import annotations

from pathlib import Path

from ingest.archive import Record
from ingest.document import Document
from ingest.sources.article_pages import parse_page
from ingest.sources.cms_layout import discover_cms
from ingest.sources.spec import Link, load_spec

NAME = "aqygzj"
SPEC = load_spec(Path(__file__).with_name("source.yml"))


def discover(content: bytes, record: Record) -> list[Link]:
    return discover_cms(content, record, SPEC)


def parse(content: bytes, record: Record) -> Document:
    return parse_page(content, record, NAME)
