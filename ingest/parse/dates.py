"""Calendar dates as MOFCOM prints them, each with its span in the searched text.

Forms: 2025年11月07日, 2025年 11 月 7 日, ２０２５年…, 2025-11-07 / 2025/11/07 / 2025.11.07,
二〇二五年十二月一日 (also with ○ or 零), 二〇二五年10月9日, and 20251009 right after a 【发文日期】 label (xkzj's
header; a bare 8-digit run elsewhere is an HS number, never a date).

Phrases around dates (自…起, 至…, 即日起, 公布之日起) belong to extraction (kb/); this module
gives it the primitive `find_dates`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.parse.numerals import ARABIC_CLASS, CN_DIGIT_CLASS, to_int

# Labels whose value is the signing date of the document.
SIGNED_DATE_LABELS = ("发文日期", "成文日期")
_AR = f"[{ARABIC_CLASS}]"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
_FORMS = (
    # 2025年11月07日; spaces allowed between parts (2023年 12 月 29 日)
    rf"(?<!{_AR})(?P<y1>{_AR}{{4}})\s*年\s*(?P<m1>{_AR}{{1,2}})\s*月\s*(?P<d1>{_AR}{{1,2}})\s*日",
    # 二〇二五年十二月一日
    rf"(?P<y2>[{CN_DIGIT_CLASS}]{{4}})\s*年\s*(?P<m2>{_CN_SMALL})\s*月\s*(?P<d2>{_CN_SMALL})\s*日",
    # 2025-11-07, 2025/11/07, 2025.11.07 (one separator used throughout)
    rf"(?<![{ARABIC_CLASS}.\-/])(?P<y3>{_AR}{{4}})(?P<sep>[-/.])(?P<m3>{_AR}{{1,2}})(?P=sep)(?P<d3>{_AR}{{1,2}})(?![{ARABIC_CLASS}])",
    # 二〇二五年10月9日: a year in Chinese numerals, month and day in digits (orders print their years so)
    rf"(?P<y5>[{CN_DIGIT_CLASS}]{{4}})\s*年\s*(?P<m5>{_AR}{{1,2}})\s*月\s*(?P<d5>{_AR}{{1,2}})\s*日",
    # 【发文日期】20251009
    rf"(?:{'|'.join(SIGNED_DATE_LABELS)})\s*[】:：]?\s*(?P<y4>{_AR}{{4}})(?P<m4>{_AR}{{2}})(?P<d4>{_AR}{{2}})(?![{ARABIC_CLASS}])",
)
_DATE = re.compile("|".join(f"(?:{form})" for form in _FORMS))
_HEADER = re.compile(rf"【\s*(?:{'|'.join(SIGNED_DATE_LABELS)})\s*】[^\n【]*")


@dataclass(frozen=True)
class DateMatch:
    date: dt.date
    start: int  # offsets into the searched text; the label of a compact header date is excluded
    end: int
    printed: str


def _read(match: re.Match[str]) -> tuple[dt.date, int] | None:
    for form in "12345":
        year = match.group(f"y{form}")
        if year is None:
            continue
        try:
            value = dt.date(to_int(year), to_int(match.group(f"m{form}")), to_int(match.group(f"d{form}")))
        except ValueError:  # 2025年2月30日, 2025年13月1日: not a date
            return None
        return value, match.start(f"y{form}") if form == "4" else match.start()
    return None


def find_dates(text: str) -> list[DateMatch]:
    """Every full calendar date in `text`, in order (a year-month without a day is not a date)."""
    found: list[DateMatch] = []
    for match in _DATE.finditer(text):
        read = _read(match)
        if read is None or not 1900 <= read[0].year <= 2100:
            continue
        value, start = read
        found.append(DateMatch(value, start, match.end(), text[start : match.end()]))
    return found


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(value: object) -> dt.date | None:
    """`value` as a date when it is a YYYY-MM-DD string, else None. (date.fromisoformat alone also takes
    20250101 and ISO week dates such as 2025-W01-1, which no field or parameter here means.)"""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2025-02-30
        return None


def parse_date(printed: str) -> dt.date | None:
    """The date in `printed` when it holds exactly one, e.g. a header value."""
    found = find_dates(printed)
    return found[0].date if len(found) == 1 else None


def header_date(text: str) -> DateMatch | None:
    """The 【发文日期】 header value (with or without separators), offsets into `text`."""
    header = _HEADER.search(text)
    if not header:
        return None
    found = find_dates(header.group(0))
    if not found:
        return None
    first = found[0]
    shift = header.start()
    return DateMatch(first.date, first.start + shift, first.end + shift, first.printed)
