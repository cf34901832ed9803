"""Publishing over real HTTP with hostile data: every page escapes every payload for its context,
carries a Content-Security-Policy, links only allow-listed http(s) URLs; search is bounded."""

from __future__ import annotations

import csv
import html
import http.client
import importlib.util
import io
import json
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from hostile_kb import FORMULA_PAYLOADS, HOSTILE_URLS, PAYLOADS
from markupsafe import escape

from kb import search_snippet
from kb.atom import Entry, atom_feed
from kb.table_csv import CsvStream, safe_cell, to_csv
from kb.web_safety import safe_link, script_json


def kb_pages(db_path: Path) -> list[str]:
    """Every kind of page the site serves, for every document and code in the database."""
    conn = sqlite3.connect(db_path)
    try:
        docs = [r[0] for r in conn.execute("select id from documents order by id")]
        codes = sorted({r[0] for r in conn.execute("select control_code from controls")}
                       | {r[0] for r in conn.execute("select hs_code from hs_codes")})
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view') "
                                             "and name not like 'search_fts%' and name not like 'sqlite_%'")]
    finally:
        conn.close()
    from datasette.utils import tilde_encode

    pages = ["/", "/mofcom", "/-/search?q=" + quote("金属钐"), "/-/search?q=" + quote("<script>alert(1)</script>"),
             "/-/search?q=xss", "/-/timeline", "/-/feeds/documents.atom", "/-/glossary.json",
             "/mofcom/entities_on_lists", "/mofcom/search?q=" + quote("钐"), "/mofcom/status_on?date=2025-06-01",
             "/-/checks", "/-/changes?since=2000-01-01", "/-/timeline?from=all",
             "/-/search?q=" + quote("钐") + "&status=in_force&on=2025-06-01"]
    # Query parameters a page reflects back (in the form, the title, the export links, the 400 message).
    for payload in PAYLOADS + HOSTILE_URLS:
        value = quote(payload, safe="")
        pages += [f"/-/search?q={value}", f"/-/search?q=xss&type={value}&list={value}",
                  f"/-/search?q=xss&on={value}", f"/-/changes?since={value}", f"/-/changes?until={value}",
                  f"/-/timeline?from={value}", f"/-/timeline?from=2020&to={value}", f"/-/document/{quote(docs[0], safe='')}?on={value}",
                  f"/-/document/{value}", f"/-/code/{value}", f"/mofcom/status_on?date={value}"]
    pages += ["/-/document/" + quote(d, safe="") + "?on=2025-06-01" for d in docs[:10]]
    pages += ["/-/document/" + quote(d, safe="") for d in docs]
    pages += ["/mofcom/documents/" + tilde_encode(d) for d in docs[:10]]
    pages += ["/-/code/" + quote(c, safe="") for c in codes]
    pages += ["/-/feeds/code/" + quote(c, safe="") + ".atom" for c in codes[:10]]
    pages += ["/mofcom/" + t for t in tables]
    return pages


def test_script_json_cannot_close_its_block() -> None:
    text = script_json({"t": "</script><script>alert(1)</script><!--", "u": "\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    import json

    assert json.loads(text) == {"t": "</script><script>alert(1)</script><!--", "u": "\u2028"}


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_never_become_links(url: str) -> None:
    assert safe_link(url) is None


@pytest.mark.parametrize("url", ["//evil.example/x", "//www.mofcom.gov.cn/x", "https:evil.example",
                                 "https://evil.example#@mofcom.gov.cn", "https://mofcom.gov.cn%2F@evil.example",
                                 "https://evil.example%2Emofcom.gov.cn/", "https://www.mofcom.gov.cn\u3002evil.example/",
                                 "https://www.mofcom.gov.cn\uff0eevil.example/", "\u202ehttps://www.mofcom.gov.cn/",
                                 "https://www.mofcom.gov.cn:80@evil.example/", "ftp://www.mofcom.gov.cn/"])
def test_look_alike_urls_never_become_links(url: str) -> None:
    assert safe_link(url) is None


def test_official_urls_become_links() -> None:
    url = "https://exportcontrol.mofcom.gov.cn/article/zcfg/202510/1171.html"
    assert safe_link(url) == url
    assert safe_link("http://www.mofcom.gov.cn/a.shtml")


SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRS = {"href", "src", "action", "data", "formaction", "xlink:href"}


class Markup(HTMLParser):
    """What the browser's parser would see: event handlers, executable elements, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("iframe", "object", "embed", "base") or (tag == "meta" and dict(attrs).get("http-equiv")):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRS and value:
                # as the browser reads it: no whitespace or controls, a backslash is a slash; the host is
                # what counts (a same-site link may carry a hostile URL in its query, percent-encoded)
                target = re.sub(r"[\x00-\x20]", "", value).lower().replace("\\", "/")
                if target.startswith(BAD_SCHEMES) or "evil.example" in urlsplit(target).netloc:
                    self.problems.append(f"<{tag} {name}={value[:50]!r}>")


def markup_problems(body: str) -> list[str]:
    parser = Markup()
    parser.feed(body)
    parser.close()
    return parser.problems


def test_every_page_escapes_every_payload(served_hostile_kb: str, hostile_kb: Path) -> None:
    problems: list[str] = []
    seen = 0
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for path in kb_pages(hostile_kb):
            response = client.get(path)
            if response.status_code >= 500:
                problems.append(f"{path}: HTTP {response.status_code}")
                continue
            body = response.text
            kind = response.headers.get("content-type", "")
            if "html" in kind:
                if "content-security-policy" not in response.headers:
                    problems.append(f"{path}: no Content-Security-Policy")
                for raw in PAYLOADS:
                    if "<" in raw and raw in body:
                        problems.append(f"{path}: raw payload {raw!r}")
                seen += sum(1 for raw in PAYLOADS if html.escape(raw, quote=False) in body or
                            html.escape(raw) in body)
                for block in SCRIPT_BLOCK.findall(body):
                    if "xss" in block.lower() and "<" in block:
                        problems.append(f"{path}: payload inside a <script> block: {block[:80]!r}")
                problems += [f"{path}: {p}" for p in markup_problems(body)]
            elif "xml" in kind or path.endswith(".atom"):
                for node in ET.fromstring(response.content).iter("{http://www.w3.org/2005/Atom}link"):
                    href = node.get("href") or ""
                    target = href.strip().lower()
                    if target.startswith(BAD_SCHEMES) or "evil.example" in target:
                        problems.append(f"{path}: hostile feed href {href[:60]!r}")
    assert not problems, "\n".join(problems[:40])
    assert seen >= 100  # the payloads really are on the pages (escaped), not filtered away by accident


def test_search_refuses_too_many_terms_without_internals(served_hostile_kb: str) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for n in (50, 600):
            q = " ".join(f"w{i}" for i in range(n))
            started = time.monotonic()
            response = client.get("/-/search.json", params={"q": q})
            assert time.monotonic() - started < 5, f"{n} terms took too long"
            assert response.status_code == 400, (n, response.status_code, response.text[:200])
            body = response.text.lower()
            assert "select" not in body and "traceback" not in body and "search_fts" not in body
            assert response.json()["error"]
            page = client.get("/-/search", params={"q": q})
            # no SQL in the page (the filter form's <select> elements are HTML, not a leak)
            assert page.status_code == 400 and "select " not in page.text.lower().replace("<select ", "")


def test_search_refuses_an_overlong_query(served_hostile_kb: str) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        response = client.get("/-/search.json", params={"q": "稀" * 5000})
        assert response.status_code == 400
        assert "characters" in response.json()["error"]


def test_every_page_has_a_csp_without_inline_script_on_custom_pages(served_hostile_kb: str) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for path in ("/", "/-/timeline", "/-/search?q=xss", "/-/code/1C902", "/-/glossary.json",
                     "/-/feeds/documents.atom", "/mofcom/documents"):
            response = client.get(path)
            policy = response.headers.get("content-security-policy", "")
            assert "object-src 'none'" in policy, path
            if path.startswith("/-/") or path == "/":
                assert "script-src 'self';" in policy, (path, policy)
                inline = [b for b in SCRIPT_BLOCK.finditer(response.text)
                          if b.group(1).strip() and "application/json" not in b.group(0)[:60]]
                assert not inline, (path, inline[0].group(0)[:80])


# --- exports, feeds and the newer pages (review, changes, home, FtM, zoomed timeline) ---------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
SAFE_FILENAME = re.compile(r'attachment; filename="[A-Za-z0-9._-]+\.csv"')


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula (a plain number is no formula)."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row
            if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)]


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_csv_cells_never_start_a_formula(payload: str) -> None:
    text = to_csv([{"a": payload, "b": 7, "c": "-12.5", "d": None}], ("a", "b", "c", "d"))
    assert not formula_cells(text), text
    [_, row] = list(csv.reader(io.StringIO(text, newline="")))
    assert row == ["'" + payload if payload.startswith(FORMULA_START) else payload, "7", "-12.5", ""]
    # every text cell is quoted, so a `;` inside one cannot split it where `;` is the list separator
    assert text.splitlines()[1].startswith('"')


def csv_exports(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' and name not like "
                                             "'%fts%' and name not like 'sqlite_%'")]
    finally:
        conn.close()
    ours = ["/-/checks.csv", "/-/changes.csv?since=2000-01-01", "/-/search.csv?q=xss",
            "/-/search.csv?q=" + quote("钐"), "/-/search.csv?q=cmd"]
    return (ours + [f"/mofcom/{t}.csv?_size=max" for t in tables]
            + ["/mofcom/entities_on_lists.csv", "/mofcom/documents.csv?_stream=on&_dl=1",
               "/mofcom.csv?sql=" + quote("select title, text, source_url from documents")])


def test_a_streamed_csv_is_neutralised_whatever_the_chunk_boundaries() -> None:
    rows = [["title", "text"], *[[p, f"钐{p}\n第二行\"{n}\""] for n, p in enumerate(FORMULA_PAYLOADS + PAYLOADS)]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    body = out.getvalue().encode("utf-8")
    for size in (1, 2, 3, 7, 64, len(body)):
        stream = CsvStream()
        chunks = [body[i:i + size] for i in range(0, len(body), size)]
        result = b"".join(stream.feed(c, final=False) for c in chunks) + stream.feed(b"", final=True)
        parsed = list(csv.reader(io.StringIO(result.decode("utf-8"), newline="")))
        assert parsed == [[safe_cell(c) for c in r] for r in rows], size
        assert not formula_cells(result.decode("utf-8"))


def test_every_csv_export_neutralises_formulas(served_hostile_kb: str, hostile_kb: Path) -> None:
    problems: list[str] = []
    neutralised = 0
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for path in csv_exports(hostile_kb):
            response = client.get(path)
            if response.status_code != 200:
                problems.append(f"{path}: HTTP {response.status_code}")
                continue
            if path.startswith("/-/"):
                assert response.headers["content-type"] == "text/csv; charset=utf-8", path
                assert SAFE_FILENAME.fullmatch(response.headers.get("content-disposition", "")), path
            problems += [f"{path}: formula cell {cell[:40]!r}" for cell in formula_cells(response.text)]
            neutralised += sum(response.text.count("'" + p.replace('"', '""')) for p in FORMULA_PAYLOADS)
            assert response.headers.get("x-content-type-options") == "nosniff", path
    assert not problems, "\n".join(problems[:40])
    assert neutralised >= 20  # the formulas really are in the exports (neutralised), not missing by accident


def atom_links(body: bytes) -> list[ET.Element]:
    return list(ET.fromstring(body).iter("{http://www.w3.org/2005/Atom}link"))


def test_atom_feed_strips_what_xml_cannot_carry() -> None:
    hostile = "\x00\x01\x08\x0b\x0c\x1f\ufffe\ud800 <b>&amp;</b> ]]> xss"
    entry = Entry(id=hostile, title=hostile, updated="2025-01-01", link="https://x.example/" + hostile,
                  summary=hostile, official="https://www.mofcom.gov.cn/" + hostile)
    body = atom_feed(hostile, hostile, "https://x.example/self" + hostile, "https://x.example/" + hostile, [entry])
    root = ET.fromstring(body)  # well formed
    titles = [t.text for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert titles == [" <b>&amp;</b> ]]> xss"] * 2
    assert all("\x01" not in (link.get("href") or "") for link in atom_links(body))


FEEDS = ("/-/feeds/changes.atom?since=2000-01-01", "/-/feeds/documents.atom", "/-/feeds/changes.atom")


def test_feeds_are_well_formed_and_link_only_the_kb_or_the_allow_list(served_hostile_kb: str,
                                                                        hostile_kb: Path) -> None:
    conn = sqlite3.connect(hostile_kb)
    codes = sorted({r[0] for r in conn.execute("select control_code from controls")})
    conn.close()
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        entries = 0
        for path in FEEDS + tuple("/-/feeds/code/" + quote(c, safe="") + ".atom" for c in codes):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith("application/atom+xml"), path
            root = ET.fromstring(response.content)
            entries += len(root.findall("{http://www.w3.org/2005/Atom}entry"))
            for link in atom_links(response.content):
                href = link.get("href") or ""
                assert href.startswith(served_hostile_kb + "/") or safe_link(href) == href, (path, href)
        assert entries >= 40
        for since in ("<script>", "2025-13-45", "9" * 5000, "2025-1-1", "'; drop table documents; --"):
            response = client.get("/-/feeds/changes.atom", params={"since": since})
            assert response.status_code == 400 and "since" in response.text, since
            assert response.headers["content-type"].startswith("text/plain"), since
            assert len(response.text) < 300, since


NEW_PAGES = ("/-/checks", "/-/checks.json", "/-/changes?since=2000-01-01", "/-/changes.json?since=2000-01-01",
             "/-/home.json", "/-/entities.ftm.json", "/-/timeline?from=2020&to=2030", "/-/timeline.json?from=all")


def test_new_pages_have_the_strict_csp_and_json_is_never_sniffed(served_hostile_kb: str) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for path in NEW_PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self';" in policy and "unsafe-inline'; style" not in policy.split("script-src")[1][:40], \
                (path, policy)
            assert response.headers.get("x-content-type-options") == "nosniff", path
            if ".json" in path:
                assert response.headers["content-type"].startswith("application/json"), path
            else:
                inline = [b for b in SCRIPT_BLOCK.finditer(response.text)
                          if b.group(1).strip() and "application/json" not in b.group(0)[:60]]
                assert not inline, (path, inline[0].group(0)[:80])


def test_review_and_ftm_carry_the_payloads_escaped(served_hostile_kb: str) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        page = client.get("/-/checks").text
        assert not markup_problems(page)
        assert sum(str(escape(p)) in page for p in PAYLOADS) >= 10
        assert not [p for p in PAYLOADS if "<" in p and p in page]
        lines = client.get("/-/entities.ftm.json").text.splitlines()
        entities = [json.loads(line) for line in lines]
        assert {e["schema"] for e in entities} >= {"LegalEntity", "Sanction", "Document"}
        for e in entities:
            for url in e["properties"].get("sourceUrl", []):
                assert safe_link(url) == url, url


def plugin(name: str) -> Any:
    """A module of datasette/plugins/ (Datasette loads that directory by path; it is no package)."""
    path = Path(__file__).resolve().parent.parent / "datasette" / "plugins" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"kb_{name}_plugin", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("q", ["script", "ipt>al", "<scr", "onerror", "mark", "&lt;", "xss"])
def test_highlight_is_built_from_escaped_text_only(q: str) -> None:
    pieces_html = plugin("search").pieces_html
    for text in PAYLOADS:
        rendered = str(pieces_html(search_snippet.snippet(text, q)))
        assert not markup_problems(rendered), (q, text)
        tags = re.findall(r"</?([a-zA-Z][^\s>/]*)", rendered)
        assert set(tags) <= {"mark"}, (q, text, rendered)


def raw_get(base: str, path: str) -> tuple[int, dict[str, str]]:
    """A request with the path sent byte for byte (clients normalise `\\` and `//`; attackers do not)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/\\evil.example/", "//evil.example/", "///evil.example//", "/%5Cevil.example/",
                                  "/-/search/?q=//evil.example", "/\\/evil.example/", "/-/code/%2F%2Fevil.example"])
def test_no_redirect_leaves_the_site(served_hostile_kb: str, path: str) -> None:
    status, headers = raw_get(served_hostile_kb, path)
    location = headers.get("location")
    if location is not None:
        assert 300 <= status < 400
        assert re.match(r"/(?![/\\])", location) and "\r" not in location and "\n" not in location, location


LONG = "9" * 6000


@pytest.mark.parametrize("path,params", [
    ("/-/changes.json", {"since": LONG}), ("/-/changes.json", {"until": LONG}),
    ("/-/search.json", {"q": "x", "on": LONG}), ("/-/search.json", {"q": "x", "status": LONG}),
    ("/-/search.json", {"q": "x", "year": LONG}), ("/-/search.json", {"q": "x", "type": LONG}),
    ("/-/search.json", {"q": "x", "list": LONG}), ("/-/search.json", {"q": LONG}),
    ("/-/timeline.json", {"from": LONG}), ("/-/timeline.json", {"to": LONG}),
    ("/-/document/x.json", {"on": LONG}), ("/mofcom/documents.json", {"_size": "9" * 40}),
    ("/mofcom/status_on.json", {"date": LONG}), ("/mofcom/new_documents.json", {"since": LONG}),
])
def test_overlong_parameters_get_a_short_400_json(served_hostile_kb: str, path: str,
                                                  params: dict[str, str]) -> None:
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        started = time.monotonic()
        response = client.get(path, params=params)
        assert time.monotonic() - started < 2, path
        assert response.status_code == 400, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["error"]
        assert len(error) < 300, (path, len(error))  # names the parameter, never echoes 6000 characters back
        assert "traceback" not in response.text.lower() and "select " not in response.text.lower()


def get_with_host(base: str, path: str, host: str) -> tuple[int, bytes]:
    address, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("host", ["x\"><script>alert('xss-host')</script>", "=cmd|' /C calc'!A0", "a b",
                                  "evil.example/@x", "x'onmouseover='alert(1)"])
def test_a_hostile_host_header_never_reaches_the_feeds_or_exports(served_hostile_kb: str, host: str) -> None:
    for path in ("/-/feeds/changes.atom?since=2000-01-01", "/-/checks.csv", "/-/search.csv?q=xss"):
        status, body = get_with_host(served_hostile_kb, path, host)
        assert status == 400, (path, host, status)
        assert host.encode() not in body and b"Host" in body
    status, body = get_with_host(served_hostile_kb, "/-/feeds/documents.atom", "kb.example.org:8001")
    assert status == 200 and b'href="http://kb.example.org:8001/-/document/' in body
    status, _ = get_with_host(served_hostile_kb, "/-/feeds/documents.atom", "[::1]:8001")
    assert status == 200


def test_refusals_of_other_plugins_carry_the_headers_too(served_hostile_kb: str) -> None:
    """The canned queries' parameter check answers from its own ASGI wrapper: the security wrapper is outside it."""
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for path in ("/mofcom/status_on.json?date=x", "/mofcom/status_on?date=%3Cscript%3E", "/-/document/nope",
                     "/-/document/" + "x" * 3000 + ".json"):
            response = client.get(path)
            assert 400 <= response.status_code < 500, path
            assert "object-src 'none'" in response.headers.get("content-security-policy", ""), path
            assert response.headers.get("x-content-type-options") == "nosniff", path
            assert "x" * 100 not in response.text, path


def test_document_marks_cut_inside_a_payload_make_no_markup() -> None:
    """Facts whose spans start or end inside a payload's tag: every piece is escaped on its own."""
    page = plugin("document_page")
    text = "".join(PAYLOADS)
    for step in (1, 3, 7):
        marks = [page.Mark(i, min(i + step + 2, len(text)), "control", PAYLOADS[i % len(PAYLOADS)],
                           "/-/code/" + quote(PAYLOADS[i % len(PAYLOADS)], safe=""))
                 for i in range(0, len(text) - 1, step)]
        rendered = str(page.highlight(text, marks))
        assert not markup_problems(rendered)
        assert set(re.findall(r"</?([a-zA-Z][^\s>/]*)", rendered)) <= {"mark", "a"}
        assert html.unescape(re.sub(r"<[^>]*>", "", rendered)) == text
