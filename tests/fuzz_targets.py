"""Fuzz targets, one per parser of untrusted input, shared by tests/test_fuzz_parsers.py (a few hundred
inputs each, in the suite) and bench/fuzz.py (N inputs each, counts in bench/results/fuzz.json).

Each target is a hypothesis strategy of inputs and a function that feeds one input to the parser the
way ingest does. An input may be refused only with the parser's typed error (ParseError and its
subclasses, LimitError among them, and the import's ImportRefused listing every bad line: a reason
naming the input); anything else is an untyped exception, a bug. Every input must also finish within the target's per-input budget (seconds).

Inputs start from well-formed seeds in MOFCOM's shapes (the replay site's pages, team-written Office
files and PDFs) and are mutated (tag soup spliced in, slices cut or repeated, bytes flipped, deep
nesting, truncation, re-encoding), or are built from the vocabulary the parser matches on.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ingest.archive import Archive, Record
from ingest.archive_verify import verify
from ingest.attachments import parse_attachment
from ingest.parse.dates import find_dates, header_date, parse_date
from ingest.parse.errors import ParseError
from ingest.parse.numbers import canonical_number, find_numbers, header_number, issuer_names, leading_number
from ingest.snapshot_import import ImportRefused, import_snapshot
from ingest.sources import snapshot, source_module

TYPED: tuple[type[BaseException], ...] = (ParseError,)
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings on damaged PDFs, as the CLI does


@dataclass(frozen=True)
class Target:
    name: str
    what: str  # the entry point fed
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], object]
    budget: float  # seconds per input
    examples: int  # inputs per run of the test suite (the bench takes --n)
    typed: tuple[type[BaseException], ...] = TYPED


@dataclass(frozen=True)
class Outcome:
    kind: str  # ok | typed | untyped
    seconds: float
    detail: str = ""


def attempt(target: Target, value: Any) -> Outcome:
    started = time.perf_counter()
    try:
        target.run(value)
    except target.typed as exc:
        return Outcome("typed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:200])
    except Exception as exc:  # what the fuzz is looking for: reported, never swallowed by callers
        return Outcome("untyped", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"[:300])
    return Outcome("ok", time.perf_counter() - started)


# -- mutations of byte strings ---------------------------------------------------------------------

TAGS = ("div", "p", "span", "table", "tr", "td", "th", "script", "style", "meta", "title", "a", "br", "head",
        "body", "html", "ul", "li", "h1", "center", "template", "noscript", "iframe")
CJK = "商务部公告年第号令海关总署出口管制物项一二三四五六七八九十〇（）【】发布单位文号日期、，。；：“”"
TEXTS = st.text(alphabet=st.sampled_from(CJK + "0123456789 \n\t<>&;\"'=/?abc#%"), max_size=40)
ATTRS = st.sampled_from(['', ' class="art-con"', ' ergodic="article"', ' class="bd"', ' name="ArticleTitle"',
                         ' content="商务部公告2025年第1号"', ' href="/x.pdf"', ' href="javascript:alert(1)"',
                         ' class="u-disclaimer-box"', ' class="art-con-gonggao"', ' charset="gbk"',
                         ' class="art-title"', ' name="PubDate" content="2020-13-45"', ' src="/js/app.js"'])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda tag, attrs, inner, closed: f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else ""),
                     st.sampled_from(TAGS), ATTRS, children, st.booleans())


TAG_SOUP = st.recursive(TEXTS, lambda inner: _element(st.lists(inner, max_size=4).map("".join)), max_leaves=12)


def _splice(data: bytes, at: float, piece: bytes, cut: int) -> bytes:
    i = int(at * len(data))
    return data[:i] + piece + data[i + cut:]


MUTATION = st.one_of(
    st.tuples(st.just("splice"), st.floats(0, 1), TAG_SOUP.map(lambda s: s.encode("utf-8")), st.integers(0, 64)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(max_size=16), st.integers(0, 16)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(b""), st.integers(1, 4000)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 400), st.integers(2, 30)),
    st.tuples(st.just("nest"), st.floats(0, 1), st.sampled_from(TAGS[:6]), st.integers(1, 2600)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b""), st.just(0)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple[Any, ...]]) -> bytes:
    for kind, at, arg, n in mutations:
        i = int(at * len(data))
        if kind in ("splice", "bytes", "cut"):
            data = _splice(data, at, arg, n)
        elif kind == "repeat":
            data = data[:i] + data[i:i + arg] * n + data[i + arg:]
        elif kind == "nest":
            data = data[:i] + f"<{arg}>".encode() * n + data[i:] + f"</{arg}>".encode() * n
        elif kind == "truncate":
            data = data[:i]
        elif kind == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([data[i] ^ (arg or 1)]) + data[i + 1:]
    return data


# -- HTML article pages ------------------------------------------------------------------------------


@functools.cache
def page_seeds() -> tuple[tuple[str, bytes], ...]:
    """(source, bytes): the replay site's pages in the three layouts, and the team's fixture pages."""
    from replay import site

    items = site.build_items()
    seeds: list[tuple[str, bytes]] = []
    for item in items[:: max(1, len(items) // 12)]:
        if item.old_layout:
            seeds.append(("www" if item.host == site.WWW else "aqygzj", site.old_article(item)))
        elif item.host == site.PORTAL:
            seeds.append(("portal", site.portal_article(item).encode()))
        else:
            seeds.append(("www" if item.host == site.WWW else "aqygzj", site.cms_article(item).encode()))
    fixtures = Path(__file__).resolve().parent / "fixtures" / "pages"
    seeds += [("www" if not p.name.startswith("portal") else "portal", p.read_bytes())
              for p in sorted(fixtures.glob("*.html"))]
    return tuple(seeds)


PAGE_URL = {"www": "https://www.mofcom.gov.cn/zcfb/blgg/art/2026/art_fuzz.html",
            "aqygzj": "https://aqygzj.mofcom.gov.cn/flzc/art/2026/art_fuzz.html",
            "portal": "https://exportcontrol.mofcom.gov.cn/article/zcfg/202601/9999.html"}


def _page_input() -> st.SearchStrategy[tuple[str, bytes, str | None]]:
    def build(seed: int, mutations: list[tuple[Any, ...]], encoding: str | None, ctype: str | None):  # type: ignore[no-untyped-def]
        source, data = page_seeds()[seed % len(page_seeds())]
        data = mutate(data, mutations)
        if encoding:
            data = data.decode("utf-8", "replace").encode(encoding, "replace")
        return source, data, ctype

    return st.builds(build, st.integers(0, 10_000), st.lists(MUTATION, max_size=4),
                     st.sampled_from([None, None, None, "gbk", "utf-16", "latin-1"]),
                     st.sampled_from([None, "text/html", "text/html; charset=gbk", "text/html; charset=bogus"]))


def run_page(value: tuple[str, bytes, str | None]) -> object:
    source, data, ctype = value
    record = Record(url=PAGE_URL[source], sha256="0" * 64, source=source, kind="page", fetched_at="",
                    content_type=ctype)
    return source_module(source).parse(data, record)


# -- attachments (PDF, DOCX, XLSX, XLS, DOC) -----------------------------------------------------------


@functools.cache
def attachment_seeds() -> tuple[tuple[str, bytes], ...]:
    """(file name, bytes): a one-page PDF, the team's sample catalogue PDF and the team's Office files."""
    import office_samples
    from catalogue_pdfs import render_sample_catalogue
    from replay import site

    seeds = [("附件1.pdf", site.attachment_bytes("附件1.pdf")), ("附件2.xlsx", site.attachment_bytes("附件2.xlsx"))]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        render_sample_catalogue(root / "catalogue.pdf")
        seeds.append(("两用物项出口管制清单.pdf", (root / "catalogue.pdf").read_bytes()))
        for name, write in (("附件.docx", office_samples.write_docx), ("附件.xlsx", office_samples.write_xlsx),
                            ("附件.xls", office_samples.write_xls), ("附件.doc", office_samples.write_doc)):
            seeds.append((name, write(root / name).read_bytes()))
    return tuple(seeds)


BYTE_MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255), st.just(0)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(max_size=64), st.integers(0, 64)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(b""), st.integers(1, 2000)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(b""), st.just(0)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 200), st.integers(2, 8)),
)
NAMES = st.sampled_from([None, "附件.pdf", "附件.doc", "附件.docx", "附件.xls", "附件.xlsx", "附件.wps", "附件.zip",
                         "附件", "../../etc/passwd.pdf"])


def _attachment_input() -> st.SearchStrategy[tuple[str, bytes]]:
    def build(seed: int, mutations: list[tuple[Any, ...]], rename: str | None) -> tuple[str, bytes]:
        name, data = attachment_seeds()[seed % len(attachment_seeds())]
        return rename or name, mutate(data, mutations)

    return st.builds(build, st.integers(0, 10_000), st.lists(BYTE_MUTATION, min_size=1, max_size=6), NAMES)


def run_attachment(value: tuple[str, bytes]) -> object:
    name, data = value
    record = Record(url=f"https://exportcontrol.mofcom.gov.cn/attach/fuzz/{name}", sha256="0" * 64,
                    source="portal", kind="attachment", fetched_at="", name=name)
    return parse_attachment(data, record, None)


# -- dates and document numbers (pure functions: no exception at all) -----------------------------------

DATE_PIECES = st.one_of(
    st.sampled_from(["年", "月", "日", "-", "/", ".", " ", "　", "\n", "【发文日期】", "【成文日期】", "：", "自", "起", "至",
                     "〇", "○", "零", "十", "二〇二〇", "二〇二五", "十二", "三十一", "四十五", "十三"]),
    st.integers(-5, 10_000).map(str),
    st.integers(0, 99).map(lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    st.text(alphabet="0123456789０１２３４５６７８９一二三四五六七八九十", min_size=1, max_size=10),
)
DATE_TEXT = st.lists(DATE_PIECES, max_size=40).map("".join)


def run_dates(text: str) -> object:
    found = find_dates(text)
    for match in found:  # every match is a real date, and its span prints what it read
        assert 1900 <= match.date.year <= 2100, match
        assert text[match.start:match.end] == match.printed, match
    parse_date(text)
    header_date(text)
    return found


@functools.cache
def _number_tokens() -> tuple[str, ...]:
    return (*issuer_names(), "商务部", "海关总署", "公告", "令", "第", "号", "年", "〔", "〕", "[", "]", "（", "）", "(", ")",
            "、", "和", "及", " ", "  ", "\n", "部", "国务院", "不可靠实体清单工作机制", "中华人民共和国", "商务部令",
            "商务部公告", "联合公告", "二〇二五", "十", "百", "〇", "2025", "１", "9" * 12, "第1号", "年第")


NUMBER_TEXT = st.lists(st.one_of(st.deferred(lambda: st.sampled_from(_number_tokens())),
                                 st.integers(0, 3000).map(str)), max_size=40).map("".join)


def run_numbers(text: str) -> object:
    found = find_numbers(text)
    for match in found:
        assert 0 <= match.start <= match.end <= len(text), match
    canonical_number(text)
    header_number(text)
    leading_number(text, max_offset=len(text))
    return found


# -- JSON Lines import ---------------------------------------------------------------------------------

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXTS, c, max_size=3), max_leaves=8)
GOOD_RECORD = st.fixed_dictionaries(
    {"source_url": st.integers(0, 10**6).map(lambda n: f"https://exportcontrol.mofcom.gov.cn/article/{n}.html"),
     "title": st.sampled_from(["商务部公告2025年第61号 公布对境外相关稀土物项实施出口管制的决定", "关于测试的通知"]),
     "text": st.lists(st.sampled_from(["商务部公告2025年第1号", "一、自2025年12月1日起实施。", "二、", "商务部",
                                       "2025年11月7日", "2020年13月45日", "附件：", "1C902.a", "\n"]),
                      min_size=1, max_size=12).map("".join)},
    optional={"posted": st.sampled_from(["2025-11-07", "2020-13-45", "2020年13月45日", "", "2025-02-30"]),
              "column": st.sampled_from(["管制公告", ""]),
              "attachments": st.lists(st.fixed_dictionaries({"url": st.just("https://exportcontrol.mofcom.gov.cn/a.pdf")},
                                                            optional={"name": TEXTS}), max_size=2)})
FIELD_NAMES = st.sampled_from(["source_url", "title", "text", "posted", "column", "attachments"])
BAD_RECORD = st.builds(lambda good, key, value: {**good, key: value}, GOOD_RECORD, FIELD_NAMES, JSON_VALUES)
JSONL_LINE = st.one_of(
    GOOD_RECORD.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
    BAD_RECORD.map(lambda r: json.dumps(r, ensure_ascii=False).encode()),
    JSON_VALUES.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    GOOD_RECORD.map(lambda r: json.dumps(r, ensure_ascii=False).encode()[: len(json.dumps(r)) // 2]),
    st.binary(max_size=40).filter(lambda b: b"\n" not in b),
)
JSONL_FILE = st.lists(JSONL_LINE, min_size=1, max_size=6).map(lambda lines: b"\n".join(lines) + b"\n")


def run_jsonl(data: bytes) -> object:
    """Import the file into a fresh archive; then every archived record parses or is refused typed, and
    the archive still verifies (a refused import never leaves it damaged)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.jsonl"
        path.write_bytes(data)
        archive = Archive(Path(tmp) / "archive")
        try:
            import_snapshot(path, archive)
        finally:
            assert verify(archive).errors == [], verify(archive).findings
        for record in archive.latest().values():
            with contextlib.suppress(ParseError):
                snapshot.parse(archive.get_bytes(record.sha256), record)
    return None


# -- extraction (kb.extract over a parsed document: no exception at all) -------------------------------

EXTRACT_PIECES = ("商务部公告2025年第61号", "商务部 海关总署公告2024年第33号", "第55号、56号", "一、", "（一）", "1.", "第十二条", "附件：",
                  "附件1", "\n", "自2025年12月1日起", "至2026年11月10日", "即日起", "自公布之日起实施", "暂停实施", "废止", "1C902.a",
                  "1C909", "2805301910", "28053019", "海关商品编号", "参考税则号列", "价值比例", "0.1%及以上", "≥", "千克",
                  "出口经营者应当", "不得", "除外", "用于", "列入出口管制管控名单", "不可靠实体清单", "公司", "（英文名称：Sample Co., Ltd.）",
                  "地址：", "，", "。", "；", "：", "《中华人民共和国出口管制法》第十二条", "90天", "二〇二五年十二月一日", "2020年13月45日",
                  "（", "）", "【", "】", "商务部", "2025年4月4日和9日", "、", "及", "和")
EXTRACT_TEXT = st.lists(st.sampled_from(EXTRACT_PIECES) | TEXTS, min_size=1, max_size=80).map("".join)
EXTRACT_TITLES = st.sampled_from(["商务部公告2025年第900号 关于测试", "关于公布不可靠实体清单的公告", "1C902", "两用物项常见问题解答"])


def run_extract(value: tuple[str, str]) -> object:
    from kb.extract import extract  # loads spaCy: only when this target runs

    title, text = value
    try:
        doc = snapshot.parse_data({"source_url": "https://exportcontrol.mofcom.gov.cn/article/fuzz.html",
                                   "title": title, "text": text if text.strip() else "空"})
    except ParseError:
        return None  # the parser refused it (its own target); extraction only sees documents
    return extract(doc)


TARGETS: tuple[Target, ...] = (
    Target("html_article", "ingest.sources.<portal|www|aqygzj>.parse (article pages)", _page_input(), run_page,
           budget=5.0, examples=250),
    Target("attachments", "ingest.attachments.parse_attachment (PDF, catalogue PDF, DOCX, XLSX, XLS, DOC)",
           _attachment_input(), run_attachment, budget=10.0, examples=120),
    Target("dates", "ingest.parse.dates.find_dates / parse_date / header_date", DATE_TEXT, run_dates, budget=0.5,
           examples=1500, typed=()),
    Target("doc_numbers", "ingest.parse.numbers.find_numbers / canonical_number / header_number / leading_number",
           NUMBER_TEXT, run_numbers, budget=0.5, examples=1500, typed=()),
    Target("jsonl_import", "ingest.snapshot_import.import_snapshot, then snapshot.parse of each archived record",
           JSONL_FILE, run_jsonl, budget=5.0, examples=150, typed=(ParseError, ImportRefused)),
    Target("extraction", "kb.extract.extract of a parsed document (regime vocabulary spliced at random)",
           st.tuples(EXTRACT_TITLES, EXTRACT_TEXT), run_extract, budget=5.0, examples=150, typed=()),
)
BY_NAME = {t.name: t for t in TARGETS}


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 300 else text[:300] + "…"


