"""`mofcom-kb import` checks everything named before storing anything (issue 14): all lines of a file or
none, every bad line reported (line number and reason, one line each); a record without a source_url is
valid (URL unknown, a stable urn:sha256 key, a warning); a folder is read without following any link."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ingest.archive import Archive
from ingest.snapshot_import import ImportRefused, import_site, import_snapshot
from ingest.snapshot_validation import check_record, read_snapshot
from kb.cli import cli

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "tests" / "fixtures" / "pages" / "cms_announcement.html"  # a team-written page in the CMS layout


def rec(n: int, **fields: object) -> dict:
    """A valid record, written by the team in the corpus shape."""
    return {"source_url": f"https://exportcontrol.mofcom.gov.cn/article/x/{n}.html", "column": "管制清单",
            "title": f"商务部公告2025年第{n}号 关于测试的公告", "posted": "2025-04-04",
            "text": f"【发布文号】商务部公告2025年第{n}号\n根据有关规定，现公告如下。\n商务部\n2025年4月4日",
            "attachments": [], **fields}


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines),
                    encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- all lines or none ----------------------------------------------------------------------------------

def test_a_file_with_bad_lines_archives_nothing_and_reports_each(tmp_path: Path) -> None:
    file = write_lines(tmp_path / "mixed.jsonl", [
        rec(1), rec(2), "{not json", rec(4, title=""), rec(5, posted="2020年13月45日"), rec(6),
        rec(7, posted="2025-W01-1")])  # an ISO week date: fromisoformat reads it, YYYY-MM-DD it is not
    with pytest.raises(ImportRefused) as caught:
        import_snapshot(file, Archive(tmp_path / "archive"))
    assert [r.split(": ", 1)[0] for r in caught.value.reports] == [f"{file}:3", f"{file}:4", f"{file}:5", f"{file}:7"]
    assert "not JSON" in caught.value.reports[0] and "missing title" in caught.value.reports[1]
    assert "posted is not a date" in caught.value.reports[2] and "posted is not a date" in caught.value.reports[3]
    assert not (tmp_path / "archive").exists()  # not even the good lines before the first bad one


def test_cli_prints_one_line_per_bad_line_and_exits_1(tmp_path: Path) -> None:
    good = write_lines(tmp_path / "good.jsonl", [rec(1)])
    bad = write_lines(tmp_path / "bad.jsonl", [rec(2), "[1, 2]", rec(3, source_url="javascript:alert(1)"),
                                               rec(4, attachments="[]")])
    proc = subprocess.run([sys.executable, "-m", "kb.cli", "--data-dir", str(tmp_path / "data"), "import",
                           str(good), str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 4, proc.stderr
    assert lines[:3] == [f"mofcom-kb: {bad}:2: a JSON list, not an object",
                         f"mofcom-kb: {bad}:3: source_url is not an http(s) URL: 'javascript:alert(1)'",
                         f"mofcom-kb: {bad}:4: attachments is a str, not a list"]
    assert lines[3].startswith("mofcom-kb: 3 problem(s) in ") and lines[3].endswith("nothing imported")
    assert not (tmp_path / "data" / "archive").exists()  # the good file waits for the bad one to be fixed


@pytest.mark.parametrize(("record", "reason"), [
    (rec(1, text=""), "missing text"),
    (rec(1, text="   "), "text is blank"),
    (rec(1, title=7), "title is a int, not text"),
    (rec(1, source_url="ftp://www.mofcom.gov.cn/x"), "source_url is not an http(s) URL"),
    (rec(1, source_url="https://"), "source_url is not an http(s) URL"),
    (rec(1, source_url="https://[::1"), "source_url is not an http(s) URL"),
    (rec(1, attachments=[{"name": "a.pdf"}]), "attachment 1 url is a NoneType"),
    (rec(1, attachments=[{"url": "data:text/html,x"}]), "attachment 1 url is not an http(s) URL"),
    (rec(1, sample="yes"), "sample is 'yes', not true or false"),
    (rec(1, sample=True), "must not pose under a real URL"),
    (rec(1, column=["a"]), "column is a list"),
])
def test_each_kind_of_bad_record_has_its_reason(record: dict, reason: str) -> None:
    problems = check_record(record)
    assert problems and reason in "; ".join(problems)


def test_valid_records_have_no_problem() -> None:
    assert check_record(rec(1)) == []
    assert check_record(rec(1, source_url="", column="", posted=None, attachments=None)) == []
    assert check_record(rec(1, source_url="https://example.invalid/mofcom-kb-sample/1.html", sample=True)) == []


def test_a_record_on_a_sample_host_without_the_flag_is_warned_about(tmp_path: Path) -> None:
    checked = read_snapshot(write_lines(tmp_path / "w.jsonl", [rec(1, source_url="https://example.invalid/x.html")]))
    assert checked.errors == [] and len(checked.lines) == 1
    assert [(w.line, w.reason) for w in checked.warnings] == [
        (1, 'a .invalid URL without "sample": true: imported as real material, not a sample')]


def test_two_versions_under_one_url_in_one_file_are_refused_identical_repeats_are_not(tmp_path: Path) -> None:
    checked = read_snapshot(write_lines(tmp_path / "d.jsonl", [rec(1), rec(1), rec(1, title="商务部公告2025年第1号 改")]))
    assert [(e.line, e.reason) for e in checked.errors] == [(3, "same source_url as line 1, other content")]
    assert [line.line for line in checked.lines] == [1]


def test_a_line_over_the_record_limit_is_a_bad_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = tmp_path / "limits.yml"
    limits.write_text("record_bytes: 2000\n", encoding="utf-8")
    monkeypatch.setenv("MOFCOM_KB_LIMITS", str(limits))
    big = rec(2, text=rec(2)["text"] + "文" * 2000)
    checked = read_snapshot(write_lines(tmp_path / "big.jsonl", [rec(1), big]))
    assert [e.line for e in checked.errors] == [2] and "over the 2,000-byte record limit" in checked.errors[0].reason


# -- a record without a source_url ----------------------------------------------------------------------

def test_a_record_without_source_url_is_imported_with_a_stable_key_and_a_warning(tmp_path: Path) -> None:
    record = rec(9, source_url="")
    del record["column"]
    file = write_lines(tmp_path / "nourl.jsonl", [record, {k: v for k, v in rec(10).items() if k != "source_url"}])
    archive = Archive(tmp_path / "archive")
    summary = import_snapshot(file, archive)
    key = "urn:sha256:" + hashlib.sha256(record["text"].encode("utf-8")).hexdigest()
    assert summary.new == 2 and key in archive.latest()
    assert summary.warnings[0] == f"{file}:1: no source_url: imported with its URL unknown, as {key}"
    assert import_snapshot(file, archive).unchanged == 2  # the same text, the same key: nothing new

    from ingest.archive_documents import load_documents

    documents, failures = load_documents(archive)
    assert failures == [] and {d.doc_number for d in documents} == {"商务部公告2025年第9号", "商务部公告2025年第10号"}
    assert all(d.source_urls == () for d in documents)  # the URL is unknown, never the urn key


def test_the_corpus_entity_list_file_imports_with_its_url_less_record(corpus_dir: Path, tmp_path: Path) -> None:
    code, out, err = run("--data-dir", str(tmp_path), "import", str(corpus_dir / "entity-list-notices.jsonl"))
    assert code == 0, err
    assert "8 new" in out
    assert err.count("no source_url") == 1 and ":1: no source_url" in err


# -- folders never follow links -------------------------------------------------------------------------

def _tree_with_links(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    secret = outside / "secret.html"
    secret.write_bytes(PAGE.read_bytes().replace(b"</body>", b"<p>OUTSIDE-SECRET</p></body>"))
    (outside / "dir" / "page.html").write_bytes(secret.read_bytes())
    write_lines(outside / "records.jsonl", [rec(77)])
    folder = tmp_path / "import-me"
    host = folder / "site" / "www.mofcom.gov.cn" / "zcfb"
    host.mkdir(parents=True)
    shutil.copy(PAGE, host / "page.html")
    os.symlink(secret, host / "leak.html")
    os.symlink(outside / "dir", host / "linked-dir")
    os.symlink(Path("/etc/hostname"), host / "hostname.html")
    write_lines(folder / "own.jsonl", [rec(1)])
    os.symlink(outside / "records.jsonl", folder / "linked.jsonl")
    return folder, outside


def test_a_folder_import_never_follows_a_symbolic_link(tmp_path: Path) -> None:
    folder, outside = _tree_with_links(tmp_path)
    code, out, err = run("--data-dir", str(tmp_path / "data"), "import", str(folder))
    assert code == 0, err
    archive = Archive(tmp_path / "data" / "archive")
    urls = {r.url for r in archive.records()}
    assert urls == {"https://www.mofcom.gov.cn/zcfb/page.html", rec(1)["source_url"]}
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data" / "archive" / "objects").rglob("*") if p.is_file())
    assert b"OUTSIDE-SECRET" not in stored and rec(77)["source_url"].encode() not in stored
    for name in ("leak.html", "linked-dir", "hostname.html", "linked.jsonl"):
        assert f"{name}: skipped: a symbolic link" in err


def test_a_site_folder_that_is_a_link_is_skipped(tmp_path: Path) -> None:
    folder, outside = _tree_with_links(tmp_path)
    shutil.rmtree(folder / "site")
    (outside / "site" / "www.mofcom.gov.cn").mkdir(parents=True)
    shutil.copy(PAGE, outside / "site" / "www.mofcom.gov.cn" / "p.html")
    os.symlink(outside / "site", folder / "site")
    code, _out, err = run("--data-dir", str(tmp_path / "data"), "import", str(folder))
    assert code == 0 and f"{folder / 'site'}: skipped: a symbolic link" in err
    assert {r.url for r in Archive(tmp_path / "data" / "archive").records()} == {rec(1)["source_url"]}


def test_a_sample_page_under_a_real_host_and_a_plain_page_under_invalid_are_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    real = site / "www.mofcom.gov.cn" / "a.html"
    fake = site / "www.mofcom.gov.cn.invalid" / "b.html"
    real.parent.mkdir(parents=True)
    fake.parent.mkdir(parents=True)
    real.write_bytes(PAGE.read_bytes().replace(b"<head>", b'<head><meta name="mofcom-kb-sample" content="x">', 1))
    shutil.copy(PAGE, fake)
    with pytest.raises(ImportRefused) as caught:
        import_site(site, Archive(tmp_path / "archive"))
    assert len(caught.value.reports) == 2
    assert "lives under a <host>.invalid folder" in caught.value.reports[0] and str(real) in caught.value.reports[0]
    assert "must declare itself a sample" in caught.value.reports[1] and str(fake) in caught.value.reports[1]
    assert not (tmp_path / "archive").exists()
