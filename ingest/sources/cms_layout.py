"""MOFCOM's jpaas CMS lists, shared by www and aqygzj: the list API (JSON with data.html)
and the annual static indexes. Pure functions of bytes; a page that no longer matches
raises, so a layout change fails loudly instead of yielding empty lists. Article pages
are read by ingest/parse/article.py (see article_pages.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ingest.archive import Record
from ingest.http import decode_body
from ingest.parse.errors import BrokenHtmlError, UnknownLayoutError
from ingest.sources.article_pages import article_links, canonical_url, is_list_item
from ingest.sources.spec import Link, ListSpec, SourceSpec, page_number

_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)?\s*(\d{1,2})\s*(?:月|-|/|\.)?\s*(\d{1,2})")
_COUNT = re.compile(r"count\s*=\s*[\"']?(\d+)")


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    date: dt.date | None


def parse_date(text: str | None) -> dt.date | None:
    if not text or not (m := _DATE.search(text)):
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def soup_of(content: bytes, content_type: str | None = None) -> BeautifulSoup:
    return BeautifulSoup(decode_body(content, content_type), "lxml")


def list_items(container: Tag, base_url: str) -> list[ListItem]:
    """`<li><a href title>…</a><span>[YYYY-MM-DD]</span></li>` items, in page order: links to article
    pages of either layout (article_urls.yml)."""
    items = []
    for a in container.select("a[href]"):
        href = str(a["href"]).strip()
        if not href or href.startswith(("javascript:", "#")) or not is_list_item(urljoin(base_url, href)):
            continue
        title = str(a.get("title") or a.get_text(" ", strip=True)).strip()
        holder = a.find_parent("li") or a.parent
        date_tag = holder.find("span") if isinstance(holder, Tag) else None
        items.append(ListItem(canonical_url(urljoin(base_url, href)), title, parse_date(date_tag.get_text() if date_tag else None)))
    return items


def parse_unit_list(content: bytes, url: str) -> tuple[list[ListItem], int | None]:
    """The CMS list API: JSON `{success, data: {html}}`; the html carries `count="N"` (the total)."""
    try:
        payload = json.loads(decode_body(content, "application/json"))
        html = payload["data"]["html"]
    except (ValueError, KeyError, TypeError) as exc:
        raise UnknownLayoutError(url, f"not a CMS list API answer ({exc})") from exc
    if payload.get("success") is False:
        raise UnknownLayoutError(url, "CMS list API answered success=false")
    count = _COUNT.search(html)
    soup = BeautifulSoup(html, "lxml")
    return list_items(soup, url), int(count.group(1)) if count else None


def parse_static_index(content: bytes, url: str) -> list[ListItem]:
    soup = soup_of(content)
    container = soup.select_one("ul.txtList_01, div.list, ul.list, div.art-list") or soup.body
    if container is None:
        raise BrokenHtmlError(url, "annual index without a body")
    return list_items(container, url)


def _matches(lst: ListSpec, url: str) -> bool:
    if lst.kind == "static_index":
        pattern = re.escape(lst.url).replace(re.escape("{year}"), r"\d{4}")
        return re.fullmatch(pattern, url) is not None
    query = dict(parse_qsl(urlsplit(url).query))
    return url.startswith(lst.url + "?") and all(query.get(k) == v for k, v in lst.params.items())


def list_for(spec: SourceSpec, url: str) -> ListSpec:
    for lst in spec.lists:
        if _matches(lst, url):
            return lst
    raise UnknownLayoutError(url, f"not one of the {spec.name} source's list endpoints")


def discover_cms(content: bytes, record: Record, spec: SourceSpec) -> list[Link]:
    """List pages → article links (+ the next page); article pages → attachment links and the
    old-layout pages their bodies cite."""
    if record.kind == "page":
        return article_links(content, record)
    if record.kind != "list":
        return []
    lst = list_for(spec, record.url)
    following: list[Link] = []
    if lst.kind == "static_index":
        items = parse_static_index(content, record.url)
    else:
        items, total = parse_unit_list(content, record.url)
        number = page_number(record.url)
        if items and total is not None and number * lst.page_size < total and number < lst.max_pages:
            following.append(lst.page(number + 1))
    pages = [Link(i.url, "page", title=i.title, date=i.date, list_id=lst.id) for i in items]
    return pages + following
