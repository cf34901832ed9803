"""Escaping for values that reach HTML in a context plain autoescaping does not cover:
JSON inside a `<script>` block, and URLs that become links (only http(s) on allow-listed hosts).
Limits and the link policy are data in datasette/publishing.yml."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import yaml

from kb.paths import DATASETTE_DIR

SETTINGS_PATH = DATASETTE_DIR / "publishing.yml"
# In a <script> element the HTML parser ends the block at `</script` and treats `<!--` specially;
# escaping <, > and & as JSON \u escapes keeps the JSON identical for JSON.parse.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}

HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


@cache
def settings() -> dict[str, Any]:
    data = yaml.safe_load(SETTINGS_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{SETTINGS_PATH}: expected a mapping")
    return data


def script_json(data: Any) -> str:
    """JSON safe to place verbatim inside `<script type="application/json">…</script>`."""
    text = json.dumps(data, ensure_ascii=False)
    return "".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text)


def safe_link(url: str | None) -> str | None:
    """The URL when it may become a link (http/https, host on the allow-list, no credentials), else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if any(ord(ch) < 0x21 or ch in "\"'<>`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    links = settings()["links"]
    if parts.scheme.lower() not in links["schemes"] or parts.username or parts.password:
        return None
    # A host as browsers read it is percent-decoded first: only plain DNS labels are compared with the list.
    if not HOST_NAME.fullmatch(host):
        return None
    if not any(host == s or host.endswith("." + s) for s in links["host_suffixes"]):
        return None
    return url
