"""Text normalisation that never loses the original.

`normalise(original)` returns a `NormalisedText`: the clean text that Document.text and every
offset refer to, the original, and for each clean character the index of the original character
it came from, so any span can be shown as printed.

What changes, and why it is safe:
- Kangxi radicals and CJK compatibility ideographs → the unified ideograph (⽤ → 用: PDFs made
  with WPS print radicals that look the same but match nothing);
- full-width ASCII letters, digits and a few symbols → half-width (３Ｃ００１ → 3C001); CJK
  punctuation （），：；。．、 is kept, since part labels and citations are printed with it;
- ideographic and no-break spaces → space, zero-width characters dropped, CR/LF → LF;
- each line stripped, blank lines dropped (paragraphs are one per line);
- stray spaces inside Chinese dropped when a side is a single spaced-out character
  (不 可 靠 实 体, 公 告, 地 址：); spaces between words (商务部 海关总署) are kept;
- optionally, line-wrap joins for text from PDFs and Office files (`join_wraps=True`).
Traditional → simplified is a separate search copy (`simplified`), never the offsets' text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from opencc import OpenCC

from ingest.parse.part_labels import label_pattern, markers

_SPACE = {"\u3000", "\u00a0", "\t", "\u2002", "\u2003", "\u2009", "\u202f", "\u205f", "\f", "\v"}
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
# Full-width symbols that mean the same as their ASCII forms in these texts.
_SAFE_SYMBOLS = "％＋－＝＜＞＠＃＆＊／＿｜～"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_STRAY_SPACE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_SENTENCE_END = "。！？；：…”’）》」』】"
# A line opening a part (any form of the part grammar) or an annex is never joined to the line above.
_PART_START = re.compile(rf"^(?:{label_pattern(tuple(m.kind for m in markers()))}|附件)")


def _translation() -> dict[int, str]:
    """One-to-one replacements: full-width ASCII letters, digits and safe symbols; odd spaces; CR."""
    table = {
        code: chr(code - 0xFEE0)
        for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
    }
    table.update({ord(ch): chr(ord(ch) - 0xFEE0) for ch in _SAFE_SYMBOLS})
    for code in (*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00)):  # radicals, compatibility ideographs
        unified = unicodedata.normalize("NFKC", chr(code))
        if len(unified) == 1 and unified != chr(code):
            table[code] = unified
    table.update({ord(ch): " " for ch in _SPACE})
    table[ord("\r")] = "\n"
    return table


_TRANSLATION = _translation()
# Characters to drop: zero-width ones, and the LF of a CR LF pair (the CR already became a LF).
_DROPPED = re.compile("[" + "".join(_DROP) + "]|(?<=\r)\n")
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATION)) + "]")
# What _tidy_lines changes: whitespace at a line's start or end, a blank line, a text opening or ending with LF.
_UNTIDY = re.compile(r"(?:^|\n)[^\S\n]|[^\S\n](?:\n|$)|\n\n|^\n|\n$")
_TOKEN_END = re.compile("[ \n]")


@dataclass(frozen=True)
class NormalisedText:
    text: str
    original: str
    origin: tuple[int, ...]  # origin[i]: index in `original` of text[i]; one extra entry for len(text)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `original` that text[start:end] came from."""
        if start >= end:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1

    def original_of(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


class _Builder:
    """The text so far plus, for each character, its index in the original text. Each step keeps
    ranges of it (slices, not one list item per character: the parser's hottest loop)."""

    def __init__(self, text: str, origin: list[int]) -> None:
        self.text = text
        self.origin = origin

    def keep(self, ranges: list[tuple[int, int]]) -> _Builder:
        """Only these [start, end) ranges of the text, in order."""
        if len(ranges) == 1 and ranges[0] == (0, len(self.text)):
            return self
        text, origin = self.text, self.origin
        kept: list[int] = []
        for a, b in ranges:
            kept.extend(origin[a:b])
        return _Builder("".join(text[a:b] for a, b in ranges), kept)

    def drop(self, dropped: list[tuple[int, int]]) -> _Builder:
        """Everything but these [start, end) ranges (in order, not overlapping)."""
        if not dropped:
            return self
        ranges, pos = [], 0
        for a, b in dropped:
            if a > pos:
                ranges.append((pos, a))
            pos = max(pos, b)
        if pos < len(self.text):
            ranges.append((pos, len(self.text)))
        return self.keep(ranges)


def _map_characters(b: _Builder) -> _Builder:
    text = b.text
    # str.translate looks every character up in the table: a regex scan first is far cheaper on the
    # many texts with nothing to map.
    mapped = _Builder(text.translate(_TRANSLATION) if _TRANSLATED.search(text) else text, b.origin)
    return mapped.drop([m.span() for m in _DROPPED.finditer(text)])


def _tidy_lines(b: _Builder) -> _Builder:
    """Strip every line, drop blank ones, one LF between lines."""
    text = b.text
    if not _UNTIDY.search(text):
        return b
    keep: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        stripped = line.group(0).strip()
        if not stripped:
            continue
        lead = len(line.group(0)) - len(line.group(0).lstrip())
        start = line.start() + lead
        if keep:
            keep.append((line.start() - 1, line.start()))  # the LF before this line
        keep.append((start, start + len(stripped)))
    merged: list[tuple[int, int]] = []
    for a, z in keep:  # adjacent ranges as one (a text already tidy is then one range: kept as is)
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], z)
        else:
            merged.append((a, z))
    return b.keep(merged)


def _drop_stray_spaces(b: _Builder) -> _Builder:
    text = b.text
    dropped: list[tuple[int, int]] = []
    for m in _STRAY_SPACE.finditer(text):
        left = text.rfind(" ", 0, m.start()) + 1
        left = max(left, text.rfind("\n", 0, m.start()) + 1)
        token_end = _TOKEN_END.search(text, m.end())
        right_end = token_end.start() if token_end else len(text)
        left_token, right_token = text[left : m.start()], text[m.end() : right_end]
        # Spaced-out characters (公 告, 地 址：) versus two words (商务部 海关总署).
        if len(left_token) == 1 or len(right_token) == 1 or _core_len(right_token) == 1:
            dropped.append(m.span())
    return b.drop(dropped)


def _core_len(token: str) -> int:
    """Length without trailing punctuation: 址： counts as one character."""
    return len(token.rstrip("：:，,。；;、"))


def _join_wraps(b: _Builder, width: int) -> _Builder:
    """Join a line to the next when it was wrapped: long, not ending a sentence, and the next
    line does not open a numbered part or an annex."""
    text = b.text
    lines = text.split("\n")
    replaced: list[int] = []
    dropped: list[tuple[int, int]] = []
    pos = 0
    for line, following in zip(lines, lines[1:], strict=False):
        newline = pos + len(line)
        if len(line) >= width and line[-1] not in _SENTENCE_END and not _PART_START.match(following):
            joins_words = (
                line[-1].isascii()
                and line[-1].isalnum()
                and following[:1].isascii()
                and following[:1].isalnum()
            )
            if joins_words:
                replaced.append(newline)  # English words wrapped across lines keep a space
            else:
                dropped.append((newline, newline + 1))
        pos = newline + 1
    if replaced:  # one character for one: the origin is unchanged
        pieces, last = [], 0
        for at in replaced:
            pieces += [text[last:at], " "]
            last = at + 1
        b = _Builder("".join(pieces) + text[last:], b.origin)
    return b.drop(dropped)


def normalise(original: str, *, join_wraps: bool = False, wrap_width: int = 20) -> NormalisedText:
    b = _Builder(original, list(range(len(original))))
    b = _tidy_lines(_map_characters(b))
    b = _drop_stray_spaces(b)
    if join_wraps:
        b = _join_wraps(b, wrap_width)
    return NormalisedText(b.text, original, (*b.origin, len(original)))


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


@cache
def _s2t() -> OpenCC:
    return OpenCC("s2t")


@cache
def traditional_of(ch: str) -> str:
    """The traditional form of one simplified character (务 → 務), or the character itself."""
    converted = str(_s2t().convert(ch))
    return converted if len(converted) == 1 else ch


def simplified(text: str) -> str:
    """A simplified-Chinese copy for search (兩用物項 → 两用物项). Offsets do not refer to it."""
    return str(_converter().convert(text))
