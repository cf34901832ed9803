"""exportcontrol.mofcom.gov.cn (中国出口管制信息网): the column API `getColumnList`, the policy
catalogue `getColumnListZcfgGn` (same answer shape) and its article pages (metadata in inline JS
`var title = …`, body in `div.bd`)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup

from ingest.archive import Record
from ingest.document import Document
from ingest.http import decode_body
from ingest.parse.errors import UnknownLayoutError
from ingest.sources.article_pages import article_links, parse_page
from ingest.sources.cms_layout import parse_date
from ingest.sources.spec import Link, ListSpec, load_spec, page_number

NAME = "portal"
SPEC = load_spec(Path(__file__).with_name("source.yml"))
BASE = "https://exportcontrol.mofcom.gov.cn/"


def list_for(key: str) -> ListSpec:
    """The declared list a list key belongs to: its endpoint and every declared form field match."""
    endpoint = key.split("?", 1)[0]
    form = dict(parse_qsl(urlsplit(key).query, keep_blank_values=True))
    for lst in SPEC.lists:
        if lst.url == endpoint and all(form.get(k) == v for k, v in lst.params.items()):
            return lst
    raise UnknownLayoutError(key, "not one of the portal source's declared columns or catalogues")


def parse_column_page(content: bytes, key: str) -> tuple[list[dict], int]:
    """getColumnList or getColumnListZcfgGn → (rows, maxPageNum)."""
    try:
        info = json.loads(decode_body(content, "application/json"))["pageInfo"]
        rows = list(info.get("rows") or [])
        return rows, int(info.get("maxPageNum") or 0)
    except (ValueError, KeyError, TypeError) as exc:
        raise UnknownLayoutError(key, f"not a column API answer ({exc})") from exc


def row_snapshot(row: dict, lst: ListSpec) -> str | None:
    """A row whose `content` carries the article text, in the snapshot shape (or None)."""
    content = str(row.get("content") or "")
    if "<" in content:
        content = BeautifulSoup(content, "lxml").get_text("\n")
    text = "\n".join(line.strip() for line in content.splitlines() if line.strip())
    if not text or not row.get("title"):
        return None
    posted = parse_date(row.get("publishTimeStr"))
    record: dict[str, object] = {"source_url": urljoin(BASE, str(row["url"])), "column": row.get("columnName") or lst.column,
              "title": str(row["title"]).strip(), "posted": posted.isoformat() if posted else None,
              "text": text, "attachments": []}
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def discover(content: bytes, record: Record) -> list[Link]:
    """Column pages → article links (+ the next page); article pages → attachment links and the
    old-layout pages their bodies cite."""
    if record.kind == "page":
        return article_links(content, record)
    if record.kind != "list":
        return []
    lst = list_for(record.url)
    rows, max_page = parse_column_page(content, record.url)
    links = [
        Link(urljoin(BASE, str(row["url"])), "page", title=row.get("title"),
             date=parse_date(row.get("publishTimeStr")), list_id=lst.id, fallback=row_snapshot(row, lst))
        for row in rows if row.get("url")
    ]
    number = page_number(record.url)
    if rows and number < max_page and number < lst.max_pages:
        links.append(lst.page(number + 1))
    return links


def parse(content: bytes, record: Record) -> Document:
    return parse_page(content, record, NAME)
