"""Contacts as facts (the `contact` fact type, kb/fact_types.yml): the e-mail and web addresses a text prints
for applications, reports and inquiries (jingwaibaogao@mofcom.gov.cn, http://ecomp.mofcom.gov.cn), each with
the numbered part that prints it, so a reader finds where to apply without reading the notice.

The addresses themselves are found by the `mofcom_contacts` pipeline component (patterns.yaml `contact`) and
passed in as Facts.emails / Facts.urls; this rule only gives them a kind and a part, reading nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ingest.document import Document
from kb.extract.part_index import Structure
from kb.facts import Contact, Facts


def contact_facts(doc: Any, document: Document, structure: Structure, facts: Facts) -> Iterable[Contact]:
    found = [("email", s) for s in facts.emails] + [("url", s) for s in facts.urls]
    for kind, span in sorted(found, key=lambda f: (f[1].start, f[1].end)):
        yield Contact(kind, span.text, span, structure.path_at(span.start))
