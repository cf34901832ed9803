"""The `mofcom-kb` command: one subcommand per step of fetch → archive → parse → extract → load → publish.

Exit codes: 0 ok; 1 the step failed (one-line reason on stderr); 2 bad usage.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kb.errors import KbError
from kb.facts import LIST_NAMES
from kb.paths import DATA_DIR_ENV, DataDir

if TYPE_CHECKING:
    from kb.build import BuildSummary


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    default="data",
    show_default=True,
    help=f"Holds the raw archive and the built database (env: {DATA_DIR_ENV}).",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path) -> None:
    """mofcom-kb: a cited knowledge base of China's export-control regime from MOFCOM's publications."""
    ctx.obj = DataDir.resolve(data_dir)


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def import_(data: DataDir, sources: tuple[Path, ...]) -> None:
    """Archive snapshot files (JSON Lines shaped like the portal corpus) or a folder of them, offline.

    Catalogue dataset files (the control list's codes as JSON Lines, a licence catalogue's HS numbers as
    JSON: ingest/catalogue/editions.yml) are archived whole and built like a catalogue PDF.

    A folder's `site/<host>/<path>` mirror tree is archived too, as pages and attachments of their source.
    Everything named is checked first: one bad line or file and nothing is stored (each problem is reported
    on its own line). A record without a source_url is imported with its URL unknown (a warning). Symbolic
    links inside a folder are never followed."""
    from ingest.archive import Archive
    from ingest.snapshot_import import ImportRefused, plan_import, run_import

    plan = plan_import(list(sources))
    for line in plan.skipped:
        click.echo(f"warning: {line}", err=True)
    try:
        done = run_import(plan, Archive(data.archive))
    except ImportRefused as exc:
        for line in exc.reports:
            click.echo(f"mofcom-kb: {line}", err=True)
        raise KbError(f"{len(exc.reports)} problem(s) in {', '.join(map(str, sources))}: nothing imported") from None
    for path, summary in done:
        for line in summary.warnings:
            click.echo(f"warning: {line}", err=True)
        for line in summary.failed:
            click.echo(f"  failed: {line}", err=True)
        click.echo(f"{path}: {summary.new} new, {summary.changed} changed, "
                   f"{summary.unchanged} unchanged, {len(summary.failed)} failed")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--line", type=int, default=None, help="Only this line of a JSON Lines snapshot.")
def parse(file: Path, line: int | None) -> None:
    """Parse one snapshot file and print its documents as JSON."""
    from ingest.sources import snapshot

    documents = snapshot.parse_file(file, line)
    click.echo(json.dumps([d.to_json() for d in documents], ensure_ascii=False, indent=1))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--line", type=int, default=None, help="Only this line of a JSON Lines snapshot.")
@click.pass_obj
def extract(data: DataDir, file: Path, line: int | None) -> None:
    """Extract the facts of a snapshot file (.jsonl) or one archived/HTML page; print them as JSON."""
    from kb.extract import extract_many
    from kb.extract.inputs import documents_from

    documents = documents_from(file, line, data.archive)
    click.echo(json.dumps([f.to_json() for f in extract_many(documents)], ensure_ascii=False, indent=1))


@cli.command()
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable): portal, www, aqygzj.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only items the lists date on or after DATE (YYYY-MM-DD); stops paging older lists.")
@click.option("--dry-run", is_flag=True, help="Fetch the lists only; print what would be fetched; store nothing.")
@click.option("--mirror", metavar="URL", default=None,
              help="Send https://<host>/<path> to URL/<host>/<path> (a local replay of the sites).")
@click.option("--rate", type=float, default=1.0, show_default=True, help="Requests per second per host.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=int, default=4, show_default=True, help="Retries on timeouts, 5xx and 429.")
@click.option("--backoff", type=float, default=2.0, show_default=True,
              help="First retry delay in seconds; doubles per attempt, jittered.")
@click.option("--max-bytes", type=int, default=64 * 1024 * 1024, show_default=True, help="Body size cap.")
@click.option("--late-retries", type=int, default=2, show_default=True,
              help="Rounds of retrying transient failures (timeouts, 5xx, JS-only frames, bot checks) at the end.")
@click.option("--late-backoff", type=float, default=60.0, show_default=True,
              help="Seconds after a transient failure before its first late retry; doubles per round.")
@click.option("--progress/--no-progress", default=None, help="Progress display (default: on a terminal).")
@click.option("--contact", envvar="MOFCOM_KB_CONTACT", default=None,
              help="Your e-mail or URL, sent in the User-Agent; required for live crawls (env: MOFCOM_KB_CONTACT).")
@click.pass_obj
def fetch(data: DataDir, sources: tuple[str, ...], since: object, dry_run: bool, mirror: str | None,
          rate: float, timeout: float, retries: int, backoff: float, max_bytes: int, late_retries: int,
          late_backoff: float, progress: bool | None, contact: str | None) -> None:
    """Crawl MOFCOM's sites politely into the raw archive (resumable; conditional requests)."""
    from ingest.crawl import run_fetch

    code = run_fetch(data.archive, data.state, sources=sources, since=since, dry_run=dry_run, mirror=mirror, rate=rate,
                     timeout=timeout, retries=retries, backoff=backoff, max_bytes=max_bytes, progress=progress,
                     contact=contact, late_retries=late_retries, late_backoff=late_backoff)
    sys.exit(code)


@cli.command()
@click.option("--full", is_flag=True, help="Re-extract every document, ignoring the facts cache in DIR/state.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) when any extraction check is open (extraction_checks).")
@click.pass_obj
def build(data: DataDir, full: bool, strict: bool) -> None:
    """Build the SQLite knowledge base from the archive alone (no network), atomically."""
    from kb.build import ArchiveDamagedError
    from kb.build import build as run_build
    from kb.open_checks import open_checks

    try:
        summary = run_build(data.archive, data.db, state_dir=data.state, full=full)
    except ArchiveDamagedError as exc:
        for failure in exc.damaged:
            click.echo(f"  damaged: {failure.url}: {failure.reason}", err=True)
        raise
    checks = open_checks(data.db)
    if summary.unchanged:
        click.echo(f"{data.db}: unchanged ({summary.documents} documents; nothing new in the archive or code)")
    else:
        _build_report(data, summary)
    click.echo(f"{data.db}: {len(checks)} open extraction checks (what the texts state but was not extracted)")
    for line in checks:
        click.echo(f"  check: {line}", err=True)
    if strict and checks:
        raise KbError(f"--strict: {len(checks)} open extraction checks")


def _build_report(data: DataDir, summary: BuildSummary) -> None:
    click.echo(
        f"{data.db}: {summary.documents} documents (+{summary.reference_only} known by reference), "
        f"{summary.extracted} extracted, {summary.cached} from cache, {len(summary.failures)} failed to parse, "
        f"{summary.seconds:.1f}s{' (incremental)' if summary.incremental else ''}"
    )
    for failure in summary.failures:
        click.echo(f"  failed: {failure.url}: {failure.reason}", err=True)
    if summary.samples_left_out:
        click.echo(f"{data.db}: {len(summary.samples_left_out)} team-written samples left out "
                   f"(the archive holds real material; samples never build beside it)")
    if summary.samples:
        click.echo(f"{data.db}: built from team-written samples only ({summary.samples} documents, "
                   f"documents.is_sample = 1): not MOFCOM's texts")


@cli.command("export-ftm")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of stdout.")
@click.pass_obj
def export_ftm(data: DataDir, output: Path | None) -> None:
    """Listed entities as FollowTheMoney entities (line-delimited JSON): LegalEntity, Sanction, Document."""
    from kb.ftm_export import export

    lines = list(export(data.db))  # fails (missing database) before any file is opened
    if output is None:
        for line in lines:
            click.echo(line)
        return
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        count = sum(out.write(line + "\n") > 0 for line in lines)
    partial.replace(output)  # a failed export never leaves a half-written file under the final name
    click.echo(f"{count} FtM entities → {output}", err=True)


@cli.command()
@click.option("--clean", is_flag=True, help="Remove what killed writes left: archive .tmp-* files and state *.tmp "
              "older than --min-age, a mofcom.db.new no build is writing.")
@click.option("--min-age", type=float, default=3600.0, show_default=True,
              help="Seconds: a younger temporary may belong to a write in progress and is kept.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object on stdout.")
@click.pass_obj
def verify(data: DataDir, clean: bool, min_age: float, as_json: bool) -> None:
    """Check every archived object against the manifest: present, hashing to its name, no orphans, no torn lines."""
    from ingest.archive import Archive
    from ingest.archive_verify import verify as run_verify
    from kb.cleanup import clean as run_clean

    report = run_verify(Archive(data.archive))
    removed = run_clean(data, min_age) if clean else []
    if as_json:
        click.echo(json.dumps(report.to_json(data.archive, removed), ensure_ascii=False, indent=1))
    else:
        for finding in report.findings:
            click.echo(finding.line(), err=finding.is_error)
        click.echo(f"{data.archive}: {report.summary()}")
        for path in removed:
            click.echo(f"removed: {path}")
    if report.errors:
        kinds = ", ".join(f"{report.count(k)} {k}" for k in ("missing", "corrupt", "malformed") if report.count(k))
        raise KbError(f"{data.archive}: the archive is damaged ({kinds}; listed above); refetch or reimport "
                      "the URLs named to repair objects")


@cli.command("on")
@click.argument("date", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--code", default=None, help="Only control codes that are or start with CODE (1C9, 1C902.a).")
@click.option("--list", "list_name", type=click.Choice(LIST_NAMES), default=None,
              help="Only the entities of this list (default: every list).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_obj
def on(data: DataDir, date: object, code: str | None, list_name: str | None, as_json: bool) -> None:
    """What was in force, suspended or not yet effective on DATE, which control codes were in force, and who
    was on which list (measures in force or suspended)."""
    import datetime as dt

    from rich.console import Console
    from rich.table import Table

    from kb.on_date import on_date, samples_only

    assert isinstance(date, dt.datetime)
    result = on_date(data.db, date.date(), code, list_name)
    if samples_only(data.db):
        click.echo(f"warning: {data.db} was built from team-written samples only, not from MOFCOM's texts", err=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    console = Console()
    statuses = Table("document", "part", "status", "from", "until (excl.)", "caused by",
                     title=f"Status on {date:%Y-%m-%d}")
    for s in result["statuses"]:
        statuses.add_row(s["doc_number"] or s["document_id"], s["part"] or "", s["status"], s["start_date"],
                         s["end_date"] or "", s["caused_by_document_id"] or "")
    controls = Table("control code", "item", "document", "part", title=f"Control codes in force on {date:%Y-%m-%d}")
    for c in result["controls"]:
        controls.add_row(c["control_code"], (c["item"] or "")[:40], c["doc_number"] or c["document_id"], c["part"] or "")
    entities = Table("list", "entity", "listed by", "since", "measures", "until (excl.)", "by",
                     title=f"Entities on the lists on {date:%Y-%m-%d}")
    for e in result["entities"]:
        entities.add_row(e["list_name"], e["name_zh"] + (f" ({e['name_en']})" if e["name_en"] else ""),
                         e["doc_number"] or e["document_id"], e["listed_since"], e["status"],
                         e["status_end_date"] or "",
                         (e["caused_by_number"] or e["caused_by_document_id"] or "") if e["status"] == "suspended" else "")
    console.print(statuses)
    console.print(controls)
    console.print(entities)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--workers", type=int, default=None,
              help="server processes on the port (default: serving.workers in datasette/publishing.yml)")
@click.pass_obj
def serve(data: DataDir, host: str, port: int, workers: int | None) -> None:
    """Serve the built knowledge base with Datasette (web UI and JSON API)."""
    from kb.serve import serve as run_serve

    sys.exit(run_serve(data.db, host, port, workers=workers))


@cli.command("eval")
@click.option("--split", type=click.Choice(["dev", "train", "all"]), default="dev", show_default=True,
              help="Which gold documents to score (annotations/split.json).")
@click.option("--gold", "gold_files", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Score these gold files (or folders of them) instead of a split; repeatable.")
@click.option("--corpus", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Corpus snapshot (JSON Lines) holding the annotated records [default: ../shared/corpus/"
                   "exportcontrol-notices.jsonl].")
@click.option("--json", "as_json", is_flag=True, help="Print scores as JSON.")
@click.option("--errors", is_flag=True, help="Also list every miss and false hit.")
@click.option("--baseline", "with_baseline", is_flag=True, help="Also score the naive regex baseline.")
@click.option("--markdown", is_flag=True, help="Print the README table (extractor beside the naive baseline).")
@click.option("--update-floors", is_flag=True, help="Raise the F1 floors in annotations/baseline.json to these scores.")
@click.option("--allow-lower", metavar="REASON", default=None, help="Let --update-floors lower floors; REASON is recorded.")
def eval_(**options: object) -> None:
    """Score the extraction against the gold annotations: precision, recall, F1 per fact type and span label."""
    from kb.eval.command import EvalOptions, run

    run(EvalOptions(**options))  # type: ignore[arg-type]


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--password", default="", help="Password of a protected PDF.")
def catalogue(file: Path, fmt: str, password: str) -> None:
    """Parse a catalogue PDF (control list, licence catalogue); print its rows with their pages."""
    from ingest.catalogue import parse_catalogue
    from ingest.catalogue.formats import rows_to_csv, rows_to_json

    rows = parse_catalogue(file, password=password)
    click.echo(rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows), nl=fmt == "json")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--amendment", "amendments", multiple=True, metavar="DATE=FILE",
              help="An amending notice's annex PDF and the date it takes effect (repeatable).")
@click.option("--effective", default=None, metavar="DATE", help="The catalogue's own effective date.")
@click.option("--on", "on_date", default=None, metavar="DATE", help="Only the entries in force on DATE.")
def technology(file: Path, amendments: tuple[str, ...], effective: str | None, on_date: str | None) -> None:
    """Parse a technology catalogue PDF (中国禁止出口限制出口技术目录): its entries (编号, 技术名称, 控制要点,
    class, industry, page) as JSON; with --amendment and --on, the entries in force on a date."""
    import dataclasses
    import datetime as dt

    from ingest.catalogue.technology import in_force_on, read_amendment, read_technology_catalogue, timeline

    def day(text: str, what: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise click.BadParameter(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from exc

    entries = read_technology_catalogue(file)
    if on_date:
        changes = []
        for spec in amendments:
            date, _, path = spec.partition("=")
            if not path:
                raise click.BadParameter(f"--amendment {spec!r}: expected DATE=FILE")
            changes.append((day(date, "--amendment"), Path(path).name, read_amendment(Path(path))))
        periods = timeline(entries, day(effective or "0001-01-01", "--effective"), changes)
        entries = list(in_force_on(periods, day(on_date, "--on")).values())
    click.echo(json.dumps([dataclasses.asdict(e) for e in entries], ensure_ascii=False, indent=1))


@cli.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_obj
def diff_(data: DataDir, a: str, b: str, as_json: bool) -> None:
    """Codes and HS numbers added, removed and changed from edition A to edition B.

    A and B are edition ids of the database (control_list@2024-12-01; table catalogue_editions),
    on:DATE (the control codes of the notices in force on DATE), or catalogue files (a PDF, a dataset
    file), parsed on the spot."""
    from kb.editions import diff, entries_of

    name_a, entries_a = entries_of(a, data.db)
    name_b, entries_b = entries_of(b, data.db)
    result = {"a": name_a, "b": name_b, **diff(entries_a, entries_b)}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    codes = result["codes"]
    table = Table("change", "code", "what", title=f"{name_a} → {name_b}")
    for entry in codes["added"]:
        table.add_row("added", entry["control_code"], (entry["description"] or "")[:60])
    for entry in codes["removed"]:
        table.add_row("removed", entry["control_code"], (entry["description"] or "")[:60])
    for change in codes["changed"]:
        for field, (old, new) in change["fields"].items():
            table.add_row("changed", change["control_code"], f"{field}: {str(old)[:40]} → {str(new)[:40]}")
    console.print(table)
    hs = result["hs_codes"]
    console.print(f"HS numbers: {len(hs['added'])} added, {len(hs['removed'])} removed")
    for label in ("added", "removed"):
        if hs[label]:
            console.print(f"  {label}: " + " ".join(hs[label]))


DEBUG_ENV = "MOFCOM_KB_DEBUG"  # set to 1: a bug shows its traceback instead of a one-line report


def _os_reason(exc: OSError) -> str:
    reason = str(exc)
    if exc.errno == errno.ENOSPC and not exc.filename:
        reason += " (the disk holding the data dir is full; nothing half-written is kept)"
    return reason


def main() -> None:
    # pdfminer logs a warning per oddity of a damaged PDF: the build reports the file once, typed.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("mofcom-kb: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OSError as exc:
        click.echo(f"mofcom-kb: {_os_reason(exc)}", err=True)
        sys.exit(1)
    except (KbError, ValueError) as exc:
        click.echo(f"mofcom-kb: {exc}", err=True)
        sys.exit(1)
    except sqlite3.Error as exc:
        click.echo(f"mofcom-kb: SQLite: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("mofcom-kb: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: still one line (the traceback on demand), never a wall of text
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        click.echo(f"mofcom-kb: internal error, please report it: {type(exc).__name__}: {first} "
                   f"({DEBUG_ENV}=1 shows the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
