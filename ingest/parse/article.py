"""MOFCOM article pages (three layouts, see ../shared/notes/mofcom-site.md) → Document fields.

  cms     new CMS: <meta name="ArticleTitle|PubDate|ContentSource|Keywords|ColumnName">, body
          div[ergodic="article"] / div.art-con, header block div.art-con-gonggao (【发布单位】…)
  portal  exportcontrol portal: inline JS vars (var title=…; var publishTime=…), body div.bd ending
          at div.u-disclaimer-box
  old     pre-2023 pages: div.art-title, body div.art-con-bottonmLine

Selectors live in article_layouts.yml. Every failure is a ParseError subclass naming the page:
404 pages served with HTTP 200, JavaScript frames, truncated or skeleton HTML, text mangled to
'?', bytes in no readable encoding.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from ingest.document import Attachment, Document
from ingest.limits import LimitError, limits
from ingest.parse.dates import find_dates
from ingest.parse.document_builder import PageFields, build_document
from ingest.parse.errors import BrokenHtmlError, EncodingError, NotFoundPageError, UnknownLayoutError
from ingest.parse.html_bytes import decode_html
from ingest.sample_marks import HTML_META

LAYOUTS_FILE = Path(__file__).with_name("article_layouts.yml")
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "section",
    "center",
}
_SKIP = {"script", "style", "noscript", "template"}
_HEADER_FIELD = re.compile(r"【\s*([^】]{2,8}?)\s*】\s*([^【\n]*)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ArticlePage:
    url: str
    layout: str  # cms | portal | old
    title: str
    text: str  # header block lines first (as in the portal's API text), then the body
    posted_date: dt.date | None = None
    column: str | None = None
    content_source: str | None = None
    header: dict[str, str] = field(default_factory=dict)  # 【发布单位】 → value
    attachments: tuple[Attachment, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()  # the body's other links (absolute), e.g. to the notices it cites
    is_sample: bool = False  # <meta name="mofcom-kb-sample">: written by the team (ingest/sample_marks.py)

    def fields(self, source: str, raw_sha256: str | None = None) -> PageFields:
        return PageFields(
            title=self.title,
            text=self.text,
            source=source,
            source_urls=(self.url,),
            posted_date=self.posted_date,
            column=self.column,
            attachments=self.attachments,
            raw_sha256=raw_sha256,
            header=self.header,
            is_sample=self.is_sample,
            meta={
                "layout": self.layout,
                **({"content_source": self.content_source} if self.content_source else {}),
            },
        )


@cache
def _layouts() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(LAYOUTS_FILE.read_text(encoding="utf-8"))
    return data


def block_text(tag: Tag) -> str:
    """Text of an element with one line per block (p, div, br, tr …); table cells joined by spaces.
    Walked with a stack, not recursion: a hostile page nests elements thousands deep."""
    out: list[str] = []
    # a tuple on the stack is text to write once the element it closes has been walked
    stack: list[PageElement | tuple[str]] = list(reversed(tag.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            out.append(node[0])
        elif isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not comments, CDATA, doctype
                out.append(str(node))
        elif isinstance(node, Tag) and node.name not in _SKIP:
            block = node.name in _BLOCK
            if block:
                out.append("\n")
            after = (" " if node.name in ("td", "th") else "") + ("\n" if block else "")
            if after:
                stack.append((after,))
            stack.extend(reversed(node.contents))
    lines = (re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", line).strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    value = tag.get("content") if isinstance(tag, Tag) else None
    return str(value).strip() if value else None


def _js_var(html: str, name: str) -> str | None:
    m = re.search(rf"""var\s+{re.escape(name)}\s*=\s*(["'])(.*?)\1\s*;""", html, re.DOTALL)
    return m.group(2).strip() if m else None


def _first_date(value: str | None) -> dt.date | None:
    found = find_dates(value or "")
    return found[0].date if found else None


def _attachments(body: Tag, base_url: str) -> tuple[Attachment, ...]:
    rules = _layouts()["attachments"]
    pattern = re.compile(rules["href"], re.IGNORECASE)
    found: dict[str, Attachment] = {}
    for a in body.select("a[href]"):
        href = str(a.get("href", "")).strip()
        if not pattern.search(href):
            continue
        url = urljoin(base_url, href)
        name = a.get_text(" ", strip=True) or _name_from_url(url)
        found.setdefault(url, Attachment(name=name, url=url))
    return tuple(found.values())


def _links(body: Tag, base_url: str) -> tuple[str, ...]:
    """Links in the body that are not attachments, absolute, in order, once each."""
    pattern = re.compile(_layouts()["attachments"]["href"], re.IGNORECASE)
    hrefs = (str(a.get("href", "")).strip() for a in body.select("a[href]"))
    return tuple(dict.fromkeys(urljoin(base_url, h) for h in hrefs
                               if h and not h.startswith(("#", "javascript:", "mailto:")) and not pattern.search(h)))


def _name_from_url(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if query.get("fileName"):
        return query["fileName"][0]
    return unquote(parts.path.rsplit("/", 1)[-1])


def _header_of(block: Tag | None) -> tuple[dict[str, str], list[str]]:
    if block is None:
        return {}, []
    lines = block_text(block).split("\n")
    header = {k: v.strip() for line in lines for k, v in _HEADER_FIELD.findall(line)}
    return header, [f"【{k}】{v}" for k, v in header.items()]


def detect_layout(soup: BeautifulSoup, html: str) -> str | None:
    for name, spec in _layouts()["layouts"].items():
        if any(soup.select_one(sel) is not None for sel in spec["detect"]):
            return str(name)
        if any(marker in html for marker in spec.get("detect_text", [])):
            return str(name)
    return None


def check_depth(soup: BeautifulSoup, url: str) -> None:
    """Refuse a page nested deeper than html_depth (limits.yml) before anything walks it: the
    selectors and text extraction of a tree 100,000 elements deep would exhaust the stack."""
    limit = limits().html_depth
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise LimitError(url, f"HTML elements nested more than {limit} deep (html_depth)")
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


def _check_not_error_page(soup: BeautifulSoup, html: str, url: str) -> None:
    visible = soup.get_text(" ", strip=True)
    for marker in _layouts()["not_found"]:
        if marker in visible:
            raise NotFoundPageError(url, f"error page: “{marker}”")
    sample = visible[:4000]
    if sample.count("?") >= 20 and len(_CJK.findall(sample)) < sample.count("?") // 4:
        raise EncodingError(
            url, "Chinese text arrived as '?' (the portal answers so without X-Requested-With)"
        )


def parse_article(content: bytes, url: str, content_type: str | None = None) -> ArticlePage:
    html = decode_html(content, url, content_type)
    if "<" not in html or not re.search(r"<\s*(html|body|div|p|meta|head)\b", html, re.IGNORECASE):
        raise BrokenHtmlError(url, "no HTML elements in the page")
    soup = BeautifulSoup(html, "lxml")
    check_depth(soup, url)
    _check_not_error_page(soup, html, url)
    layout = detect_layout(soup, html)
    if layout is None:
        scripts = len(soup.find_all("script"))
        text = soup.body.get_text(" ", strip=True) if soup.body else ""
        if scripts and len(text) < 200:
            raise UnknownLayoutError(url, "a JavaScript frame without the article (fetch through the API)")
        raise UnknownLayoutError(url, "none of the known MOFCOM layouts (cms, portal, old)")
    spec = _layouts()["layouts"][layout]
    body = next((_fullest(found) for sel in spec["body"] if (found := soup.select(sel))), None)
    if body is None:
        raise BrokenHtmlError(
            url, f"{layout} page without its body element ({', '.join(spec['body'])}): truncated?"
        )
    for sel in spec.get("body_end", []):
        end = body.select_one(sel)
        if end is not None:  # everything from the disclaimer on is chrome
            for sibling in list(end.find_next_siblings()):
                sibling.decompose()
            end.decompose()
    header_block = next(
        (h for sel in spec.get("header", []) if (h := soup.select_one(sel)) is not None), None
    )
    header, header_lines = _header_of(header_block)
    if header_block is not None and header_block in body.descendants:
        header_block.decompose()  # its lines go first, once
    text = "\n".join([*header_lines, block_text(body)]).strip()
    title = _title(soup, html, spec)
    if not title:
        raise BrokenHtmlError(url, f"{layout} page without a title")
    if len(_CJK.findall(text)) < 10:
        raise BrokenHtmlError(url, f"{layout} page whose body holds no text: truncated or a skeleton")
    posted = next(
        (d for source in spec.get("posted", []) if (d := _first_date(_value(soup, html, source)))), None
    )
    column = next((v for source in spec.get("column", []) if (v := _value(soup, html, source))), None)
    content_source = next(
        (v for source in spec.get("content_source", []) if (v := _value(soup, html, source))), None
    )
    return ArticlePage(
        url, layout, title, text, posted, column, content_source, header, _attachments(body, url),
        links=_links(body, url), is_sample=soup.find("meta", attrs={"name": HTML_META}) is not None,
    )


def _fullest(tags: list[Tag]) -> Tag:
    """Of several elements matching a body selector (a nav block also called div.bd), the one
    holding the most Chinese text."""
    return max(tags, key=lambda tag: len(_CJK.findall(tag.get_text())))


def _value(soup: BeautifulSoup, html: str, source: str) -> str | None:
    """A layout value from `meta:Name`, `js:name` or a CSS selector."""
    kind, _, name = source.partition(":")
    if kind == "meta":
        return _meta(soup, name)
    if kind == "js":
        return _js_var(html, name)
    tag = soup.select_one(source)
    return tag.get_text(" ", strip=True) if tag else None


def _title(soup: BeautifulSoup, html: str, spec: dict[str, Any]) -> str:
    for source in spec["title"]:
        value = _value(soup, html, source)
        if value:
            return re.sub(r"\s+", " ", value).strip()
    return ""


def article_document(
    content: bytes, url: str, *, source: str, content_type: str | None = None, raw_sha256: str | None = None
) -> Document:
    """Bytes of an article page → the full Document (numbers, dates, parts, annexes)."""
    return build_document(parse_article(content, url, content_type).fields(source, raw_sha256))
