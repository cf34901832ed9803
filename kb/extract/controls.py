"""Item ↔ control code ↔ HS numbers ↔ thresholds, linked through the numbered parts.

A control code printed at the head of a part (（一）1C117.d．钨相关材料：), or after its item in a bracket naming
it (（一）…相关技术及其载体；（管制编码：1E902.a）), governs that part; an HS number, threshold or item inside the part belongs to the innermost governing code. Codes
printed elsewhere (生产1C004项的技术, 非1C226项下管制的) are mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc

from ingest.parse.part_labels import ENUMERATORS, label_regex, strip_label
from kb.extract.components import doc_text, fact_span
from kb.extract.part_index import Structure
from kb.extract.patterns import compiled, patterns
from kb.facts import Control, HsCode, Span, Threshold

_HEAD_GAP = re.compile(r"^[\s、，,和及]*$")
_LABEL_AT = label_regex(ENUMERATORS)  # the part grammar's (ingest/parse/structure.yml)
# an item ends at a colon only when sub-items follow on the next lines (钨相关材料：\n 1．…); 钼粉：用于… runs on
_ITEM_END = re.compile(r"[：:]\s*(?:\n|$)|[；;。\n]|[（(]\s*参考")
_LEADING = re.compile(r"^[\s．.、：:或和及]+")
_CODE_PREFIX = re.compile(r"^(?:[0-9][A-E][0-9]{3}(?:\.[a-z0-9]{1,2})*[\s、．.]*)+")
# a code list ending in 项 (1C909.a.2、1C910.a.2项所管制的…) names codes, it does not head an item
_MENTION_TAIL = re.compile(r"(?:\s*[、，,和及]\s*[0-9][A-E][0-9]{3}(?:[.．][a-z0-9]{1,2})*)*\s*项")
_HEADING_ITEM = re.compile(r"物项$")
_NOT_ITEM_STARTS = ("【保留】", "能被")
_HS_AFTER = re.compile(r"\s*[（(]\s*参考")


@cache
def _characteristic() -> re.Pattern[str]:
    """An entry that opens with a parameter and its limit (伸长率超过8%, 直径大于等于120mm…的圆柱体)."""
    operators = sorted(patterns()["threshold"]["prefix_operators"], key=len, reverse=True)
    return re.compile(r"^[^，、的（(]{1,8}?(?:" + "|".join(re.escape(op) for op in operators) + ")")
_HS_MARKER = re.compile(r"参考|编号|税则")
_BOUNDARY = "；;。\n"


@dataclass(frozen=True)
class Governing:
    code: str
    part_path: str
    start: int
    end: int



def _head_codes(doc: Doc, structure: Structure) -> dict[int, str]:
    """start offset of each code span printed at the head of a part → that part's path."""
    text = doc_text(doc)
    heads: dict[int, str] = {}
    for code in doc.spans["control_codes"]:
        part = structure.innermost(code.start_char)
        if part is None or _MENTION_TAIL.match(text, code.end_char):
            continue
        label = _LABEL_AT.match(text, part.start)
        head_start = label.end() if label else part.start
        if _HEAD_GAP.match(_CODE_PREFIX.sub("", text[head_start : code.start_char])):
            heads[code.start_char] = part.path
    return heads


@dataclass(frozen=True)
class AfterItem:
    """A code printed after its item in a bracket naming it (…及其载体；（管制编码：1E902.a））."""

    item: Span | None
    start: int  # where the item (or, with no item, the bracket) starts
    end: int  # the bracket's end


def after_item_codes(text: str) -> dict[int, AfterItem]:
    """Start offset of each code printed in a 管制编码/编码 bracket after its item → that item."""
    bracket = compiled("control_code", "after_item")
    starts = compiled("control_code", "item_start")
    tail = patterns()["control_code"]["item_tail"]
    code = compiled("control_code", "regex")
    found: dict[int, AfterItem] = {}
    floor = 0  # the previous bracket's end: an item never reaches back past its neighbour's code
    for m in bracket.finditer(text):
        end = m.start()
        while end > floor and text[end - 1] in tail:
            end -= 1
        start = floor
        for s in starts.finditer(text, floor, end):
            start = s.end()
        end = _before_hs_parenthesis(text, start, end)
        raw = strip_label(text[start:end], ENUMERATORS)
        item = _LEADING.sub("", _CODE_PREFIX.sub("", _LEADING.sub("", raw))).strip()
        span = _region_item(text, start, end, item)
        for c in code.finditer(text, m.start("codes"), m.end("codes")):
            found[c.start()] = AfterItem(span, span.start if span else m.start(), m.end())
        floor = m.end()
    return found


def _before_hs_parenthesis(text: str, start: int, end: int) -> int:
    """`end`, moved before a closing reference-HS parenthesis (金属钐（参考海关商品编号：…）): not part of the item."""
    stripped = text[start:end].rstrip()
    if not stripped.endswith(("）", ")")):
        return end
    cut = start + len(stripped)
    open_at = max(text.rfind("（", start, cut), text.rfind("(", start, cut))
    if open_at >= 0 and _HS_MARKER.search(text, open_at, cut):
        return open_at
    return end


def _region_item(text: str, start: int, end: int, item: str) -> Span | None:
    """The stripped `item` as a span: it ends where the region's text ends (leading parts were cut)."""
    if not item:
        return None
    stop = start + len(text[start:end].rstrip())
    return Span(stop - len(item), stop, item)


def _item_after(text: str, end: int) -> Span | None:
    m = _ITEM_END.search(text, end)
    stop = m.start() if m else end + 200
    item = _LEADING.sub("", _CODE_PREFIX.sub("", _LEADING.sub("", text[end:stop]))).strip()
    return _region_item(text, end, stop, item)


def item_before(text: str, marker_open: int) -> Span | None:
    """The item an HS parenthesis belongs to: the text back to a boundary, skipping other parentheses."""
    i, depth = marker_open, 0
    while i > 0:
        ch = text[i - 1]
        if ch in "）)":
            if depth == 0 and _HS_MARKER.search(text[max(text.rfind("(", 0, i), text.rfind("（", 0, i)) : i]):
                break  # the previous item's own HS parenthesis
            depth += 1
        elif ch in "（(":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and ch in _BOUNDARY:
            break
        i -= 1
    raw = text[i:marker_open]
    raw = strip_label(raw, ENUMERATORS)
    raw = _CODE_PREFIX.sub("", _LEADING.sub("", raw))
    return _region_item(text, i, marker_open, _LEADING.sub("", raw).strip())


@dataclass(frozen=True)
class Linked:
    controls: list[Control]
    hs_codes: list[HsCode]
    thresholds: list[Threshold]
    flags: list[str]
    items: list[Span]  # item names found beside control codes and HS numbers (rule-read ITEM clauses)


def link_controls(doc: Doc, structure: Structure) -> Linked:
    text = doc_text(doc)
    heads = _head_codes(doc, structure)
    after = after_item_codes(text)
    governing: list[Governing] = []
    for code in doc.spans["control_codes"]:
        if code.start_char in heads:
            part = next(p for p in structure.parts if p.path == heads[code.start_char])
            governing.append(Governing(code._.value, part.path, part.start, part.end))
        elif (printed := after.get(code.start_char)) is not None:
            # the code governs its entry (HS numbers, thresholds inside it); with no numbered entry, its item
            numbered = structure.innermost(code.start_char)
            if numbered is not None and numbered.start <= printed.start:
                governing.append(Governing(code._.value, numbered.path, numbered.start, numbered.end))
            else:
                governing.append(Governing(code._.value, "", printed.start, printed.end))

    def code_at(pos: int, above: str | None = None) -> str | None:
        """The innermost governing code at `pos`; with `above`, only parts strictly enclosing that path."""
        inside = [
            g
            for g in governing
            if g.start <= pos < g.end and (above is None or (len(g.part_path) < len(above) and above.startswith(g.part_path)))
        ]
        return max(inside, key=lambda g: (len(g.part_path), -g.start)).code if inside else None

    hs_codes: list[HsCode] = []
    items: dict[tuple[int, int], Span] = {}
    for hs in doc.spans["hs_codes"]:
        open_paren = max(text.rfind("(", 0, hs.start_char), text.rfind("（", 0, hs.start_char))
        hs_item = item_before(text, open_paren) if open_paren >= 0 else None
        if hs_item is not None:
            items[(hs_item.start, hs_item.end)] = hs_item
        hs_codes.append(
            HsCode(
                hs_code=hs._.value,
                digits=len(hs._.value),
                span=fact_span(hs),
                control_code=code_at(hs.start_char),
                item=hs_item.text if hs_item else None,
                part=structure.path_at(hs.start_char),
            )
        )

    flags: list[str] = []
    controls: list[Control] = []
    for code in doc.spans["control_codes"]:
        value: str = code._.value
        is_head = code.start_char in heads
        code_flags: list[str] = []
        if is_head:
            parent = code_at(code.start_char, above=heads[code.start_char])
            if parent and not value.startswith(parent) and value[:2] == parent[:2]:
                code_flags.append(f"code-outside-parent-group: {value} under {parent}")
                flags.append(f"{value} printed under {parent}")
        printed_after = after.get(code.start_char) if not is_head else None
        head_item = _item_after(text, code.end_char) if is_head else printed_after.item if printed_after else None
        if head_item is not None:
            items[(head_item.start, head_item.end)] = head_item
        governs = is_head or printed_after is not None
        linked = tuple(dict.fromkeys(h.hs_code for h in hs_codes if h.control_code == value)) if governs else ()
        controls.append(
            Control(
                control_code=value,
                span=fact_span(code),
                item=head_item.text if head_item else None,
                part=structure.path_at(code.start_char),
                hs_codes=linked,
                flags=tuple(code_flags),
                role="control" if governs else "mention",
            )
        )

    thresholds = [
        Threshold(
            parameter=t._.value["parameter"],
            operator=t._.value["operator"],
            value=t._.value["value"],
            unit=t._.value["unit"],
            span=fact_span(t),
            control_code=code_at(t.start_char),
            part=structure.path_at(t.start_char),
        )
        for t in doc.spans["thresholds"]
    ]
    if governing or hs_codes:  # a list notice: its group headings (一、钨相关物项) name items too
        for part in structure.parts:
            if part.level == 1 and (heading := _heading_item(text, part.start)) is not None:
                items.setdefault((heading.start, heading.end), heading)
    for part in structure.parts:  # every enumerated entry under a control code names an item…
        label = _LABEL_AT.match(text, part.start)
        if part.level < 2 or label is None or code_at(part.start) is None:
            continue
        entry = _item_after(text, label.end())
        if entry is None or entry.text.startswith(_NOT_ITEM_STARTS) or (
            _characteristic().match(entry.text) and not _HS_AFTER.match(text, entry.end)
        ):
            continue  # …but 【保留】 placeholders and pure characteristics (密度大于17.5g/cm³) name none
        if not any(a <= entry.start < b for a, b in items):
            items[(entry.start, entry.end)] = entry
    return Linked(controls, hs_codes, thresholds, flags, sorted(items.values(), key=lambda s: s.start))


def _heading_item(text: str, start: int) -> Span | None:
    label = _LABEL_AT.match(text, start)
    if label is None:
        return None
    line_end = text.find("\n", label.end())
    line = text[label.end() : line_end if line_end >= 0 else len(text)]
    if _CODE_PREFIX.match(line.strip()) or not _HEADING_ITEM.search(line.strip()):
        return None
    return _region_item(text, label.end(), label.end() + len(line), line.strip())
