"""`mofcom-kb import FILE.jsonl… | DIR…`: archive snapshot files (and a folder's mirror tree) offline.

Everything named is checked before anything is stored (ingest/snapshot_validation.py): a file with one
bad line, or a tree with one bad file, archives nothing, and every problem is reported. A folder is read
without ever following a symbolic link (a link is skipped and reported), so an import cannot reach
outside the tree it was given.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ingest.archive import Archive, sha256_bytes
from ingest.limits import check_size, limits
from ingest.sample_marks import html_declares_sample, is_sample_host, real_host
from ingest.snapshot_validation import CheckedSnapshot, read_snapshot
from ingest.sources import snapshot

SITE_DIR = "site"


@dataclass
class ImportSummary:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, stored_new_bytes: bool, had_earlier_version: bool) -> None:
        if not stored_new_bytes:
            self.unchanged += 1
        elif had_earlier_version:
            self.changed += 1
        else:
            self.new += 1


class SiteImportError(ValueError):
    """A mirror tree (or a file in it) that cannot be imported; names it."""


class ImportRefused(SiteImportError):
    """What was named to import has problems; nothing was stored. `reports`: one line per problem."""

    def __init__(self, reports: list[str]) -> None:
        self.reports = reports
        super().__init__(f"{len(reports)} problem(s), nothing imported: " + "; ".join(reports))


# -- snapshot files ----------------------------------------------------------------------------------

def check_snapshot(path: Path) -> CheckedSnapshot:
    checked = read_snapshot(path)
    if checked.errors:
        raise ImportRefused(checked.reports(checked.errors))
    return checked


def store_snapshot(checked: CheckedSnapshot, archive: Archive) -> ImportSummary:
    summary = ImportSummary(warnings=checked.reports(checked.warnings))
    known = archive.latest()
    for line in checked.lines:
        previous = known.get(line.key)
        _record, is_new = archive.store(
            snapshot.encode(line.record),
            url=line.key,
            source=snapshot.NAME,
            kind="snapshot",
            content_type=snapshot.CONTENT_TYPE,
            status=200,
        )
        summary.count(is_new, previous is not None)
    return summary


def import_snapshot(path: Path, archive: Archive) -> ImportSummary:
    """All lines of the file, or none (ImportRefused naming every bad line)."""
    return store_snapshot(check_snapshot(path), archive)


# -- folders and mirror trees ------------------------------------------------------------------------

def tree_files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular files under `root`, sorted, never reached through a symbolic link; hidden names skipped.
    Returns the files and one report per link (or special file) skipped."""
    files: list[Path] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                skipped.append(f"{here / name}: skipped: a symbolic link (import never follows links)")
            elif not name.startswith("."):
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            if name.startswith("."):
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                skipped.append(f"{path}: skipped: a symbolic link (import never follows links)")
            elif not stat.S_ISREG(mode):
                skipped.append(f"{path}: skipped: not a regular file")
            else:
                files.append(path)
    return sorted(files), skipped


def read_no_follow(path: Path) -> bytes:
    """A file's bytes, refused if it became a symbolic link since it was listed, or is over the size limit."""
    limit = limits().file_bytes
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        check_size(path, os.fstat(fh.fileno()).st_size, limit)
        data = fh.read(limit + 1)
    check_size(path, len(data), limit)
    return data


def source_for_host(host: str) -> str:
    """The crawlable source that owns `host` (by its source.yml); a sample host `<host>.invalid`
    (ingest/sample_marks.py) is parsed by the source owning `<host>`."""
    from ingest.sources import CRAWLABLE, source_module

    for name in CRAWLABLE:
        if real_host(host) in source_module(name).SPEC.hosts:
            return name
    raise SiteImportError(f"no source crawls host {host!r}")


@dataclass(frozen=True)
class SiteFile:
    path: Path
    url: str
    source: str
    kind: str  # page | attachment
    sha256: str  # as checked: the file is read again to store it, and refused if it changed meanwhile


@dataclass
class CheckedSite:
    root: Path
    files: list[SiteFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def check_site(root: Path) -> CheckedSite:
    """Read and check a mirror tree `root/<host>/<path>`; nothing stored."""
    from ingest.sources.spec import is_attachment_url

    checked = CheckedSite(root)
    files, checked.skipped = tree_files(root)
    for path in files:
        host, *rest = path.relative_to(root).parts
        if not rest:
            checked.errors.append(f"{path}: a mirror tree holds files under <host>/<path>")
            continue
        url = f"https://{host}/{'/'.join(rest)}"
        try:
            source = source_for_host(host)
            content = read_no_follow(path)
        except (SiteImportError, OSError, ValueError) as exc:
            checked.errors.append(f"{path}: {exc}")
            continue
        kind = "attachment" if is_attachment_url(url) else "page"
        if kind == "page" and html_declares_sample(content) != is_sample_host(url):
            checked.errors.append(
                f"{path}: a sample page (<meta name=\"mofcom-kb-sample\">) lives under a <host>.invalid folder, "
                f"and only a sample does" if html_declares_sample(content) else
                f"{path}: a page under a .invalid host must declare itself a sample (<meta name=\"mofcom-kb-sample\">)")
            continue
        checked.files.append(SiteFile(path, url, source, kind, sha256_bytes(content)))
    return checked


def store_site(checked: CheckedSite, archive: Archive) -> ImportSummary:
    """Archive a checked mirror tree as if crawled: url `https://<host>/<path>`, kind page or attachment
    (parent_url from the page linking it)."""
    from ingest.sources import source_module

    summary = ImportSummary(warnings=list(checked.skipped))
    parents: dict[str, tuple[str, str | None]] = {}  # attachment url (no query) → (page url, name)
    ordered = [f for f in checked.files if f.kind == "page"] + [f for f in checked.files if f.kind == "attachment"]
    for item in ordered:
        parent, name = parents.get(item.url, (None, None))
        previous = archive.latest_for(item.url)
        try:
            content = read_no_follow(item.path)
            if sha256_bytes(content) != item.sha256:
                raise OSError("changed since it was checked; import it again")
            record, is_new = archive.store(content, url=item.url, source=item.source, kind=item.kind,
                                           status=200, content_type=_content_type(item.path), parent_url=parent,
                                           name=name)
        except (OSError, ValueError) as exc:
            summary.failed.append(f"{item.path}: {exc}")
            continue
        summary.count(is_new, previous is not None)
        if item.kind == "page":
            try:
                links = source_module(item.source).discover(content, record)
            except ValueError as exc:  # a page its source cannot read: archived, its attachments unlinked
                summary.warnings.append(f"{item.path}: links not read ({exc})")
                continue
            for link in links:
                parents.setdefault(link.url.split("?")[0], (item.url, link.name))
    return summary


def import_site(root: Path, archive: Archive) -> ImportSummary:
    """A whole mirror tree, or nothing (ImportRefused / SiteImportError naming every bad file)."""
    checked = check_site(root)
    if checked.errors:
        raise ImportRefused(checked.errors)
    return store_site(checked, archive)


@dataclass
class ImportPlan:
    """Everything named on the command line, read and checked; `store` archives it."""

    sites: list[CheckedSite] = field(default_factory=list)
    snapshots: list[CheckedSnapshot] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def plan_import(sources: list[Path]) -> ImportPlan:
    """Check every snapshot file and mirror tree named (a folder: its `site/` tree and its *.jsonl files,
    never through a symbolic link) before anything is stored."""
    plan = ImportPlan()
    for source in sources:
        files = [source]
        if source.is_dir():
            site = source / SITE_DIR
            if site.is_symlink():
                plan.skipped.append(f"{site}: skipped: a symbolic link (import never follows links)")
            elif site.is_dir():
                checked_site = check_site(site)
                plan.sites.append(checked_site)
                plan.errors += checked_site.errors
            files = []
            for path in sorted(source.glob("*.jsonl")):
                if path.is_symlink():
                    plan.skipped.append(f"{path}: skipped: a symbolic link (import never follows links)")
                elif path.is_file():
                    files.append(path)
        for path in files:
            checked = read_snapshot(path)
            plan.snapshots.append(checked)
            plan.errors += checked.reports(checked.errors)
    return plan


def run_import(plan: ImportPlan, archive: Archive) -> list[tuple[Path, ImportSummary]]:
    if plan.errors:
        raise ImportRefused(plan.errors)
    done = [(site.root, store_site(site, archive)) for site in plan.sites]
    done += [(checked.path, store_snapshot(checked, archive)) for checked in plan.snapshots]
    return done


def _content_type(path: Path) -> str:
    return {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".json": "application/json"}.get(
        path.suffix.lower(), "application/octet-stream")
