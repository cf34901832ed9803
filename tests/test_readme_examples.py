"""Every example in the README answers, and not with nothing, on the corpus build: the curl commands and
the httpx script of the JSON API section (run against the real server), every page or API path quoted in
backticks, the SQL blocks (on the built file), and the dclient / sqlite-utils commands quoted inline."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.corpus

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = Path(sys.executable).parent
README_BASE = "http://127.0.0.1:8001"
REVIEW = "/-/checks"  # the review page may rightly list nothing


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def curl_commands() -> list[str]:
    out = []
    for block in blocks("sh"):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip().startswith("curl "):
                out.append(command.split("  #")[0].split(" | ")[0].strip())  # the request, not the pipe
    return out


def quoted_paths() -> list[str]:
    """Paths in backticks that a reader can paste after the host (no <placeholders>, no ellipses)."""
    # Generated tables (bench figures) and lines quoting speeds (req/s) name endpoints measured, not
    # examples to paste.
    text = re.sub(r"<!-- generated:.*?<!-- end generated -->", "", README.read_text(encoding="utf-8"), flags=re.S)
    text = "\n".join(line for line in text.splitlines() if "req/s" not in line)
    paths = {m for m in re.findall(r"`(/(?:-/|mofcom)[^`\s]*)`", text) if "<" not in m and "…" not in m}
    return sorted(paths)


def has_content(value: Any) -> bool:
    """A list with rows, or a mapping holding one (the echoed request, `filters`, is no answer)."""
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        return any(has_content(v) for k, v in value.items() if k != "filters")
    return False


def nonempty(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
        data: Any = lines[0] if len(lines) == 1 else lines
        if isinstance(data, dict) and (data.get("ok") is False or data.get("error")):
            return False
        return has_content(data)
    if "atom" in kind:
        return "<entry>" in response.text
    if "csv" in kind:
        return len(response.text.strip().splitlines()) > 1
    return bool(response.text.strip())


def curl_request(command: str, base: str) -> httpx.Response:
    args = shlex.split(command)[1:]
    url, method_get, params = None, False, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-s", "--silent"):
            pass
        elif arg == "-G":
            method_get = True
        elif arg in ("-d", "--data-urlencode", "--data"):
            i += 1
            key, _, value = args[i].partition("=")
            params.append((key, value))
        elif arg.startswith("-"):
            raise AssertionError(f"README curl option not understood by this test: {arg}")
        else:
            url = arg
        i += 1
    assert url and (method_get or not params), command
    return httpx.get(url.replace(README_BASE, base), params=params or None, timeout=30)


def test_the_readme_has_examples_to_run() -> None:
    assert len(curl_commands()) >= 6 and len(quoted_paths()) >= 10 and blocks("python") and len(blocks("sql")) >= 2


@pytest.mark.parametrize("command", curl_commands())
def test_readme_curl_example_answers(served_kb: str, command: str) -> None:
    response = curl_request(command, served_kb)
    assert response.status_code == 200, (command, response.text[:300])
    assert nonempty(response), (command, response.text[:300])


@pytest.mark.parametrize("path", quoted_paths())
def test_readme_path_answers(served_kb: str, path: str) -> None:
    parts = urlsplit(path)
    url = served_kb + quote(parts.path, safe="/~.-") + ("?" + quote(parts.query, safe="=&%") if parts.query else "")
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    if parts.path.startswith(REVIEW):  # "no open checks" is the answer a fixed extractor gives
        assert "count" in response.text or "check" in response.text
        return
    assert nonempty(response), (path, response.text[:300])


def test_readme_python_example_prints_answers(served_kb: str) -> None:
    (script,) = [b for b in blocks("python") if "httpx" in b]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script.replace(README_BASE, served_kb), "README.md", "exec"), {})  # noqa: S102
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert len(lines) >= 6, out.getvalue()
    assert "suspended" in lines[-1]  # 2025 No. 61 on 2026-01-15, as the comment says


@pytest.mark.parametrize("block", blocks("sql"))
def test_readme_sql_answers(built_kb: Path, block: str) -> None:
    from kb import search as kb_search

    conn = sqlite3.connect(f"file:{built_kb}?mode=ro", uri=True)
    kb_search.register(conn)
    try:
        for statement in [s for s in re.sub(r"--[^\n]*", "", block).split(";") if s.strip()]:
            names = set(re.findall(r":(\w+)", statement))
            params = {k: v for k, v in {"date": "2026-01-15", "q": "稀土"}.items() if k in names}
            assert conn.execute(statement, params).fetchall(), statement
    finally:
        conn.close()


def inline_commands(tool: str) -> list[str]:
    """Complete commands only (a bare `sqlite-utils search` names the tool, it is no example)."""
    found = re.findall(rf"`({tool} [^`]+)`", README.read_text(encoding="utf-8"))
    return [c for c in found if len(shlex.split(c)) >= 4]


@pytest.mark.parametrize("command", inline_commands("dclient"))
def test_readme_dclient_example_answers(served_kb: str, command: str, tmp_path: Path) -> None:
    args = shlex.split(command.replace(README_BASE, served_kb))
    result = subprocess.run([str(BIN / "dclient"), *args[1:], "--nl"], capture_output=True, text=True, timeout=60,
                            env={"HOME": str(tmp_path), "PATH": str(BIN)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), command


@pytest.mark.parametrize("command", inline_commands("sqlite-utils"))
def test_readme_sqlite_utils_example_answers(built_kb: Path, command: str) -> None:
    args = shlex.split(command.replace("data/mofcom.db", str(built_kb)))
    result = subprocess.run([str(BIN / "sqlite-utils"), *args[1:]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout), command
