"""What a crawlable source declares about itself (its `source.yml`), and the links its
pure `discover` functions return.

A list endpoint is one of three shapes MOFCOM uses:
  portal_column  POST getColumnList (form pageNumber=N&columnID=ID), JSON pageInfo
  cms_unit       GET the jpaas CMS list API (paramJson={"pageNo":N,"pageSize":S}), JSON data.html
  static_index   GET one static HTML index per year (url holds {year})
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import yaml

LIST_KINDS = ("portal_column", "cms_unit", "static_index")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et")


class SpecError(ValueError):
    pass


@dataclass(frozen=True)
class Link:
    """Something to fetch. `key` is the archive URL: for a POST, the URL plus its form as a query."""

    url: str
    kind: str  # "list", "page" or "attachment"
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    title: str | None = None
    date: dt.date | None = None  # the list's posting date for the item
    name: str | None = None  # attachment file name as linked
    list_id: str | None = None
    # a snapshot-shaped JSON record of the item taken from its list (the portal API's row `content`),
    # archived under the page URL only when the page itself cannot be had (e.g. a JavaScript frame)
    fallback: str | None = None

    @property
    def key(self) -> str:
        if self.method == "GET" or not self.form:
            return self.url
        return f"{self.url}?{urlencode(sorted(self.form))}"


@dataclass(frozen=True)
class ListSpec:
    id: str
    kind: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    page_size: int = 15
    min_items: int = 1  # the floor: fewer items on a full crawl fails the run
    first_year: int | None = None  # static_index only
    max_pages: int = 200
    column: str | None = None

    def page(self, number: int) -> Link:
        headers = tuple(sorted(self.headers.items()))
        if self.kind == "portal_column":
            form = tuple(sorted({**self.params, "pageNumber": str(number)}.items()))
            return Link(self.url, "list", "POST", form, headers, list_id=self.id)
        if self.kind == "cms_unit":
            param_json = json.dumps({"pageNo": number, "pageSize": self.page_size}, separators=(",", ":"))
            query = urlencode({**self.params, "paramJson": param_json})
            return Link(f"{self.url}?{query}", "list", headers=headers, list_id=self.id)
        raise SpecError(f"list {self.id}: {self.kind} lists have no page numbers")

    def first_pages(self, today: dt.date) -> list[Link]:
        if self.kind == "static_index":
            first = self.first_year or today.year
            return [Link(self.url.format(year=y), "list", list_id=self.id) for y in range(today.year, first - 1, -1)]
        return [self.page(1)]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    hosts: tuple[str, ...]
    lists: tuple[ListSpec, ...]
    description: str = ""

    def list_by_id(self, list_id: str) -> ListSpec:
        for spec in self.lists:
            if spec.id == list_id:
                return spec
        raise KeyError(f"source {self.name} has no list {list_id!r}")


def load_spec(path: Path) -> SourceSpec:
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        lists = []
        for item in data.get("lists", []):
            if item["kind"] not in LIST_KINDS:
                raise SpecError(f"{path}: list {item['id']}: unknown kind {item['kind']!r}")
            params = {k: str(v) for k, v in (item.get("params") or {}).items()}
            headers = {k: str(v) for k, v in (item.get("headers") or {}).items()}
            lists.append(ListSpec(**{**item, "params": params, "headers": headers}))
        return SourceSpec(name=data["name"], hosts=tuple(data["hosts"]), lists=tuple(lists),
                          description=data.get("description", ""))
    except (KeyError, TypeError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: not a valid source description ({exc})") from exc


def page_number(key: str) -> int:
    """The page number a list key asks for (pageNumber=N, or paramJson's pageNo); 1 when absent."""
    query = dict(parse_qsl(urlsplit(key).query))
    if "pageNumber" in query:
        return int(query["pageNumber"])
    if "paramJson" in query:
        try:
            return int(json.loads(query["paramJson"]).get("pageNo", 1))
        except (ValueError, AttributeError):
            return 1
    return 1


def is_attachment_url(url: str, name: str | None = None) -> bool:
    query = dict(parse_qsl(urlsplit(url).query))
    candidates = (urlsplit(url).path, query.get("fileName", ""), name or "")
    return any(c.lower().endswith(ATTACHMENT_EXTENSIONS) for c in candidates)
