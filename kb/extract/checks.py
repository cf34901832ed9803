"""What the extractor may have missed: counts and structures a text states, checked against what was read.

A list notice prints how many parties it acts on (等14家, 将28家美国实体, 三家美国企业) and numbers its annex
entries; a notice that controls items says so (以下物项未经许可不得出口), numbers them and prints their codes
(（管制编码：1E902.a）). Each statement is compared with the facts already extracted (the registry passes them in:
nothing is read twice); every mismatch becomes an `extraction_checks` row (document, what the text leads one to
expect, what was found, the span that says so), shown on the document page and counted by `mofcom-kb build`
(`--strict` fails on any). A silent miss is the worst outcome of a knowledge base of legal facts; a check turns it
into a visible one. The statements' patterns are data (patterns.yaml `checks`).

Kinds: no_entities, entity_count, annex_entry (a numbered annex entry with no entity read from it), no_controls,
unread_item (a numbered item of a control list with no control read in it), unread_code (a code printed with
管制编码 that is not stored as a control).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from ingest.document import Document, Part
from ingest.parse.numerals import to_int
from kb.extract.part_index import Structure, detect_parts
from kb.extract.patterns import compiled, patterns
from kb.facts import Check, Facts, Span

# texts that explain the regime without acting on anyone or anything
_NOT_ACTS = ("faq", "law", "regulation", "catalogue")
_HEAD_CHARS = 40  # a check about the whole text cites its head
_LINE_CHARS = 60  # a check about a numbered item cites its first line, at most this long


def _rx(key: str, flags: int = 0) -> re.Pattern[str]:
    return compiled("checks", key, flags)


def _line_span(text: str, start: int) -> Span:
    end = text.find("\n", start)
    end = min(end if end >= 0 else len(text), start + _LINE_CHARS)
    return Span(start, end, text[start:end])


def _count_statement(title: str, text: str, head: Span) -> tuple[int, Span] | None:
    """The first count of parties the title (else the text) states, with where it is printed (a count in the
    title is cited by the text's head: a title's offsets are not text offsets)."""
    for source, in_title in ((title, True), (text, False)):
        m = _rx("count").search(source)
        if m is None:
            continue
        try:
            n = to_int(m.group("n"))
        except ValueError:
            continue
        return n, head if in_title else Span(m.start(), m.end(), m.group(0))
    return None


def _annex_regions(document: Document) -> list[tuple[int, int]]:
    """The inline annexes the parser found; else the text from the first line opening with 附件."""
    if document.annexes:
        return [(a.start, a.end) for a in document.annexes]
    m = _rx("annex_start", re.MULTILINE).search(document.text)
    return [(m.start(), len(document.text))] if m else []


def _annex_entries(document: Document) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of every numbered line of an inline annex that names a party."""
    text = document.text
    entry, field, inline, party = _rx("annex_entry"), _rx("annex_field"), _rx("annex_inline_field"), _rx("annex_party")
    for region_start, region_end in _annex_regions(document):
        pos = region_start
        for line in text[region_start:region_end].splitlines(keepends=True):
            start, pos = pos, pos + len(line)
            m = entry.match(line)
            if m is None or field.match(line):
                continue
            name = inline.split(m.group("name"), maxsplit=1)[0].strip().rstrip("；;。，,")
            if party.search(name):
                yield start, start + len(line.rstrip("\n")), name


def _entity_checks(document: Document, facts: Facts, head: Span) -> list[Check]:
    text, title = document.text, document.title or ""
    checks: list[Check] = []
    parties = {e.name_zh for e in facts.entities}
    by_reference = set(patterns()["checks"]["by_reference"])
    # a text acting on another text's parties (暂停4月4日公告…相关措施) names none of its own
    acts_on_cited = any(r.relation in by_reference for r in facts.relations)
    stated = _count_statement(title, text, head)
    if not parties and not acts_on_cited:
        checks.append(Check("no_entities", "a list notice names its parties", "0 entities", head))
    elif parties and stated is not None and stated[0] != len(parties):
        checks.append(Check("entity_count", f"{stated[0]} parties (as printed)", f"{len(parties)} entities", stated[1]))
    starts = sorted(e.span.start for e in facts.entities)
    for start, end, name in _annex_entries(document):
        if not any(start <= s < end for s in starts):
            checks.append(Check("annex_entry", f"a party from annex entry {name[:40]}", "no entity read from it",
                                Span(start, end, text[start:end])))
    return checks


def _clause_colon(text: str, pos: int) -> int | None:
    """Where the clause at `pos` ends in a colon (…不得出口：), or None when it ends otherwise (。；, a line end)."""
    ends = [i for i in (text.find(ch, pos) for ch in "。；;\n") if i >= 0]
    colons = [i for i in (text.find(ch, pos) for ch in "：:") if i >= 0]
    colon = min(colons, default=None)
    return colon if colon is not None and colon < min(ends, default=len(text)) else None


def _items_after(structure: Structure, text: str, statement_end: int) -> list[Part]:
    """The numbered items a statement introduces (…未经许可不得出口：): the block of same-level parts printed right
    after the colon ending its clause; none when the clause ends otherwise (…实施出口管制。)."""
    colon = _clause_colon(text, statement_end)
    if colon is None:
        return []
    statement_end = colon + 1
    following = [p for p in structure.parts if p.start >= statement_end]
    if not following or text[statement_end : following[0].start].strip(" \n：:，,"):
        return []  # the statement is not followed by a list (…实施出口管制。有关事项公告如下：)
    level, items = following[0].level, list[Part]()
    for part in following:
        if part.level < level:
            break  # the enclosing part is over
        if part.level > level:
            continue  # a sub-item, read with its item
        if items and text[items[-1].end : part.start].strip():
            break  # an unnumbered paragraph closed the list
        items.append(part)
    return items


def _control_checks(document: Document, structure: Structure, facts: Facts) -> list[Check]:
    text = document.text
    checks: list[Check] = []
    controls = [c for c in facts.controls if c.role == "control"]
    statement = _rx("control_statement").search(text)
    if statement and not controls:
        checks.append(Check("no_controls", "the items it controls", "0 control codes",
                            Span(statement.start(), statement.end(), statement.group(0))))
    elif statement:
        # parts read from the lines (an unnumbered paragraph closes a list), not the parser's, whose last item
        # runs on over the paragraphs after the list
        for item in _items_after(Structure(detect_parts(text)), text, statement.end()):
            if not any(item.start <= c.span.start < item.end for c in controls):
                checks.append(Check("unread_item", f"a control in item {item.label}", "no control code read in it",
                                    _line_span(text, item.start), item.path))
    code = compiled("control_code", "regex")
    stored = {c.span.start for c in controls}
    for printed in _rx("printed_code").finditer(text):
        for m in code.finditer(text, printed.start("codes"), printed.end("codes")):
            if m.start() not in stored:
                checks.append(Check("unread_code", f"{m.group(0)} as a control (printed with its 编码)",
                                    "a mention only" if any(c.span.start == m.start() for c in facts.controls)
                                    else "no control", Span(m.start(), m.end(), m.group(0)),
                                    structure.path_at(m.start())))
    return checks


def find_checks(doc: Doc, document: Document, structure: Structure, facts: Facts) -> Iterable[Check]:
    """The registry's rule for `extraction_check` (kb/fact_types.yml): `facts` holds the built-in facts already
    extracted from `doc`."""
    if document.doc_type in _NOT_ACTS:
        return []
    text, title = document.text, document.title or ""
    list_action = _rx("list_action")
    about_list = bool(list_action.search(title)) or bool(list_action.search(text[:2000]) and "清单" in title)
    head = Span(0, min(len(text), _HEAD_CHARS), text[:_HEAD_CHARS])
    checks = _entity_checks(document, facts, head) if about_list else []
    return checks + _control_checks(document, structure, facts)
