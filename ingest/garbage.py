"""Garbage is not data: responses that arrive with HTTP 200 but carry no content.

MOFCOM's sites answer many bad requests with 200: every Chinese character replaced
by `?` (the portal API without its XMLHttpRequest header), a JavaScript-only frame,
a bot challenge, or a "page not found" page. Each detector is a pure function of the
decoded text; `detect` runs them all and returns the first reason, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_QUESTION_RUN = re.compile(r"\?{2,}")
_NOT_FOUND = ("抱歉，您访问的页面不存在", "您访问的页面不存在", "页面不存在", "404 Not Found", "找不到页面")
_CHALLENGE = ("安全验证", "滑动验证", "人机验证", "访问验证", "请开启JavaScript", "请启用JavaScript",
              "Checking your browser", "acw_sc__v2", "cf-challenge", "_waf_", "WZWS", "$_ts")
_MIN_VISIBLE_TEXT = 40  # a real article or list page prints far more than this outside scripts


def question_garbled(text: str) -> str | None:
    """Chinese text whose characters arrived as `?`: runs of `??` outnumbering real CJK."""
    marks = sum(len(m) for m in _QUESTION_RUN.findall(text))
    if marks >= 8 and marks > len(_CJK.findall(text)):
        return f"garbled: {marks} '?' characters where Chinese text is expected"
    return None


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lower()
    return "<html" in head or "<script" in head or "<!doctype" in head or "<body" in head


def javascript_frame(text: str) -> str | None:
    """A page whose content is only built by scripts: almost no visible text."""
    if not _looks_like_html(text) or "<script" not in text.lower():
        return None
    visible = visible_text(text)
    if len(visible) < _MIN_VISIBLE_TEXT:
        return f"JavaScript-only frame ({len(visible)} characters of visible text)"
    return None


def challenge_page(text: str) -> str | None:
    if not _looks_like_html(text):
        return None
    for marker in _CHALLENGE:
        if marker in text[:20000]:
            return f"bot challenge page ({marker})"
    return None


def not_found_page(text: str) -> str | None:
    """A 404 page served with HTTP 200."""
    if not _looks_like_html(text):
        return None
    soup = BeautifulSoup(text[:20000], "lxml")
    title = soup.title.get_text(strip=True) if soup.title else ""
    visible = visible_text(text[:20000])
    for marker in _NOT_FOUND:
        if marker in title or (marker in visible and len(visible) < 400):
            return f"'not found' page served with HTTP 200 ({marker})"
    return None


DETECTORS: tuple[Callable[[str], str | None], ...] = (
    question_garbled,
    challenge_page,
    not_found_page,
    javascript_frame,
)


# What a site serves for a while and then stops (a bot check, a page whose scripts had not yet been
# replaced by the static copy): worth asking again later in the same run. A `?`-garbled body or a
# 404-as-200 answers the request itself and comes back the same.
TRANSIENT: frozenset[Callable[[str], str | None]] = frozenset({challenge_page, javascript_frame})


def diagnose(text: str) -> tuple[str, bool] | None:
    """(the first reason `text` is garbage, whether it is transient), or None when it may be data."""
    for detector in DETECTORS:
        if reason := detector(text):
            return reason, detector in TRANSIENT
    return None


def detect(text: str) -> str | None:
    """The first reason `text` is garbage, or None when it may be data."""
    found = diagnose(text)
    return found[0] if found else None


def below_floor(list_id: str, found: int, floor: int) -> str | None:
    """A list that yields fewer items than expected means the site changed or refused us."""
    if found < floor:
        return f"list {list_id} yielded {found} items, below its floor of {floor}"
    return None
