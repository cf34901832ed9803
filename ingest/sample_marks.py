"""How a team-written sample (ingest/samples/, tests/fixtures/) declares itself, so it never poses as data.

A sample says so in its own bytes, and lives only on a host that can never resolve:

- a snapshot record carries `"sample": true`;
- an HTML page carries `<meta name="mofcom-kb-sample" content="…">` (besides the visible 样例 SAMPLE banner);
- an attachment is a sample when the page it hangs from is one;
- its URL is on a `.invalid` host (RFC 2606), e.g. `https://example.invalid/mofcom-kb-sample/2025-18.html`;
  a mirror tree's `site/<host>.invalid/<path>` is parsed by the source owning `<host>`.

`mofcom-kb import` refuses a sample on a real host, and a page under a `<host>.invalid` mirror folder that
does not declare itself one (a snapshot record on a .invalid host without the flag is only warned about:
tests use example.invalid for records they mean as real); `mofcom-kb build` leaves every sample out of a
build that has real material (ingest/archive_documents.py).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SNAPSHOT_FIELD = "sample"
HTML_META = "mofcom-kb-sample"
SAMPLE_HOST_SUFFIX = ".invalid"

# Cheap check on raw bytes (import validation): the meta tag, attributes in either order.
_META = re.compile(
    rb"""<meta\b[^>]*\bname\s*=\s*["']?""" + re.escape(HTML_META.encode()) + rb"""["'\s/>]""", re.IGNORECASE)


def is_sample_host(url: str) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # not a URL at all (an unbalanced [ in the host): no sample host either
        return False
    return host == SAMPLE_HOST_SUFFIX[1:] or host.endswith(SAMPLE_HOST_SUFFIX)


def real_host(host: str) -> str:
    """The host a sample mirror host stands for: `www.mofcom.gov.cn.invalid` → `www.mofcom.gov.cn`."""
    return host[: -len(SAMPLE_HOST_SUFFIX)] if host.lower().endswith(SAMPLE_HOST_SUFFIX) else host


def record_declares_sample(record: dict) -> bool:
    return record.get(SNAPSHOT_FIELD) is True


def html_declares_sample(content: bytes) -> bool:
    return _META.search(content[:65536]) is not None
