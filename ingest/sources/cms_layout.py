"""MOFCOM's jpaas CMS, shared by www and aqygzj: its list API, its static indexes and its
article pages (`<meta name="ArticleTitle">`, body `div[ergodic=article]`, header block
【发布单位】【发布文号】【发文日期】). Pure functions of bytes; selectors raise when a page
no longer matches, so a layout change fails loudly instead of yielding empty documents.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from ingest.archive import Record
from ingest.http import decode_body
from ingest.parse.errors import BrokenHtmlError, EncodingError, UnknownLayoutError
from ingest.sources.spec import Link, ListSpec, SourceSpec, is_attachment_url, page_number

_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)?\s*(\d{1,2})\s*(?:月|-|/|\.)?\s*(\d{1,2})")
_HEADER_FIELD = re.compile(r"【(发布单位|发布文号|发文日期|成文日期|有效性)】\s*([^【\n]*)")
_COUNT = re.compile(r"count\s*=\s*[\"']?(\d+)")


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    date: dt.date | None


@dataclass(frozen=True)
class Article:
    title: str
    text: str
    posted: dt.date | None = None
    column: str | None = None
    content_source: str | None = None
    header: dict[str, str] = field(default_factory=dict)  # 发布单位 / 发布文号 / 发文日期 as printed
    attachments: tuple[tuple[str, str], ...] = ()  # (name, absolute url)


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
    """`<li><a href title>…</a><span>[YYYY-MM-DD]</span></li>` items, in page order."""
    items = []
    for a in container.select("a[href]"):
        href = str(a["href"]).strip()
        if not href or href.startswith(("javascript:", "#")) or "/art/" not in href:
            continue
        title = str(a.get("title") or a.get_text(" ", strip=True)).strip()
        holder = a.find_parent("li") or a.parent
        date_tag = holder.find("span") if isinstance(holder, Tag) else None
        items.append(ListItem(urljoin(base_url, href), title, parse_date(date_tag.get_text() if date_tag else None)))
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


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    value = tag.get("content") if isinstance(tag, Tag) else None
    return str(value).strip() if value else None


def block_text(tag: Tag) -> str:
    """Visible text, one line per block, blank lines dropped."""
    for br in tag.find_all("br"):
        br.replace_with("\n")
    lines = (" ".join(line.split()) for line in tag.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def attachment_links(tag: Tag, base_url: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for a in tag.select("a[href]"):
        url = urljoin(base_url, str(a["href"]).strip())
        name = a.get_text(" ", strip=True) or url.rsplit("/", 1)[-1]
        if is_attachment_url(url, name) and url not in found:
            found[url] = name
    return tuple((name, url) for url, name in found.items())


def parse_article(content: bytes, url: str, content_type: str | None = None) -> Article:
    html = decode_body(content, content_type)
    if html.count("?") > 20 and not re.search(r"[\u4e00-\u9fff]", html):
        raise EncodingError(url, "Chinese text arrived as '?'")
    soup = BeautifulSoup(html, "lxml")
    body = soup.select_one('div[ergodic="article"]') or soup.select_one("div.art-con")
    if body is None:
        raise UnknownLayoutError(url, "no div[ergodic=article] / div.art-con: not a CMS article page")
    title = _meta(soup, "ArticleTitle") or (soup.title.get_text(strip=True) if soup.title else "")
    if not title:
        raise BrokenHtmlError(url, "article without a title")
    header: dict[str, str] = {}
    block = soup.select_one("div.art-con-gonggao")
    if block is not None:
        header = {k: v.strip() for k, v in _HEADER_FIELD.findall(block_text(block))}
        block.extract()  # the header block is metadata, not part of the body text
    attachments = attachment_links(body, url)
    return Article(
        title=title,
        text=block_text(body),
        posted=parse_date(_meta(soup, "PubDate")),
        column=_meta(soup, "ColumnName"),
        content_source=_meta(soup, "ContentSource"),
        header=header,
        attachments=attachments,
    )


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
    """List pages → article links (+ the next page); article pages → attachment links."""
    if record.kind == "page":
        article = parse_article(content, record.url, record.content_type)
        return [Link(url, "attachment", name=name) for name, url in article.attachments]
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
