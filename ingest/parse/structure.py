"""The layout of a MOFCOM legal text (normalised: one paragraph per line):

  【发布单位】…【发布文号】…【发文日期】…     header block
  body with numbered parts                       一、 / （一） / 1. / （1） / a. / ① ; 第一章 / 第一节 / 第一条
  附件：1.…pdf 2.…pdf                            the list of annexes (names only)
  商务部 海关总署 / 2025年10月9日                signature block: issuers, then the date
  promulgated text                               (orders, decrees, laws: the decision, regulation or law)
  附件 / 附件1 物项列表 …                        inline annexes

Paths join labels from the root: 一（一）1, 二（三）2a, 第十二条（一）, 说明1. Chapters and sections
(第一章, 第一节) are level-0 parts that do not enter their articles' paths, since articles are
numbered through the whole text. Parts inside an annex carry the prefix 附件N/ (附件1/3).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.document import Annex, Part
from ingest.parse.dates import DateMatch, find_dates
from ingest.parse.numbers import issuer_names
from ingest.parse.part_labels import markers

LAYOUT_FILE = Path(__file__).with_name("structure.yml")
_HEADER_LINE = re.compile(r"^【\s*(?P<key>[^】]{2,8}?)\s*】\s*(?P<value>.*)$")
_LIST_ITEM = re.compile(r"^(\d{1,2})\s*[.．、]\s*(?P<name>.+)$")
_SENTENCE_PUNCT = re.compile(r"[，。；,;]")
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar)$", re.IGNORECASE)

_TRANSPARENT = {"chapter", "section"}  # not part of their children's paths


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Signature:
    start: int  # span of the whole block (signer lines and date line)
    end: int
    issuers: tuple[str, ...]  # organisations: 商务部, 海关总署; 部长 王文涛 → 商务部
    signers: tuple[str, ...]  # the signer lines as printed
    date: DateMatch | None


@dataclass(frozen=True)
class Structure:
    header: dict[str, str]  # 【发布单位】… values by label
    body: tuple[int, int]
    signature: Signature | None
    promulgated: tuple[int, int] | None  # the text an order, decree or law promulgates
    annex_list: tuple[str, ...]  # names listed after 附件： in the body
    annexes: tuple[Annex, ...]
    parts: tuple[Part, ...]


@cache
def _layout() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    names = sorted({*issuer_names(), *data["signers"]}, key=len, reverse=True)
    data["issuer_regex"] = re.compile("|".join(re.escape(n) for n in names))
    titles = "|".join(re.escape(t) for t in data["signer_titles"])
    data["title_regex"] = re.compile(rf"^(?:中华人民共和国)?(?P<title>{titles})\s*(?P<name>\S{{2,4}})$")
    data["annex_regex"] = re.compile(data["annex_heading"])
    return data


def lines_of(text: str) -> list[Line]:
    return [Line(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]


def signer_issuers(line: str) -> tuple[str, ...] | None:
    """The organisations a signer line names (商务部 海关总署, 商务部海关总署, 部长 王文涛),
    or None when the line is not a signer line."""
    layout = _layout()
    compact = re.sub(r"[\s、，,]+", "", line).replace("中华人民共和国", "")
    if not compact:
        return None
    found: list[str] = []
    pos = 0
    while pos < len(compact):
        m = layout["issuer_regex"].match(compact, pos)
        if not m and found and compact.startswith("和", pos):  # 商务部和海关总署
            m = layout["issuer_regex"].match(compact, pos + 1)
        if not m:
            break
        found.append(m.group(0))
        pos = m.end()
    if found and pos == len(compact):
        return tuple(dict.fromkeys(found))
    titled = layout["title_regex"].match(line.strip())
    if titled:
        return (layout["signer_titles"][titled.group("title")],)
    return None


def _date_line(line: Line) -> DateMatch | None:
    found = find_dates(line.text)
    if len(found) == 1 and found[0].printed == line.text.strip():
        d = found[0]
        return DateMatch(d.date, d.start + line.start, d.end + line.start, d.printed)
    return None


def _annex_heading(line: Line) -> re.Match[str] | None:
    m = _layout()["annex_regex"].match(line.text)
    if not m:
        return None
    rest = m.group("rest") if m.group("rest") is not None else m.group("rest2") or ""
    if len(rest) > 40 or _SENTENCE_PUNCT.search(rest) or rest.startswith(("第", "所", "中", "的")):
        return None  # 附件1第一部分所列…: a sentence that mentions an annex
    return m


def _rest(m: re.Match[str]) -> str:
    return (m.group("rest") if m.group("rest") is not None else m.group("rest2") or "").strip()


def find_signature(lines: list[Line]) -> tuple[int, int, Signature] | None:
    """(first line index, last line index, signature): the first date line whose line above
    names signers; else a bare date line that closes the text or precedes an annex."""
    for i, line in enumerate(lines):
        date = _date_line(line)
        if date is None:
            continue
        first = i
        issuers: list[str] = []
        while first > 0 and i - first < 8:
            named = signer_issuers(lines[first - 1].text)
            if named is None:
                break
            issuers[:0] = named
            first -= 1
        if first < i:
            signers = tuple(ln.text for ln in lines[first:i])
            return (
                first,
                i,
                Signature(lines[first].start, line.end, tuple(dict.fromkeys(issuers)), signers, date),
            )
        closes = i == len(lines) - 1 or _annex_heading(lines[i + 1]) is not None
        if closes and i > 0 and _date_line(lines[i - 1]) is None:
            return i, i, Signature(line.start, line.end, (), (), date)
    return None


@dataclass
class _Open:
    kind: str
    rank: int
    label: str
    path: str
    start: int
    index: int  # position in the output list


def _marker(text: str, notes: Iterable[str]) -> tuple[str, str, int] | None:
    for form in markers():  # the numbered-part grammar, structure.yml `part_labels`
        m = form.regex.match(text)
        if m:
            return form.kind, form.path_label(m.group("n")), form.rank
    stripped = text.rstrip("：:")
    if stripped != text and stripped in notes:
        return "note", stripped, -1
    return None


def _skip_contents(lines: list[Line], marks: list[tuple[str, str, int] | None]) -> None:
    """Drop the table of contents (目录): headings before the last 第一章 that precedes 第一条."""
    first_article = next((i for i, m in enumerate(marks) if m and m[0] == "article"), None)
    if first_article is None:
        return
    openings = [i for i in range(first_article) if marks[i] and marks[i][1] == "第一章"]  # type: ignore[index]
    if len(openings) > 1 or (openings and any(m and m[0] == "chapter" for m in marks[: openings[0]])):
        for i in range(openings[-1]):
            if marks[i] and marks[i][0] in _TRANSPARENT:  # type: ignore[index]
                marks[i] = None


def parse_parts(lines: list[Line], *, prefix: str = "", trailing_closes: bool = False) -> list[Part]:
    """Numbered parts of one region. With `trailing_closes` (a signed body), unnumbered
    paragraphs after the last numbered one (本公告自…起实施) belong to no part."""
    notes = _layout()["note_headings"]
    marks = [_marker(line.text, notes) for line in lines]
    _skip_contents(lines, marks)
    out: list[Part] = []
    depths: list[int] = []  # tree depth of each part
    stack: list[_Open] = []
    last_marked = -1
    for i, (line, mark) in enumerate(zip(lines, marks, strict=True)):
        if mark is None:
            continue
        kind, label, rank = mark
        if rank < 0:  # a heading closes every open numbered part and lower headings
            while stack and stack[-1].rank >= rank:
                stack.pop()
        elif any(o.kind == kind for o in stack):  # a sibling of the open part of this kind
            while stack.pop().kind != kind:
                pass
        # else: a new kind nests under the open part (1. then （一） in a FAQ answer)
        visible = [o for o in stack if o.kind not in _TRANSPARENT]
        if kind in _TRANSPARENT:
            path = "".join(o.label for o in stack if o.kind in _TRANSPARENT) + label
        else:
            path = (visible[-1].path if visible else "") + label
        stack.append(_Open(kind, rank, label, path, line.start, len(out)))
        out.append(Part(label, prefix + path, max(rank, 0), line.start, line.end))
        depths.append(len(stack))
        last_marked = i
    if not out:
        return []
    ends = _ends(lines, out, depths)
    if trailing_closes:
        cut = lines[last_marked].end
        ends = [min(e, cut) if e > cut else e for e in ends]
    return [Part(p.label, p.path, p.level, p.start, end) for p, end in zip(out, ends, strict=True)]


def _ends(lines: list[Line], parts: list[Part], depths: list[int]) -> list[int]:
    """A part runs to the line before the next part at the same or a smaller depth."""
    region_end = lines[-1].end
    starts = [ln.start for ln in lines]  # ascending
    # The next part at the same or a smaller depth, for every part at once (a stack of the parts still
    # waiting for theirs: linear, where a scan per part was quadratic in a catalogue's thousands).
    following: list[int | None] = [None] * len(parts)
    waiting: list[int] = []
    for i, depth in enumerate(depths):
        while waiting and depth <= depths[waiting[-1]]:
            following[waiting.pop()] = parts[i].start
        waiting.append(i)
    ends: list[int] = []
    for part, nxt in zip(parts, following, strict=True):
        if nxt is None:
            ends.append(region_end)
            continue
        before = bisect.bisect_left(starts, nxt) - 1  # the last line starting before it
        ends.append(max(lines[before].end, part.end))
    return ends


def _annex_list(lines: list[Line], at: int) -> tuple[list[str], int]:
    """Names after 附件： (same line and numbered lines below); returns (names, last index)."""
    m = _annex_heading(lines[at])
    names: list[str] = []
    first = _rest(m) if m else ""
    if first:
        item = _LIST_ITEM.match(first)
        names.append(item.group("name") if item else first)
    last = at
    for j in range(at + 1, len(lines)):
        item = _LIST_ITEM.match(lines[j].text)
        if not item or len(lines[j].text) > 80:
            break
        names.append(item.group("name"))
        last = j
    return names, last


def parse_structure(text: str) -> Structure:
    lines = lines_of(text)
    header: dict[str, str] = {}
    first_body = 0
    while first_body < len(lines) and (h := _HEADER_LINE.match(lines[first_body].text)):
        header[h.group("key")] = h.group("value").strip()
        first_body += 1
    found = find_signature(lines[first_body:])
    signature = None
    sig_first = sig_last = len(lines)
    if found:
        sig_first, sig_last, signature = found[0] + first_body, found[1] + first_body, found[2]
    # Annex headings after the signature (or, unsigned, a bare 附件 / 附件N line).
    heads: list[tuple[int, re.Match[str]]] = []
    for i in range(first_body, len(lines)):
        m = _annex_heading(lines[i])
        if m and (
            i > sig_last
            or (signature is None and not _rest(m) and ":" not in lines[i].text and "：" not in lines[i].text)
        ):
            heads.append((i, m))
    body_stop = min(sig_first, heads[0][0] if heads else len(lines))
    body_lines: list[Line] = []
    annex_list: list[str] = []
    i = first_body
    while i < body_stop:
        if _annex_heading(lines[i]):
            names, last = _annex_list(lines, i)
            if names:
                annex_list.extend(names)
                i = last + 1
                continue
        body_lines.append(lines[i])
        i += 1
    parts = parse_parts(body_lines, trailing_closes=signature is not None) if body_lines else []
    promulgated = None
    promulgated_stop = heads[0][0] if heads else len(lines)
    region = lines[sig_last + 1 : promulgated_stop] if signature is not None else []
    if region and all(_FILE_NAME.search(ln.text) for ln in region):
        annex_list.extend(_LIST_ITEM.sub(r"\g<name>", ln.text) for ln in region)  # names of attached files
        region = []
    if region:
        promulgated = (region[0].start, region[-1].end)
        parts += parse_parts(region)
    annexes: list[Annex] = []
    for k, (at, m) in enumerate(heads):
        stop = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        region = lines[at:stop]
        title = _rest(m)
        content = region[1:]
        if not title and content and len(content[0].text) <= 40 and _marker(content[0].text, ()) is None:
            title = content[0].text
            content = content[1:]
        annexes.append(Annex(title, region[0].start, region[-1].end))
        number = m.group("n") or str(k + 1)
        if content:
            parts += parse_parts(content, prefix=f"附件{number}/")
    body_span = (lines[first_body].start, body_lines[-1].end) if body_lines else (0, 0)
    return Structure(
        header, body_span, signature, promulgated, tuple(annex_list), tuple(annexes), tuple(parts)
    )
