"""The numbered parts of a text (一、 / （一） / 1． / a．), and lookups by position.

Parts come from `Document.parts` when the parser filled them; otherwise they are read here from
the line starts, so linking works on any Document. A part runs until the next part at its level
or above, or until an unnumbered paragraph closes the numbered block.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ingest.document import Document, Part

_LABELS = (
    (1, re.compile(r"[ \t\u3000]*([一二三四五六七八九十]{1,3})[、．.]")),
    (2, re.compile(r"[ \t\u3000]*([（(][一二三四五六七八九十]{1,3}[）)])")),  # （一） or (一)
    (3, re.compile(r"[ \t\u3000]*(\d{1,2})\s*(?:．|、|\.(?!\d))")),  # 1. but never 2.5
    (4, re.compile(r"[ \t\u3000]*([a-z])\s*[．.、]")),
)

_FULL_WIDTH = str.maketrans("()", "（）")


def detect_parts(text: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    open_parts: list[tuple[int, str, int, str]] = []  # level, label, start, path

    def close(until_level: int, end: int) -> None:
        while open_parts and open_parts[-1][0] >= until_level:
            level, label, start, path = open_parts.pop()
            parts.append(Part(label=label, path=path, level=level, start=start, end=end))

    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        for level, regex in _LABELS:
            m = regex.match(line)
            if m:
                close(level, pos)
                parent = open_parts[-1][3] if open_parts else ""
                label = m.group(1).translate(_FULL_WIDTH)  # (一) is the same label as （一）
                open_parts.append((level, label, pos + m.start(1), parent + label))
                break
        else:
            if stripped:
                close(0, pos)  # an unnumbered paragraph ends the numbered block
        pos += len(line)
    close(0, len(text.rstrip()))
    return tuple(sorted(parts, key=lambda p: (p.start, p.level)))


@dataclass(frozen=True)
class Structure:
    parts: tuple[Part, ...]

    @classmethod
    def of(cls, document: Document) -> Structure:
        return cls(document.parts or detect_parts(document.text))

    def containing(self, pos: int) -> list[Part]:
        """The parts that contain `pos`, outermost first."""
        starts = [p.start for p in self.parts]
        upto = bisect.bisect_right(starts, pos)
        return sorted((p for p in self.parts[:upto] if p.start <= pos < p.end), key=lambda p: p.level)

    def innermost(self, pos: int) -> Part | None:
        found = self.containing(pos)
        return found[-1] if found else None

    def path_at(self, pos: int) -> str | None:
        part = self.innermost(pos)
        return part.path if part else None
