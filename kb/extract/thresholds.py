"""Thresholds as (parameter, operator, value, unit): 钨含量大于等于97%, 纯度≥99.99%,
大于等于 300 Wh/kg, 价值比例达到0.1%及以上, 14纳米及以下, 弹性极限超过800MPa."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ingest.parse.part_labels import strip_label
from kb.extract.patterns import compiled, patterns

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_EXPONENT = re.compile(r"^(\d+(?:\.\d+)?)\s*[×x]\s*10([⁻-]?[⁰¹²³⁴⁵⁶⁷⁸⁹0-9]+)$")
_COMPOUND = re.compile(r"\s*[×xX*]\s*\d")
_PLAIN = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*([^\d\s（）()]{1,6})\s*[）)]")
_PARENTHETICAL = re.compile(r"[（(][^（）()]{0,10}[）)]\s*$")


@dataclass(frozen=True)
class ThresholdMatch:
    parameter: str | None
    operator: str
    value: float
    unit: str | None
    start: int
    end: int


@cache
def _regex() -> re.Pattern[str]:
    section = patterns()["threshold"]
    prefix = "|".join(re.escape(op) for op in sorted(section["prefix_operators"], key=len, reverse=True))
    suffix = "|".join(re.escape(op) for op in sorted(section["suffix_operators"], key=len, reverse=True))
    units = "|".join(re.escape(u) for u in sorted(section["units"], key=len, reverse=True))
    number = section["number"]
    return re.compile(
        rf"(?P<prefix>{prefix})?\s*{number.replace('(', '(?P<value>', 1)}\s*(?P<unit>{units})?\s*(?P<suffix>{suffix})?"
    )


def _value(printed: str) -> float:
    m = _EXPONENT.match(printed.replace(" ", ""))
    if m:
        return float(f"{float(m.group(1)) * 10 ** int(m.group(2).translate(_SUPERSCRIPT)):.12g}")
    return float(printed)


def _parameter(text: str, op_start: int) -> str | None:
    stop = patterns()["threshold"]["parameter_stop"]
    left = text[max(0, op_start - 24) : op_start]
    left = _PARENTHETICAL.sub("", left)  # 钼含量（按重量）大于等于97%
    i = len(left)
    while i > 0 and left[i - 1] not in stop and not left[i - 1].isdigit():
        i -= 1
    name = strip_label(left[i:], ("l3", "l4a")).strip()  # a. / 1. item labels (the part grammar's)
    return name[-12:] if name else None


def _following_noun(text: str, end: int) -> str | None:
    """14纳米及以下逻辑芯片: a bare “N unit 及以下” qualifies the noun after it."""
    stop = patterns()["threshold"]["parameter_stop"]
    right = text[end : end + 8]
    i = 0
    while i < len(right) and right[i] not in stop and not right[i].isdigit():
        i += 1
    return right[:i] or None


def find_thresholds(text: str) -> list[ThresholdMatch]:
    section = patterns()["threshold"]
    found: list[ThresholdMatch] = []
    for m in _regex().finditer(text):
        prefix, suffix, unit = m.group("prefix"), m.group("suffix"), m.group("unit")
        if not (prefix or suffix) or not unit:
            continue  # 不超过20个工作日, 3家以上: counts and time limits in prose are not thresholds
        if _COMPOUND.match(text, m.end()):
            continue  # 尺寸大于等于120mm×120mm×50mm has no single value
        value = _value(m.group("value"))
        plain = _PLAIN.match(text, m.end())
        if plain and plain.group(2) in section["units"]:
            value, unit = float(plain.group(1)), plain.group(2)  # 50×10⁻⁶m（50μm） → 50 μm as printed beside it
        operator = section["suffix_operators"][suffix] if suffix else section["prefix_operators"][prefix]
        if operator in (">", "<") and compiled("threshold", "inclusive").match(text, m.end()):
            operator += "="
        before = m.start("prefix") if prefix else m.start("value")
        if prefix:
            parameter = _parameter(text, before)
        elif (noun := _following_noun(text, m.end())) is not None:
            parameter = noun + section["unit_parameters"].get(unit, "")
        else:
            parameter = _parameter(text, before)
        parameter = section["parameter_names"].get(parameter, parameter)
        found.append(ThresholdMatch(parameter, operator, value, unit, m.start(), m.end()))
    return found + _ranges(text, found)


def _ranges(text: str, taken: list[ThresholdMatch]) -> list[ThresholdMatch]:
    units = sorted(patterns()["threshold"]["units"], key=len, reverse=True)
    out: list[ThresholdMatch] = []
    for m in compiled("threshold", "range").finditer(text):
        unit = next((u for u in units if text.startswith(u, m.end())), None)
        if unit is None or any(t.start < m.end() and m.start() < t.end for t in taken):
            continue
        end = m.end() + len(unit)
        parameter = _parameter(text, m.start())
        out.append(ThresholdMatch(parameter, ">=", float(m.group(1)), unit, m.start(), end))
        out.append(ThresholdMatch(parameter, "<=", float(m.group(2)), unit, m.start(), end))
    return out
