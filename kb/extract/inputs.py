"""Documents for `mofcom-kb extract FILE`: a snapshot (.jsonl) or one archived/HTML page, read
through the ingest parsers (disk at the edge; the parsing itself is theirs)."""

from __future__ import annotations

from pathlib import Path

from ingest.archive import Archive, Record, sha256_bytes
from ingest.catalogue import catalogue_document
from ingest.document import Document
from ingest.parse.errors import ParseError, UnknownLayoutError
from ingest.sources import CRAWLABLE, snapshot, source_module


def snapshot_documents(path: Path, line: int | None = None) -> list[Document]:
    return snapshot.parse_file(path, line)


def page_document(path: Path, archive_dir: Path | None = None) -> Document:
    """An archived object (its manifest record names the source) or a saved HTML page (each page
    source is tried in turn; the errors of all are reported when none reads it)."""
    content = path.read_bytes()
    sha = sha256_bytes(content)
    if archive_dir is not None and (archive_dir / "manifest.jsonl").exists():
        known = next((r for r in Archive(archive_dir).records() if r.sha256 == sha), None)
        if known is not None:
            return source_module(known.source).parse(content, known)
    if content[:1024].lstrip().startswith(b"%PDF-"):  # a catalogue PDF: its rows (raises a CatalogueError)
        return catalogue_document(content, url=path.resolve().as_uri(), sha256=sha)
    reasons = []
    for name in CRAWLABLE:
        record = Record(url=path.resolve().as_uri(), sha256=sha, source=name, kind="page", fetched_at="")
        try:
            return source_module(name).parse(content, record)
        except (ParseError, ValueError, KeyError) as exc:
            reasons.append(f"{name}: {exc}")
    raise UnknownLayoutError(path, "no page source reads it (" + "; ".join(reasons) + ")")


def documents_from(path: Path, line: int | None = None, archive_dir: Path | None = None) -> list[Document]:
    if path.suffix == ".jsonl":
        return snapshot_documents(path, line)
    if line is not None:
        raise ParseError(path, "--line applies to JSON Lines snapshots only")
    return [page_document(path, archive_dir)]
