"""A document's outline as the reader sees it: its numbered parts in printed order, and its annexes (the
ones its text lists after 附件：, the ones printed inline, the attachments archived as documents) with
whether the knowledge base holds each. Read again from documents.text with the parser that built it
(ingest/parse/structure.py), so the database needs no extra table."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ingest.parse.numerals import to_int
from ingest.parse.structure import parse_structure

_NUMBER = re.compile(r"[0-9０-９]+|[〇零一二两三四五六七八九十百千]+|[a-z]")
# What differs between a listed annex name and the printed or archived one: file extension, brackets
# with a date or remark, book-title marks, spaces.
_NOISE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar)$|[（(][^）)]*[）)]|[《》〈〉“”\"'\s]", re.IGNORECASE)


def _numeral_key(label: str) -> tuple[Any, ...]:
    """一（三）→ (1, 3); 第十二条（一）→ (12, 1): printed order when the text gives no offsets."""
    key: list[Any] = []
    for token in _NUMBER.findall(label):
        try:
            key.append((0, to_int(token)))
        except ValueError:
            key.append((1, token))
    return (*key, label)


def part_order(text: str | None) -> Callable[[str | None], tuple[Any, ...]]:
    """A sort key putting part paths (一（一）, 第十二条（一）) in the order the text prints them; the whole
    document (None) first, parts the text does not print after those it does, by their numerals."""
    starts: dict[str, int] = {}
    if text:
        for part in parse_structure(text).parts:
            starts.setdefault(part.path, part.start)

    def key(path: str | None) -> tuple[Any, ...]:
        if not path:
            return (0,)
        if path in starts:
            return (1, starts[path], path)
        return (2, _numeral_key(path))

    return key


def _plain(name: str) -> str:
    return _NOISE.sub("", name).strip("：:、.．")


def _same(a: str, b: str) -> bool:
    x, y = _plain(a), _plain(b)
    return bool(x and y) and (x in y or y in x)


def annexes(text: str | None, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each annex with where the KB has it: `inline` (its text is in this document, with offsets),
    `document` (archived as its own document, `document_id`), or `missing`.

    `attachments` are the rows of documents whose attachment_of is this document (id, title)."""
    if not text:
        return [{"name": a["title"] or a["id"], "listed": False, "held": "document", "document_id": a["id"]}
                for a in attachments]
    structure = parse_structure(text)
    inline = list(structure.annexes)
    unused_docs = list(attachments)
    out: list[dict[str, Any]] = []
    for number, name in enumerate(structure.annex_list, 1):
        entry: dict[str, Any] = {"number": number, "name": name, "listed": True, "held": "missing"}
        printed = next((a for a in inline if _same(a.title, name)), None)
        archived = next((d for d in unused_docs if _same(d["title"] or "", name)), None)
        if printed is not None:
            inline.remove(printed)
            entry |= {"held": "inline", "start": printed.start, "end": printed.end}
        elif archived is not None:
            unused_docs.remove(archived)
            entry |= {"held": "document", "document_id": archived["id"]}
        out.append(entry)
    out += [{"name": a.title or "附件", "listed": False, "held": "inline", "start": a.start, "end": a.end}
            for a in inline]
    out += [{"name": d["title"] or d["id"], "listed": False, "held": "document", "document_id": d["id"]}
            for d in unused_docs]
    return out
