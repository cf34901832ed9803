"""exportcontrol.mofcom.gov.cn (中国出口管制信息网): the column API `getColumnList` and
its article pages (metadata in inline JS `var title = …`, body in `div.bd`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup

from ingest.archive import Record
from ingest.document import Document
from ingest.http import decode_body
from ingest.parse.errors import EncodingError, UnknownLayoutError
from ingest.sources.article_document import article_document
from ingest.sources.cms_layout import Article, attachment_links, block_text, parse_date
from ingest.sources.spec import Link, ListSpec, load_spec, page_number

NAME = "portal"
SPEC = load_spec(Path(__file__).with_name("source.yml"))
BASE = "https://exportcontrol.mofcom.gov.cn/"
_JS_VAR = re.compile(r"var\s+(\w+)\s*=\s*([\"'])(.*?)\2\s*;", re.S)


def list_for(key: str) -> ListSpec:
    column = dict(parse_qsl(urlsplit(key).query)).get("columnID")
    for lst in SPEC.lists:
        if lst.params.get("columnID") == column:
            return lst
    raise UnknownLayoutError(key, f"column {column!r} is not declared in the portal source")


def parse_column_page(content: bytes, key: str) -> tuple[list[dict], int]:
    """getColumnList → (rows, maxPageNum)."""
    try:
        info = json.loads(decode_body(content, "application/json"))["pageInfo"]
        rows = list(info.get("rows") or [])
        return rows, int(info.get("maxPageNum") or 0)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnknownLayoutError(key, f"not a getColumnList answer ({exc})") from exc


def discover(content: bytes, record: Record) -> list[Link]:
    if record.kind == "page":
        return [Link(url, "attachment", name=name) for name, url in parse_page(content, record).attachments]
    if record.kind != "list":
        return []
    lst = list_for(record.url)
    rows, max_page = parse_column_page(content, record.url)
    links = [
        Link(urljoin(BASE, str(row["url"])), "page", title=row.get("title"),
             date=parse_date(row.get("publishTimeStr")), list_id=lst.id)
        for row in rows if row.get("url")
    ]
    number = page_number(record.url)
    if rows and number < max_page and number < lst.max_pages:
        links.append(lst.page(number + 1))
    return links


def parse_page(content: bytes, record: Record) -> Article:
    html = decode_body(content, record.content_type)
    variables = {name: value.strip() for name, _q, value in _JS_VAR.findall(html)}
    soup = BeautifulSoup(html, "lxml")
    body = soup.select_one("div.bd")
    if body is None or not variables.get("title"):
        raise UnknownLayoutError(record.url, "no div.bd or inline `var title`: not a portal article page")
    if "?" * 6 in variables["title"]:
        raise EncodingError(record.url, "Chinese text arrived as '?'")
    for tail in body.select(".u-disclaimer-box"):
        tail.extract()  # the disclaimer ends the article
    header: dict[str, str] = {}
    if variables.get("source"):
        header["发布单位"] = variables["source"]
    return Article(
        title=variables["title"],
        text=block_text(body),
        posted=parse_date(variables.get("publishTime")),
        column=variables.get("columnName"),
        content_source=variables.get("source"),
        header=header,
        attachments=attachment_links(body, record.url),
    )


def parse(content: bytes, record: Record) -> Document:
    return article_document(parse_page(content, record), record, NAME)
