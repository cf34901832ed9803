"""The numbered parts of a text (一、 / （一） / 1． / a．), and lookups by position.

Parts come from `Document.parts` when the parser filled them; otherwise they are read here from
the line starts with the parser's own label grammar (ingest/parse/part_labels.py), so linking works
on any Document. A part runs until the next part at its level
or above, or until an unnumbered paragraph closes the numbered block.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ingest.document import Document, Part
from ingest.parse.part_labels import ENUMERATORS, markers

_INDENT = " \t\u3000"
# The enumerators, each at its rank as level (一、 1, （一） 2, 1． 3, a． 4).
_FORMS = tuple(m for m in markers() if m.kind in ENUMERATORS)



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
        indent = len(line) - len(line.lstrip(_INDENT))
        for form in _FORMS:
            m = form.at.match(line, indent)
            if m:
                level, label = form.rank, form.path_label(m.group("n"))
                close(level, pos)
                parent = open_parts[-1][3] if open_parts else ""
                open_parts.append((level, label, pos + indent, parent + label))
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
