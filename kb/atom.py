"""Atom feeds (RFC 4287) built with ElementTree, so the XML is always well formed whatever the text
contains; used by the site's feeds (datasette/plugins/feeds.py: new documents, a code's changes, the
regime's changes)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:mofcom-kb,2025:"
# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the feed).
# Lone surrogates cannot even be encoded as UTF-8. Stripped from attributes (hrefs) as well as text.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Entry(NamedTuple):
    id: str
    title: str
    updated: str  # ISO date
    link: str
    summary: str
    official: str | None = None


def timestamp(day: str | None) -> str:
    return f"{day or '1970-01-01'}T00:00:00Z"


def atom_feed(feed_id: str, title: str, self_url: str, alternate: str, entries: list[Entry]) -> bytes:
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: NOT_XML.sub("", v) for k, v in attrs.items()})
        if text is not None:
            node.text = NOT_XML.sub("", text)
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", max((timestamp(e.updated) for e in entries), default=timestamp(None)))
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=alternate, type="text/html")
    author = sub(feed, "author")
    sub(author, "name", "mofcom-kb (from MOFCOM publications)")
    sub(feed, "generator", "mofcom-kb")
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", e.id)
        sub(entry, "title", e.title)
        sub(entry, "updated", timestamp(e.updated))
        sub(entry, "link", rel="alternate", href=e.link, type="text/html")
        if e.official:
            sub(entry, "link", rel="related", href=e.official, type="text/html", title="官方页面 official page")
        sub(entry, "summary", e.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


