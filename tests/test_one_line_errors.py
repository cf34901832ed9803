"""Where a traceback showed before, a one-line reason naming the input, and nothing stored corrupted:
a disk that fills up during `build` or `import` (a real size-limited tmpfs in a private mount
namespace), a page nested 100,000 elements deep, impossible dates (2020年13月45日, 2020-13-45), a
field of the wrong type in a snapshot record, and any unforeseen bug (one line, traceback on demand)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from kb_facts_fixture import hand_facts, sample_archive

from ingest.archive import Archive
from ingest.limits import LimitError
from ingest.parse.article import parse_article
from ingest.sources import snapshot
from kb import build as build_module
from kb.build import build
from kb.errors import KbError

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
# `mofcom-kb` itself, with the team's hand-written facts instead of the NLP pipeline (fast, same errors).
CLI = textwrap.dedent(f"""
    import sys
    sys.path[:0] = [{str(TESTS)!r}, {str(REPO)!r}]
    import kb.build, kb.fingerprint
    from kb_facts_fixture import hand_facts
    kb.build.default_extractor = lambda: hand_facts
    kb.fingerprint.pipeline_version = lambda state: "hand"
    from kb.cli import main
    sys.argv = ["mofcom-kb", *sys.argv[1:]]
    main()
""")


def _cli(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, "--data-dir", str(data), *args], capture_output=True,
                          text=True, check=False, cwd=REPO, env={**os.environ, **(env or {})})


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("mofcom-kb: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# -- disk full ---------------------------------------------------------------------------------------

# Run inside `unshare -r -m`: a private mount namespace where an 8 MiB tmpfs is a real disk that fills up.
DISK_FULL = textwrap.dedent("""
    import json, os, shutil, subprocess, sys, hashlib
    from pathlib import Path
    mnt, archive, cli, extra = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    data = mnt / "data"
    shutil.copytree(archive, data / "archive")
    def run(*args):
        p = subprocess.run([sys.executable, "-c", cli, "--data-dir", str(data), *args], capture_output=True, text=True)
        return {"rc": p.returncode, "stderr": p.stderr, "stdout": p.stdout}
    def fill(leave):
        filler = mnt / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, bytes(4096))
        except OSError:
            pass
        finally:
            os.close(fd)
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    out = {"first_build": run("build")}
    db = data / "mofcom.db"
    out["db_before"] = digest(db)
    fill(leave=96 * 1024)  # room for the archive's reads, not for a new 360 KiB database
    out["full_build"] = run("build", "--full")
    out["db_after"] = digest(db)
    out["leftover_new"] = (data / "mofcom.db.new").exists()
    manifest = data / "archive" / "manifest.jsonl"
    out["manifest_before"] = digest(manifest)
    fill(leave=0)
    out["full_import"] = run("import", str(extra))
    out["verify_after_import"] = run("verify")
    (mnt / "filler").unlink()
    out["import_after"] = run("import", str(extra))
    out["build_after"] = run("build")
    out["verify_after"] = run("verify")
    out["manifest_grew_from_before"] = manifest.read_bytes().startswith(Path(sys.argv[5]).read_bytes())
    print(json.dumps(out))
""")


def _can_mount_tmpfs(tmp: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "-r", "-m", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(tmp)],
                           capture_output=True, check=False)
    return probe.returncode == 0


def test_a_disk_that_fills_up_during_build_and_import_gives_one_line_and_loses_nothing(tmp_path: Path) -> None:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if not _can_mount_tmpfs(mnt):
        pytest.skip("no private mount namespace here (`unshare -r -m` refused): the in-process SQLITE_FULL "
                    "test below still covers the build")
    archive = sample_archive(tmp_path / "archive")
    manifest_copy = tmp_path / "manifest-before.jsonl"
    shutil.copy(archive.manifest_path, manifest_copy)
    extra = tmp_path / "extra.jsonl"
    extra.write_text("".join(json.dumps({
        "source_url": f"https://exportcontrol.mofcom.gov.cn/article/disk-full/{n}.html",
        "title": f"商务部公告2026年第{900 + n}号 关于测试磁盘写满的公告",
        "text": f"商务部公告2026年第{900 + n}号\n一、" + "出口经营者应当遵守本公告规定。" * 400 + "\n商务部\n2026年1月5日",
        "posted": "2026-01-06"}, ensure_ascii=False) + "\n" for n in range(40)), encoding="utf-8")
    proc = subprocess.run(["unshare", "-r", "-m", sys.executable, "-c", DISK_FULL, str(mnt), str(archive.root), CLI,
                           str(extra), str(manifest_copy)], capture_output=True, text=True, check=False,
                          timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])

    assert out["first_build"]["rc"] == 0, out["first_build"]
    full = out["full_build"]
    lines = full["stderr"].strip().splitlines()
    assert full["rc"] == 1 and len(lines) == 1 and "Traceback" not in full["stderr"], full
    assert "full" in lines[0] and "nothing built" in lines[0] and "mofcom.db" in lines[0], lines
    assert out["db_after"] == out["db_before"] and not out["leftover_new"]  # the old database, intact

    imported = out["full_import"]
    lines = imported["stderr"].strip().splitlines()
    assert imported["rc"] == 1 and len(lines) == 1 and "No space left on device" in lines[0], imported
    assert out["verify_after_import"]["rc"] == 0, out["verify_after_import"]  # no missing or corrupt object
    assert out["import_after"]["rc"] == 0, out["import_after"]
    assert out["build_after"]["rc"] == 0, out["build_after"]
    assert out["verify_after"]["rc"] == 0 and " 0 corrupt" in out["verify_after"]["stdout"]
    assert out["manifest_grew_from_before"]  # append-only: nothing written before the disk filled was lost


def test_sqlite_full_during_build_is_one_kb_error_and_the_old_database_stays(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLITE_FULL, as a full disk gives it, without a mount namespace: the new file may not grow."""
    archive = sample_archive(tmp_path / "archive")
    db = tmp_path / "mofcom.db"
    build(archive.root, db, extractor=hand_facts, version="h")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    real_connect = sqlite3.connect

    def small_disk(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real_connect(path, *args, **kwargs)
        if str(path).endswith(".new"):
            conn.execute("PRAGMA max_page_count = 30")
        return conn

    monkeypatch.setattr(build_module.sqlite3, "connect", small_disk)
    with pytest.raises(KbError, match=r"mofcom\.db\.new: database or disk is full; nothing built") as caught:
        build(archive.root, db, extractor=hand_facts, version="h", full=True)
    assert "\n" not in str(caught.value)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before and not db.with_name("mofcom.db.new").exists()


# -- deeply nested HTML ------------------------------------------------------------------------------

def _deep_page(depth: int) -> bytes:
    return ('<html><head><meta name="ArticleTitle" content="商务部公告2026年第5号 关于测试的公告">'
            '<meta name="PubDate" content="2026-01-02"></head><body><div class="art-con" ergodic="article">'
            + "<div>" * depth + "一、出口经营者应当遵守本公告规定，向商务部申请两用物项出口许可。" + "</div>" * depth
            + "</div></body></html>").encode()


def test_a_page_nested_100000_deep_is_refused_with_its_url_not_a_recursion_error(tmp_path: Path) -> None:
    url = "https://www.mofcom.gov.cn/zcfb/blgg/art/2026/art_deep.html"
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"nested more than 2000 deep") as caught:
        parse_article(_deep_page(100_000), url)
    assert caught.value.source == url and time.monotonic() - started < 60
    assert parse_article(_deep_page(1900), url).text.startswith("一、出口经营者")  # deep but within the bound

    archive = sample_archive(tmp_path / "archive")
    archive.store(_deep_page(100_000), url=url, source="www", kind="page", content_type="text/html")
    summary = build(archive.root, tmp_path / "mofcom.db", extractor=hand_facts, version="h")
    (failure,) = summary.failures
    assert failure.url == url and failure.reason.startswith("LimitError: ") and "nested more than" in failure.reason
    assert summary.documents > 0


def test_the_cli_names_a_deep_page_in_one_line(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_bytes(_deep_page(100_000))
    line = _one_line(_cli(tmp_path / "data", "extract", str(page)))
    assert "deep.html" in line and "nested more than 2000 deep" in line


# -- impossible dates and mistyped fields -------------------------------------------------------------

@pytest.mark.parametrize("posted", ["2020-13-45", "2020年13月45日", 20200101, "2020-02-30", ["2020-01-01"]])
def test_an_impossible_or_mistyped_posted_date_is_one_line_naming_the_file_and_line(tmp_path: Path,
                                                                                    posted: object) -> None:
    file = tmp_path / "notices.jsonl"
    record = {"source_url": "https://exportcontrol.mofcom.gov.cn/article/1.html", "title": "商务部公告2020年第1号 关于测试",
              "text": "商务部公告2020年第1号\n一、自2020年1月1日起实施。", "posted": posted}
    file.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    line = _one_line(_cli(tmp_path / "data", "parse", str(file)))
    assert f"{file}:1" in line and "posted is not a date" in line, line
    imported = _cli(tmp_path / "data", "import", str(file))  # one line per bad line, then the verdict
    lines = imported.stderr.strip().splitlines()
    assert imported.returncode == 1 and "Traceback" not in imported.stderr
    assert all(x.startswith("mofcom-kb: ") for x in lines) and f"{file}:1: posted is not a date" in lines[0], lines
    assert list(Archive(tmp_path / "data" / "archive").records()) == []


@pytest.mark.parametrize("field", ["title", "text", "source_url"])
def test_a_field_of_the_wrong_type_is_refused_typed(field: str) -> None:
    record = {"source_url": "https://exportcontrol.mofcom.gov.cn/article/1.html", "title": "商务部公告2020年第1号",
              "text": "商务部公告2020年第1号\n一、本公告自公布之日起实施。", field: ["not", "text"]}
    with pytest.raises(snapshot.SnapshotError, match=f"{field} is a list, not text"):
        snapshot.parse_data(record)


def test_an_impossible_date_in_the_text_is_no_date_and_no_crash() -> None:
    doc = snapshot.parse_data({"source_url": "https://exportcontrol.mofcom.gov.cn/article/2.html",
                               "title": "商务部公告2020年第2号 关于测试", "text": "商务部公告2020年第2号\n"
                               "一、本公告自2020年13月45日起实施，至二〇二〇年十三月四十五日止。\n商务部\n2020年13月45日"})
    assert doc.signed_date is None and "2020年13月45日" in doc.text


# -- anything unforeseen ------------------------------------------------------------------------------

def test_an_unforeseen_bug_is_one_line_and_its_traceback_is_on_demand(tmp_path: Path) -> None:
    """A bug must not dump a traceback on a user; MOFCOM_KB_DEBUG=1 shows it to whoever fixes it."""
    script = CLI.replace("from kb.cli import main", textwrap.dedent("""
        import kb.on_date
        def broken(*args, **kwargs):
            raise KeyError("a bug")
        kb.on_date.on_date = broken
        from kb.cli import main"""))
    base = [sys.executable, "-c", script, "--data-dir", str(tmp_path), "on", "2026-01-01", "--json"]
    proc = subprocess.run(base, capture_output=True, text=True, check=False, cwd=REPO)
    line = _one_line(proc)
    assert "internal error" in line and "KeyError" in line and "MOFCOM_KB_DEBUG=1" in line
    debug = subprocess.run(base, capture_output=True, text=True, check=False, cwd=REPO,
                           env={**os.environ, "MOFCOM_KB_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "KeyError: 'a bug'" in debug.stderr
