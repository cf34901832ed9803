"""`mofcom-kb verify`: check the whole raw archive against its manifest, and clean what killed
writes leave behind.

Errors (the archive is damaged; `verify` exits 1, `build` refuses to run on it):
- `missing`: a manifest line names an object that is not there;
- `corrupt`: an object's bytes do not hash to its name (or its size differs from its record's);
- `malformed`: a complete manifest line that is JSON but not a record (someone edited the file).

Warnings (what an interrupted run leaves; nothing stored is lost, `verify` exits 0):
- `torn`: a manifest line that is not JSON (an append cut short by a kill or a full disk); its
  fetch is redone by the next run, the line is skipped on read and kept (the manifest is append-only);
- `orphan`: an object no manifest line names (killed between the object and its line; the next
  run that meets the same bytes reuses it);
- `temporary`: a `.tmp-*` file of a killed write; `--clean` removes those older than `--min-age`
  (a younger one may belong to a write in progress);
- `stray`: any other file under objects/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.archive import SHA256_RE, TEMP_PREFIX, Archive, Record, sha256_file

ERRORS = ("missing", "corrupt", "malformed")
WARNINGS = ("torn", "orphan", "temporary", "stray")


@dataclass(frozen=True)
class Finding:
    kind: str  # one of ERRORS or WARNINGS
    where: str  # the object's path, or manifest.jsonl:LINE
    detail: str

    @property
    def is_error(self) -> bool:
        return self.kind in ERRORS

    def line(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


@dataclass
class VerifyReport:
    records: int = 0  # manifest lines read as records
    objects: int = 0  # distinct objects named by them, all hashed
    bytes: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def to_json(self, root: Path, removed: list[Path]) -> dict[str, object]:
        return {"archive": str(root), "records": self.records, "objects": self.objects, "bytes": self.bytes,
                "counts": {kind: self.count(kind) for kind in ERRORS + WARNINGS}, "damaged": bool(self.errors),
                "findings": [{"kind": f.kind, "error": f.is_error, "where": f.where, "detail": f.detail}
                             for f in self.findings],
                "removed": [str(p) for p in removed]}

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(kind)} {kind}" for kind in ERRORS + WARNINGS)
        return f"{self.records} records, {self.objects} objects ({self.bytes / 2**20:.1f} MiB) checked: {counts}"


def manifest_lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, ended with a newline) for each non-empty line."""
    if not path.exists():
        return
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            complete = raw.endswith(b"\n")
            if raw.strip():
                yield number, raw.rstrip(b"\r\n"), complete


def read_record(raw: bytes) -> tuple[Record | None, str | None, bool]:
    """(record, why not, torn): torn when the line is not even JSON."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, "not JSON: an append cut short (its fetch is redone by the next run)", True
    try:
        record = Record(**payload)
    except TypeError as exc:
        return None, f"not a record: {exc}", False
    if not isinstance(record.sha256, str) or not SHA256_RE.fullmatch(record.sha256):
        return None, f"not a record: object name {str(record.sha256)[:80]!r} is not a sha256", False
    return record, None, False


def verify(archive: Archive) -> VerifyReport:
    report = VerifyReport()
    named: dict[str, list[Record]] = {}
    for number, raw, complete in manifest_lines(archive.manifest_path):
        record, why, torn = read_record(raw)
        where = f"{archive.manifest_path}:{number}"
        if record is None:
            kind = "torn" if torn or not complete else "malformed"
            report.findings.append(Finding(kind, where, f"{why or 'no newline'}; {raw[:60]!r}"))
            continue
        report.records += 1
        named.setdefault(record.sha256, []).append(record)
    for sha256, records in sorted(named.items()):
        report.findings.extend(_check_object(archive, sha256, records, report))
    report.findings.extend(_scan_objects(archive, set(named)))
    return report


def _check_object(archive: Archive, sha256: str, records: list[Record], report: VerifyReport) -> Iterator[Finding]:
    path = archive.object_path(sha256)
    urls = ", ".join(sorted({r.url for r in records})[:3])
    if not path.is_file():
        yield Finding("missing", str(path), f"named by {len(records)} manifest line(s) ({urls})")
        return
    report.objects += 1
    size = path.stat().st_size
    report.bytes += size
    actual = sha256_file(path)
    if actual != sha256:
        yield Finding("corrupt", str(path), f"bytes hash to {actual[:16]}…, not its name ({urls})")
        return
    sizes = {r.size for r in records if r.size}
    if sizes and sizes != {size}:
        yield Finding("corrupt", str(path), f"{size} bytes, its records say {sorted(sizes)} ({urls})")


def _scan_objects(archive: Archive, named: set[str]) -> Iterator[Finding]:
    if not archive.objects.is_dir():
        return
    for entry in sorted(archive.objects.iterdir()):
        if not entry.is_dir() or len(entry.name) != 2:
            yield Finding("stray", str(entry), "not an object folder")
            continue
        for path in sorted(entry.iterdir()):
            if path.name.startswith(TEMP_PREFIX):
                age = time.time() - path.stat().st_mtime
                yield Finding("temporary", str(path), f"an interrupted write, {age:.0f}s old")
            elif not SHA256_RE.fullmatch(path.name) or path.name[:2] != entry.name or not path.is_file():
                yield Finding("stray", str(path), "not an object name")
            elif path.name not in named:
                yield Finding("orphan", str(path), "no manifest line names it (an interrupted run; reused by the next)")


def stale_temporaries(archive: Archive, min_age: float, now: float | None = None) -> list[Path]:
    """The `.tmp-*` files under objects/ older than `min_age` seconds."""
    if not archive.objects.is_dir():
        return []
    now = time.time() if now is None else now
    return sorted(p for p in archive.objects.glob(f"*/{TEMP_PREFIX}*")
                  if p.is_file() and now - p.stat().st_mtime >= min_age)
