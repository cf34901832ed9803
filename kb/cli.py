"""The `mofcom-kb` command: one subcommand per step of fetch → archive → parse → extract → load → publish.

Exit codes: 0 ok; 1 the step failed (one-line reason on stderr); 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kb.errors import KbError
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

    A folder's `site/<host>/<path>` mirror tree is archived too, as pages and attachments of their source."""
    from ingest.archive import Archive
    from ingest.snapshot_import import SITE_DIR, import_site, import_snapshot

    archive = Archive(data.archive)
    for source in sources:
        if source.is_dir() and (source / SITE_DIR).is_dir():
            site = import_site(source / SITE_DIR, archive)
            click.echo(f"{source / SITE_DIR}: {site.new} new, {site.changed} changed, "
                       f"{site.unchanged} unchanged, {len(site.failed)} failed")
        files = sorted(source.glob("*.jsonl")) if source.is_dir() else [source]
        for file in files:
            summary = import_snapshot(file, archive)
            click.echo(
                f"{file}: {summary.new} new, {summary.changed} changed, "
                f"{summary.unchanged} unchanged, {len(summary.failed)} failed"
            )


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
@click.option("--progress/--no-progress", default=None, help="Progress display (default: on a terminal).")
@click.option("--contact", envvar="MOFCOM_KB_CONTACT", default=None,
              help="Your e-mail or URL, sent in the User-Agent; required for live crawls (env: MOFCOM_KB_CONTACT).")
@click.pass_obj
def fetch(data: DataDir, sources: tuple[str, ...], since: object, dry_run: bool, mirror: str | None,
          rate: float, timeout: float, retries: int, backoff: float, max_bytes: int,
          progress: bool | None, contact: str | None) -> None:
    """Crawl MOFCOM's sites politely into the raw archive (resumable; conditional requests)."""
    from ingest.crawl import run_fetch

    code = run_fetch(data.archive, data.state, sources=sources, since=since, dry_run=dry_run, mirror=mirror, rate=rate,
                     timeout=timeout, retries=retries, backoff=backoff, max_bytes=max_bytes, progress=progress,
                     contact=contact)
    sys.exit(code)


@cli.command()
@click.option("--full", is_flag=True, help="Re-extract every document, ignoring the facts cache in DIR/state.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) when any extraction check is open (extraction_checks).")
@click.pass_obj
def build(data: DataDir, full: bool, strict: bool) -> None:
    """Build the SQLite knowledge base from the archive alone (no network), atomically."""
    from kb.build import build as run_build
    from kb.open_checks import open_checks

    summary = run_build(data.archive, data.db, state_dir=data.state, full=full)
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


@cli.command("on")
@click.argument("date", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--code", default=None, help="Only control codes that are or start with CODE (1C9, 1C902.a).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_obj
def on(data: DataDir, date: object, code: str | None, as_json: bool) -> None:
    """What was in force, suspended or not yet effective on DATE, and which control codes were in force."""
    import datetime as dt

    from rich.console import Console
    from rich.table import Table

    from kb.on_date import on_date

    assert isinstance(date, dt.datetime)
    result = on_date(data.db, date.date(), code)
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
    console.print(statuses)
    console.print(controls)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.pass_obj
def serve(data: DataDir, host: str, port: int) -> None:
    """Serve the built knowledge base with Datasette (web UI and JSON API)."""
    from kb.serve import serve as run_serve

    sys.exit(run_serve(data.db, host, port))


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


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("mofcom-kb: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KbError, OSError, ValueError) as exc:
        click.echo(f"mofcom-kb: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("mofcom-kb: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
