"""Path traversal against what reads paths from untrusted input: the served site's static files and
custom pages (over real HTTP), archive object names from the manifest, attachment names from the
sites. Nothing outside the intended tree is ever read or written."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from kb_facts_fixture import sample_archive

from ingest.archive import Archive, ArchiveIntegrityError, Record
from ingest.attachments import parse_attachment
from ingest.parse.errors import ParseError

REPO = Path(__file__).resolve().parent.parent
SECRET_FILES = {"/etc/passwd": "root:", "/etc/hostname": None}
# Each prefix is a page or static mount of the site; each suffix tries to climb out of it.
PREFIXES = ("/static/", "/-/static/", "/-/document/", "/-/code/", "/-/feeds/code/", "/mofcom/")
CLIMBS = (
    "../../../../../../etc/passwd",
    "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "..%252F..%252F..%252F..%252Fetc%252Fpasswd",
    "....//....//....//....//etc/passwd",
    "..\\..\\..\\..\\..\\etc\\passwd",
    "%2Fetc%2Fpasswd",
    "/etc/hostname",
    "..%2F..%2F..%2Fkb%2Fcli.py",
    "..%c0%af..%c0%af..%c0%afetc/passwd",
)
ATTEMPTS = [p + c for p in PREFIXES for c in CLIMBS]


def _secrets() -> list[str]:
    out = []
    for path, marker in SECRET_FILES.items():
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError:
            continue
        out.append(marker or text)
    out.append('"""The `mofcom-kb` command')  # a source file of the project itself
    return [s for s in out if s]


def test_no_http_path_climbs_out_of_the_site(served_hostile_kb: str) -> None:
    secrets = _secrets()
    escaped = []
    with httpx.Client(base_url=served_hostile_kb, timeout=30) as client:
        for attempt in ATTEMPTS:
            # the raw path, as an attacker sends it: httpx must not normalise the ../ away
            response = client.send(client.build_request("GET", httpx.URL(served_hostile_kb + attempt)))
            body = response.text
            if response.status_code >= 500 or any(s in body for s in secrets):
                escaped.append(f"{attempt}: HTTP {response.status_code} {body[:80]!r}")
    assert len(ATTEMPTS) == 60
    assert escaped == [], "\n".join(escaped)


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd", "..", "a/../../b", "%2e%2e%2fetc"])
def test_a_manifest_object_name_never_becomes_a_path(tmp_path: Path, name: str) -> None:
    archive = sample_archive(tmp_path / "archive")
    with pytest.raises(ArchiveIntegrityError, match="is not a sha256 object name"):
        archive.get_bytes(name)
    line = {"url": "https://exportcontrol.mofcom.gov.cn/x.html", "sha256": name, "source": "snapshot",
            "kind": "snapshot", "fetched_at": "2026-01-01T00:00:00+00:00"}
    with open(archive.manifest_path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    from ingest.archive_verify import verify

    assert [f.kind for f in verify(Archive(archive.root)).errors] == ["malformed"]


@pytest.mark.parametrize("name", ["../../../../tmp/mofcom-kb-escape.docx", "/tmp/mofcom-kb-escape.xlsx",
                                  "..\\..\\mofcom-kb-escape.doc"])
def test_an_attachment_name_never_decides_where_bytes_are_written(tmp_path: Path, name: str) -> None:
    escape = Path("/tmp") / Path(name.replace("\\", "/")).name
    escape.unlink(missing_ok=True)
    record = Record(url=f"https://exportcontrol.mofcom.gov.cn/attach/{name}", sha256="0" * 64, source="portal",
                    kind="attachment", fetched_at="", name=name)
    with pytest.raises(ParseError):
        parse_attachment(b"PK\x03\x04 not really a zip", record, None)
    assert not escape.exists()
