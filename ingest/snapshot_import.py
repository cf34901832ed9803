"""`mofcom-kb import FILE.jsonl`: archive a snapshot file as the `snapshot` source."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.archive import Archive
from ingest.sources import snapshot


@dataclass
class ImportSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)

    def count(self, stored_new_bytes: bool, had_earlier_version: bool) -> None:
        if not stored_new_bytes:
            self.unchanged += 1
        elif had_earlier_version:
            self.changed += 1
        else:
            self.new += 1


def import_snapshot(path: Path, archive: Archive) -> ImportSummary:
    summary = ImportSummary()
    known = archive.latest()
    for _lineno, data in snapshot.iter_snapshot(path):
        url = data["source_url"]
        previous = known.get(url)
        record, is_new = archive.store(
            snapshot.encode(data),
            url=url,
            source=snapshot.NAME,
            kind="snapshot",
            content_type=snapshot.CONTENT_TYPE,
            status=200,
        )
        summary.count(is_new, previous is not None)
    return summary


def import_dataset(path: Path, archive: Archive) -> ImportSummary:
    """Archive a catalogue dataset file (ingest/catalogue/editions.yml `datasets`) whole, under
    `dataset:<file name>`, refusing a file in no known shape (nothing is stored then)."""
    from ingest.catalogue.datasets import parse_dataset
    from ingest.limits import read_bounded
    from ingest.sources import catalogue_data

    data = read_bounded(path)
    parse_dataset(data, str(path))  # raises a DatasetError naming the file
    url = catalogue_data.dataset_url(path.name)
    summary = ImportSummary()
    had = archive.latest().get(url) is not None
    _record, is_new = archive.store(data, url=url, source=catalogue_data.NAME, kind="page",
                                    content_type=catalogue_data.CONTENT_TYPE, status=200)
    summary.count(is_new, had)
    return summary


def is_dataset_file(path: Path) -> bool:
    from ingest.catalogue.datasets import is_dataset
    from ingest.limits import read_bounded

    return path.suffix in (".json", ".jsonl") and is_dataset(read_bounded(path))


SITE_DIR = "site"


class SiteImportError(ValueError):
    pass


def source_for_host(host: str) -> str:
    """The crawlable source that owns `host` (by its source.yml)."""
    from ingest.sources import CRAWLABLE, source_module

    for name in CRAWLABLE:
        if host in source_module(name).SPEC.hosts:
            return name
    raise SiteImportError(f"no source crawls host {host!r}")


def import_site(root: Path, archive: Archive) -> ImportSummary:
    """Archive a mirror tree `root/<host>/<path>` (what `--mirror` serves) as if crawled:
    url `https://<host>/<path>`, kind page or attachment (parent_url from the page linking it)."""
    from ingest.sources import source_module
    from ingest.sources.spec import is_attachment_url

    summary = ImportSummary()
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    entries = []
    for path in files:
        host, *rest = path.relative_to(root).parts
        if not rest:
            raise SiteImportError(f"{path}: a mirror tree holds files under <host>/<path>")
        entries.append((path, host, f"https://{host}/{'/'.join(rest)}"))
    sources = {host: source_for_host(host) for _path, host, _url in entries}  # fail before storing anything
    parents: dict[str, tuple[str, str | None]] = {}  # attachment url (no query) → (page url, name)
    pages = [e for e in entries if not is_attachment_url(e[2])]
    attachments = [e for e in entries if is_attachment_url(e[2])]
    for path, host, url in pages + attachments:
        source = sources[host]
        content = path.read_bytes()
        kind = "attachment" if (path, host, url) in attachments else "page"
        parent, name = parents.get(url, (None, None))
        previous = archive.latest_for(url)
        try:
            record, is_new = archive.store(content, url=url, source=source, kind=kind, status=200,
                                           content_type=_content_type(path), parent_url=parent, name=name)
        except OSError as exc:
            summary.failed.append(f"{path}: {exc}")
            continue
        if kind == "page":
            module = source_module(source)
            for link in module.discover(content, record):
                parents.setdefault(link.url.split("?")[0], (url, link.name))
        summary.count(is_new, previous is not None)
    return summary


def _content_type(path: Path) -> str:
    return {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".json": "application/json"}.get(
        path.suffix.lower(), "application/octet-stream")
