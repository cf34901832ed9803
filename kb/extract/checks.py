"""What the extractor may have missed: counts and structures a text states, checked against what was read.

A list notice prints how many parties it acts on (等14家, 将28家美国实体, 三家美国企业); a notice that controls
items says so (以下物项未经许可不得出口). Each statement is compared with the extraction; every mismatch becomes an
`extraction_checks` row (document, what the text leads one to expect, what was found, the span that says so),
shown on the document page and counted by `mofcom-kb build` (`--strict` fails on any). A silent miss is the worst
outcome of a knowledge base of legal facts; a check turns it into a visible one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from ingest.document import Document
from ingest.parse.numerals import to_int
from kb.extract.entities import find_entities
from kb.facts import Span

# N家 in a title or a decision sentence: the number of parties acted on
_COUNT = re.compile(r"(?:等|将)?\s*(?P<n>\d{1,4}|[一二两三四五六七八九十]{1,3})\s*家[^，。；\s]{0,12}?(?:实体|企业|公司|子公司)")
_LIST_ACTION = re.compile(r"列入[^。；]{0,6}(?:清单|名单)|清单措施|启动[^。；]{0,12}调查|反制措施")
_CONTROL_STATEMENT = re.compile(r"(?:以下|下列|如下)物项[^。；]{0,20}?(?:未经许可|实施出口管制)")


@dataclass(frozen=True)
class Check:
    check: str  # entity_count | no_entities | no_controls
    expected: str
    found: str
    span: Span
    part: str | None = None


def _count_statement(title: str, text: str, head: Span) -> tuple[int, Span] | None:
    """The first count of parties the title (else the text) states, with where it is printed (a count in the
    title is cited by the text's head: a title's offsets are not text offsets)."""
    for source, in_title in ((title, True), (text, False)):
        m = _COUNT.search(source)
        if m is None:
            continue
        try:
            n = to_int(m.group("n"))
        except ValueError:
            continue
        return n, head if in_title else Span(m.start(), m.end(), m.group(0))
    return None


def find_checks(doc: Doc, document: Document, structure: object) -> Iterable[Check]:
    text, title = document.text, document.title or ""
    checks: list[Check] = []
    # notices, orders and decisions only: FAQs and laws explain lists without acting on anyone
    acts = document.doc_type not in ("faq", "law", "regulation", "catalogue")
    about_list = acts and (bool(_LIST_ACTION.search(title)) or bool(_LIST_ACTION.search(text[:2000]) and "清单" in title))
    if about_list:
        parties = {e.name_zh for e in find_entities(text, title)}
        head = Span(0, min(len(text), 40), text[: min(len(text), 40)])
        stated = _count_statement(title, text, head)
        if not parties:
            checks.append(Check("no_entities", "a list notice names its parties", "0 entities", head))
        elif stated is not None and stated[0] != len(parties):
            checks.append(Check("entity_count", f"{stated[0]} parties (as printed)", f"{len(parties)} entities",
                                stated[1]))
    m = _CONTROL_STATEMENT.search(text)
    if m and not list(doc.spans["control_codes"]):
        checks.append(Check("no_controls", "the items it controls", "0 control codes",
                            Span(m.start(), m.end(), m.group(0))))
    return checks
