"""Catastrophic backtracking: every regex of the project's pattern files, and every regex compiled at
module level in ingest/ and kb/, is timed on adversarial inputs (runs of issuers, digits, brackets, 号,
spaces…) with a tight bound. An exponential or cubic pattern takes seconds to hours on these inputs; a
linear one takes milliseconds."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PATTERN_FILES = [
    "ingest/parse/numbers.yml",
    "ingest/parse/structure.yml",
    "ingest/parse/doc_types.yml",
    "ingest/parse/article_layouts.yml",
    "ingest/sources/article_urls.yml",
    "ingest/catalogue/layout.json",
    "ingest/catalogue/technology_layout.json",
    "ingest/catalogue/technology.yml",
    "ingest/catalogue/editions.yml",
    "kb/extract/patterns.yaml",
    "kb/eval/baseline_patterns.json",
]
BOUND_SECONDS = 0.5  # per pattern and input (~8,000 characters); linear patterns take a few ms
REPEATS = 2000

ISSUERS = ["商务部", "海关总署", "中华人民共和国商务部", "国家发展和改革委员会", "国家密码管理局"]
UNITS = (
    [i + sep for i in ISSUERS for sep in ("", " ", "  ", "、", " 、 ", "\u3000", "和")]
    + ["1", "0", " ", "\u3000", "\n", "号", "第1号、", "第", "年", "2025年", "2025年 ", "〔2025〕", "〔", "（", "(",
       "《", "》", "《法", "“一", "第一条", "1.", "a.", "a", "A", "1C", "1C902.", ".a", "@", "a@", "a.", "-",
       "http://a", "1×10", "1 ", "1~", "公告", "公 告 ", "令", "附件", "附件1", "/a/", "自", "至", "通过", "实体",
       "1家", "不属于", "；", "，但", "。", "?", "&fileName=", "HS", "参考海关商品编号", "2805301910、"]
)


def adversarial_inputs() -> Iterator[tuple[str, str]]:
    for unit in UNITS:
        body = unit * max(1, 8000 // (len(unit) * 4)) if len(unit) > 3 else unit * REPEATS
        for tail in ("", "x", "公告", "号"):
            yield f"{unit!r}*{len(body) // len(unit)}+{tail!r}", body + tail


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def file_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every string of the pattern files that compiles as a regex (word lists included: cheap)."""
    for name in PATTERN_FILES:
        text = (REPO / name).read_text(encoding="utf-8")
        data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        for s in dict.fromkeys(_strings(data)):
            try:
                yield f"{name}: {s[:60]}", re.compile(s, re.MULTILINE)
            except re.error:
                continue


def module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Every re.Pattern held at module level in ingest/ and kb/, and the document-number rules (built
    from numbers.yml with its templates expanded)."""
    from ingest.parse import numbers

    rules = numbers._rules()
    for p in rules.patterns:
        yield f"numbers.yml {p.kind}", p.regex
    yield "numbers continuation", rules.continuation
    yield "numbers issuer", rules.issuer_regex
    for package in ("ingest", "kb"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.endswith(("__main__", ".train")):
                continue
            module = importlib.import_module(info.name)
            for attr, value in vars(module).items():
                if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                    yield f"{info.name}.{attr}", value


def all_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return list(file_patterns()) + list(module_patterns())


def slowest(pattern: re.Pattern[str]) -> tuple[float, str]:
    worst = (0.0, "")
    for label, text in adversarial_inputs():
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        elapsed = time.perf_counter() - started
        worst = max(worst, (elapsed, label))
        if elapsed > BOUND_SECONDS:
            break
    return worst


def test_every_pattern_is_found():
    names = [name for name, _ in all_patterns()]
    assert len(names) > 80
    assert any(n.startswith("numbers.yml announcement") for n in names)
    assert any(n.startswith("kb/extract/patterns.yaml: (?<![0-9A-Za-z])([0-9][A-E]") for n in names)


@pytest.mark.parametrize("name,pattern", all_patterns(), ids=lambda v: v if isinstance(v, str) else "")
def test_pattern_is_fast_on_adversarial_input(name: str, pattern: re.Pattern[str]):
    elapsed, label = slowest(pattern)
    assert elapsed <= BOUND_SECONDS, f"{name}: {elapsed:.2f}s on {label}"


def test_a_run_of_issuers_is_linear():
    """12 issuers separated by spaces took ~90 s per title before the issuer group was rewritten."""
    from ingest.parse.numbers import find_numbers

    find_numbers("")  # compile outside the clock
    for sep in ("  ", "   ", " 、 "):
        title = ("商务部" + sep) * 12 + "公告"
        started = time.perf_counter()
        assert find_numbers(title) == []
        assert time.perf_counter() - started < 0.05, sep
    long = ("商务部  海关总署、") * 5000 + "商务部公告2025年第1号"
    started = time.perf_counter()
    (found,) = find_numbers(long)
    assert time.perf_counter() - started < 1.0
    assert found.canonical == "商务部公告2025年第1号" and found.start == 0
