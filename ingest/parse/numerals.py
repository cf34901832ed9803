"""Chinese and full-width numerals → int: 二〇二五 → 2025, 五十八 → 58, ２０２５ → 2025.

Years are written digit by digit (二〇二五), counts positionally (五十八, 一百零二);
both appear in MOFCOM numbers and dates, so both are read here.
"""

from __future__ import annotations

DIGITS = {
    "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "О": 0,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
UNITS = {"十": 10, "百": 100, "千": 1000}
FULLWIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}

# Character classes for regexes elsewhere in ingest/parse.
CN_DIGIT_CLASS = "〇零○Ｏ一二两三四五六七八九"
CN_NUMERAL_CLASS = CN_DIGIT_CLASS + "十百千"
ARABIC_CLASS = "0-9０-９"


def to_int(printed: str) -> int:
    """Read Arabic, full-width, digit-by-digit Chinese (二〇二五) or positional Chinese (五十八)."""
    text = "".join(FULLWIDTH_DIGITS.get(ch, ch) for ch in printed.strip())
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    if any(ch in UNITS for ch in text):
        return _positional(text)
    if all(ch in DIGITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    raise ValueError(f"not a numeral: {printed!r}")


def _positional(text: str) -> int:
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if digit is None else digit) * UNITS[ch]  # 十二 = 12: a bare unit counts once
            digit = None
        else:
            raise ValueError(f"not a numeral: {text!r}")
    return total + (digit or 0)
