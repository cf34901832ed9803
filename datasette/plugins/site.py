"""Site-wide bits: menu links to the knowledge-base pages and template variables (today's date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from datasette import hookimpl


@hookimpl
def menu_links() -> list[dict[str, str]]:
    return [
        {"href": "/-/search", "label": "搜索 Search"},
        {"href": "/-/timeline", "label": "时间线 Timeline"},
        {"href": "/-/feeds/documents.atom", "label": "Atom: 新文件 new documents"},
    ]


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    return {"today": dt.date.today().isoformat()}
