"""Cell text: joining a cell's wrapped lines back into one value, and reading HS numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence

_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def join_wrapped(lines: Sequence[str]) -> str:
    """A wrapped cell's lines as one text.

    Chinese wraps anywhere and needs no separator. Latin text wraps at a space, which the
    typesetter drops: a line break between two Latin letters or digits stands for that space."""
    text = ""
    for line in lines:
        if text and _ASCII_WORD.fullmatch(text[-1]) and line and _ASCII_WORD.fullmatch(line[0]):
            text += " "
        text += line
    return text


def join_code(lines: Sequence[str]) -> str:
    """A code wrapped at its dots (1C111.a / .1) as printed, without any separator."""
    return "".join(lines)


def hs_numbers(lines: Sequence[str], pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The HS numbers in a cell (one or several per line), digits only, in printed order."""
    return tuple(m.group().replace(".", "") for line in lines for m in pattern.finditer(line))
