"""Append-only raw archive: content-addressed bytes plus a manifest of every fetch.

Layout under the archive root:

    objects/ab/abcdef…   bytes, named by their sha256 (written once, never rewritten)
    manifest.jsonl       one Record per line, appended; never edited
    failures.jsonl       one failure per line (url, reason, when), appended

Objects are written to a temporary file and renamed into place, and a manifest line
is appended only after its object is durable, so a crash at any point leaves the
archive consistent: at worst an object without a manifest line (an orphan, which the
next run reuses), a `.tmp-*` file (a killed write; `mofcom-kb verify --clean` removes it)
or a torn last manifest line (killed mid-append), which is skipped on read.

Every read checks the object against its name: a missing object or one whose bytes no longer hash
to its name is an ArchiveIntegrityError, never silently parsed. Writing the same bytes again (a
refetch, a reimport) replaces a damaged object. `ingest/archive_verify.py` checks the whole archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SHA256_RE = re.compile(r"[0-9a-f]{64}")
TEMP_PREFIX = ".tmp-"
HASH_CHUNK = 1 << 20


class ArchiveIntegrityError(ValueError):
    """An archived object is missing or its bytes do not hash to its name: the archive is damaged."""

    def __init__(self, sha256: str, message: str) -> None:
        super().__init__(message)
        self.sha256 = sha256


class MissingObjectError(ArchiveIntegrityError):
    pass


class CorruptObjectError(ArchiveIntegrityError):
    pass


@dataclass(frozen=True)
class Record:
    """One manifest line: what was fetched (or imported), from where, and which bytes."""

    url: str
    sha256: str
    source: str
    kind: str  # "page", "list", "attachment", "snapshot"
    fetched_at: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # etag, last-modified, content-type
    parent_url: str | None = None  # the article an attachment was linked from
    name: str | None = None  # attachment file name as linked
    size: int = 0


@dataclass(frozen=True)
class Failure:
    url: str
    source: str
    reason: str
    at: str


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """The file's sha256, read in chunks (objects may be large attachments)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.manifest_path = self.root / "manifest.jsonl"
        self.failures_path = self.root / "failures.jsonl"
        # url → its records, oldest first; rebuilt whenever the manifest grew behind our back
        self._index: dict[str, list[Record]] = {}
        self._indexed_size = -1

    # -- objects -------------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        # A manifest line is data: a name that is not a sha256 must never become a path (../..).
        if not SHA256_RE.fullmatch(sha256):
            raise ArchiveIntegrityError(sha256, f"{self.manifest_path}: {sha256[:80]!r} is not a sha256 object name")
        return self.objects / sha256[:2] / sha256

    def has_object(self, sha256: str) -> bool:
        return self.object_path(sha256).exists()

    def put_bytes(self, data: bytes) -> str:
        digest = sha256_bytes(data)
        path = self.object_path(digest)
        if path.exists() and path.stat().st_size == len(data) and sha256_file(path) == digest:
            return digest
        # New, or damaged on disk (a flipped byte, a truncation): written (again) from these bytes.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def intact(self, sha256: str) -> bool:
        """The object is there and hashes to its name."""
        try:
            self.get_bytes(sha256)
        except (ArchiveIntegrityError, OSError):
            return False
        return True

    def get_bytes(self, sha256: str) -> bytes:
        """The object's bytes, checked against its name (raises ArchiveIntegrityError)."""
        path = self.object_path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise MissingObjectError(sha256, f"archive object {path} is missing") from None
        actual = sha256_bytes(data)
        if actual != sha256:
            raise CorruptObjectError(sha256, f"archive object {path} is corrupt: its bytes hash to "
                                             f"{actual[:16]}…, not its name")
        return data

    # -- manifest ------------------------------------------------------------------

    def _append(self, path: Path, payload: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"
        with open(path, "a", encoding="utf-8") as fh:
            # A torn previous line (crash mid-append) must not swallow this one.
            if fh.tell() > 0 and not _ends_with_newline(path):
                fh.write("\n")
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def append(self, record: Record) -> None:
        if not self.has_object(record.sha256):
            raise ValueError(f"manifest record for {record.url} names a missing object {record.sha256}")
        self._ensure_index()
        self._append(self.manifest_path, asdict(record))
        self._index.setdefault(record.url, []).append(record)
        self._indexed_size = self.manifest_path.stat().st_size

    def store(self, data: bytes, **fields_: Any) -> tuple[Record, bool]:
        """Archive bytes fetched from a URL. Returns the record and whether it is new.

        Storing the bytes the URL's newest record already holds adds nothing (append-only,
        idempotent); bytes that changed back to an older version are recorded again, so the
        newest record always names what the URL serves now.
        """
        digest = self.put_bytes(data)
        url = fields_["url"]
        previous_records = self.records_for(url)
        if previous_records and previous_records[-1].sha256 == digest:
            return previous_records[-1], False
        fields_.setdefault("fetched_at", now_iso())
        record = Record(sha256=digest, size=len(data), **fields_)
        self.append(record)
        return record, True

    def records(self) -> Iterator[Record]:
        if not self.manifest_path.exists():
            return
        with open(self.manifest_path, encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # torn last line from an interrupted run
                line = line.strip()
                if not line:
                    continue
                try:
                    yield Record(**json.loads(line))
                except (json.JSONDecodeError, TypeError):
                    continue

    def _ensure_index(self) -> None:
        size = self.manifest_path.stat().st_size if self.manifest_path.exists() else 0
        if size == self._indexed_size:
            return
        index: dict[str, list[Record]] = {}
        for record in self.records():
            index.setdefault(record.url, []).append(record)
        self._index, self._indexed_size = index, size

    def records_for(self, url: str) -> list[Record]:
        self._ensure_index()
        return list(self._index.get(url, ()))

    def latest_for(self, url: str) -> Record | None:
        found = self.records_for(url)
        return found[-1] if found else None

    def latest(self) -> dict[str, Record]:
        """The newest record per URL."""
        out: dict[str, Record] = {}
        for record in self.records():
            out[record.url] = record
        return out

    # -- failures ------------------------------------------------------------------

    def record_failure(self, url: str, source: str, reason: str) -> Failure:
        failure = Failure(url=url, source=source, reason=reason, at=now_iso())
        self._append(self.failures_path, asdict(failure))
        return failure

    def failures(self) -> list[Failure]:
        if not self.failures_path.exists():
            return []
        out = []
        for line in self.failures_path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(Failure(**json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue
        return out


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
