"""`mofcom-kb build`: the archive → one SQLite file, written beside the old one,
validated, then swapped in atomically so a half-built database is never served."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ingest.archive import Archive
from ingest.document import Document
from ingest.documents import ParseFailure, load_documents
from kb.errors import KbError


@dataclass
class BuildSummary:
    documents: int = 0
    failures: list[ParseFailure] = field(default_factory=list)


def document_row(doc: Document) -> dict:
    return {
        "id": doc.doc_id,
        "doc_number": doc.doc_number,
        "doc_type": doc.doc_type,
        "title": doc.title,
        "issuers": json.dumps(list(doc.issuers), ensure_ascii=False),
        "signed_date": doc.signed_date.isoformat() if doc.signed_date else None,
        "posted_date": doc.posted_date.isoformat() if doc.posted_date else None,
        "source_url": doc.source_urls[0] if doc.source_urls else None,
        "text": doc.text,
    }


def validate(path: Path, expected_documents: int) -> None:
    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise KbError(f"{path}: integrity check failed")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            raise KbError(f"{path}: foreign key violations")
        count = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        if count != expected_documents:
            raise KbError(f"{path}: {count} documents written, {expected_documents} expected")
    finally:
        conn.close()


def build(archive_root: Path, db_path: Path) -> BuildSummary:
    archive = Archive(archive_root)
    documents, failures = load_documents(archive)
    if not documents:
        raise KbError(f"{archive_root}: the archive holds no parseable documents (run `mofcom-kb import` or `fetch`)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(db_path.name + ".new")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite_utils.Database(tmp)
        db.table("documents").insert_all((document_row(d) for d in documents), pk="id")
        db.conn.commit()
        db.close()
        validate(tmp, len(documents))
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildSummary(documents=len(documents), failures=failures)
