"""Technology-catalogue entries as facts (the `technology_entry` fact type, kb/fact_types.yml): one per
entry a technology catalogue or an amending notice's annex prints (ingest/catalogue/technology.py read
them; Document.meta["technology"]), each cited by its 编号 in the entry's line of the document text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ingest.document import Document
from kb.facts import Span, TechnologyFact


def technology_facts(doc: Any, document: Document, structure: Any, facts: Any) -> Iterable[TechnologyFact]:
    for item in document.meta.get("technology", ()):
        start, end = (int(x) for x in item["line"])
        pos = document.text.find(item["number"], start, end)
        span = (Span(pos, pos + len(item["number"]), item["number"], item["page"]) if pos >= 0
                else Span(start, end, document.text[start:end], item["page"]))
        yield TechnologyFact(item["number"], item["name"], item["control_points"], item["klass"], item["industry"],
                             item["part"], item["action"], span)
