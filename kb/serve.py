"""`mofcom-kb serve`: Datasette over the built database, with the datasette/ configuration.

`serve` replaces its own process with Datasette's (exec): the process a supervisor, a terminal or
systemd started is the server itself, so SIGTERM and SIGINT reach Datasette directly and stop it
cleanly, and no child can be left serving behind a killed parent.

With more than one worker (`serving.workers` in datasette/publishing.yml, `$MOFCOM_KB_SERVE_WORKERS`,
`mofcom-kb serve --workers`) the command is `python -m kb.serve`: it checks the database and the
configuration once as `datasette serve` would (a corrupt file is the same one-line error), then runs
uvicorn's supervisor over N Datasette processes sharing the port, each built by `worker_app` from the
same `datasette serve` arguments. One Python process answers one request at a time (the GIL); the
machine has more cores. The supervisor stops its workers on SIGTERM and SIGINT and each worker asks
the kernel to stop it when the supervisor dies (PR_SET_PDEATHSIG), so no worker outlives it.

`running_datasette` starts the same command in the background (tests, benches) and waits until it
answers; its log goes to a file, because an unread pipe would fill up and block the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.paths import DATASETTE_DIR
from kb.web_safety import settings as publishing

STARTUP_SECONDS = 30.0
WORKERS_ENV = "MOFCOM_KB_SERVE_WORKERS"
ARGS_ENV = "MOFCOM_KB_DATASETTE_ARGS"  # a worker's `datasette serve` arguments (JSON), set by the supervisor
MAX_WORKERS = 16


def worker_count(requested: int | None = None) -> int:
    """Server processes: the argument, else $MOFCOM_KB_SERVE_WORKERS, else publishing.yml's serving.workers."""
    source, value = "--workers", requested
    if value is None and os.environ.get(WORKERS_ENV, "").strip():
        source, raw = f"${WORKERS_ENV}", os.environ[WORKERS_ENV].strip()
        try:
            value = int(raw)
        except ValueError:
            raise KbError(f"{source}={raw!r}: not a number of worker processes") from None
    if value is None:
        source, value = "publishing.yml serving.workers", int((publishing().get("serving") or {}).get("workers", 1))
    if not 1 <= value <= MAX_WORKERS:
        raise KbError(f"{source}={value}: worker processes must be between 1 and {MAX_WORKERS}")
    return value


def inspect_file(db_path: Path) -> Path | None:
    """`datasette inspect`'s data for the immutable file (each table's row count), beside it: Datasette
    then answers a table's unfiltered count without counting. Rewritten when the file is another build
    (its fingerprint or size changed); None where it cannot be written (a read-only data dir)."""
    path = db_path.with_name(db_path.name + ".inspect.json")
    size = db_path.stat().st_size
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        found = conn.execute("SELECT value FROM build_info WHERE key = 'inputs_fingerprint'").fetchone()
        build_id = f"{found[0] if found else ''}:{size}:{db_path.stat().st_mtime_ns}"
        with contextlib.suppress(OSError, ValueError, KeyError):
            if json.loads(path.read_text(encoding="utf-8"))[db_path.stem]["build"] == build_id:
                return path
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {t: {"count": conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]} for t in tables}
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    data = {db_path.stem: {"hash": build_id, "build": build_id, "size": size, "file": db_path.name, "tables": counts}}
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    return path


def datasette_command(db_path: Path, host: str, port: int, immutable: bool = True,
                      workers: int | None = None) -> list[str]:
    if not db_path.exists():
        raise KbError(f"{db_path}: no database yet (run `mofcom-kb build` first)")
    n = worker_count(workers)
    launcher = ["datasette"] if n == 1 else ["kb.serve", "--workers", str(n)]
    cmd = [sys.executable, "-m", *launcher, "serve", "--host", host, "--port", str(port)]
    # Immutable: Datasette skips change checks and can cache; `build` swaps in a new file, never edits.
    cmd += ["-i", str(db_path)] if immutable else [str(db_path)]
    counts = inspect_file(db_path) if immutable else None
    if counts is not None:
        cmd += ["--inspect-file", str(counts)]
    metadata = DATASETTE_DIR / "metadata.yml"
    if metadata.exists():
        cmd += ["--metadata", str(metadata)]
    for flag, sub in (("--plugins-dir", "plugins"), ("--template-dir", "templates")):
        if (DATASETTE_DIR / sub).is_dir():
            cmd += [flag, str(DATASETTE_DIR / sub)]
    if (DATASETTE_DIR / "static").is_dir():
        cmd += ["--static", f"static:{DATASETTE_DIR / 'static'}"]
    settings = DATASETTE_DIR / "settings.json"
    if settings.exists():
        for key, value in json.loads(settings.read_text()).items():
            cmd += ["--setting", key, str(value)]
    return cmd


def serve(db_path: Path, host: str, port: int, workers: int | None = None) -> int:
    """Become Datasette, or the supervisor of its workers (never returns unless exec itself fails)."""
    command = datasette_command(db_path, host, port, workers=workers)
    n = worker_count(workers)
    print(f"mofcom-kb: serving {db_path} on http://{host}:{port}/mofcom with {n} process{'es' if n > 1 else ''} "
          "(Ctrl-C or SIGTERM stops it)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os.execv(command[0], command)
    return 1  # unreachable: execv raises OSError (a one-line error from the CLI) when it fails


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def last_line(log_path: Path) -> str:
    lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "(empty log)"


@contextmanager
def running_datasette(db_path: Path, log_path: Path, startup_seconds: float = STARTUP_SECONDS) -> Iterator[str]:
    """Serve db_path on a free 127.0.0.1 port in the background; yield its base URL, stop it after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(datasette_command(db_path, "127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + startup_seconds
        while not _answers(f"{base}/-/versions.json"):
            if process.poll() is not None:
                raise KbError(f"{db_path}: datasette exited with {process.returncode}: {last_line(log_path)} "
                              f"(log: {log_path})")
            if time.monotonic() > deadline:
                raise KbError(f"{db_path}: datasette not answering after {startup_seconds}s (log: {log_path})")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- several worker processes ---------------------------------------------------------------------


def _datasette_instance(args: list[str]) -> Any:
    """The Datasette that `datasette serve ARGS` would run (Datasette's own option parsing and checks)."""
    from datasette.cli import serve as serve_command

    ctx = serve_command.make_context("datasette serve", list(args))
    with ctx:
        return serve_command.callback(**ctx.params, return_instance=True), ctx.params


def _die_with_parent() -> None:
    """SIGTERM this process when its parent (the supervisor) dies, even by SIGKILL (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the supervisor died before the call
            os.kill(os.getpid(), signal.SIGTERM)


def worker_app() -> Any:
    """uvicorn's factory in each worker: the ASGI app of `datasette serve $MOFCOM_KB_DATASETTE_ARGS`
    (Datasette runs its startup hooks on uvicorn's lifespan startup, before the worker takes requests)."""
    _die_with_parent()
    ds, _params = _datasette_instance(json.loads(os.environ[ARGS_ENV]))
    return ds.app()


def _check(args: list[str], out: int) -> int:
    """`datasette serve`'s checks (options, plugins' startup, each database opens): 0 and the host and
    port written to `out`, or Datasette's exit code after its one-line error."""
    import click
    from datasette.cli import check_databases, run_sync

    try:
        ds, params = _datasette_instance(args)
        run_sync(ds.invoke_startup)
        run_sync(lambda: check_databases(ds))
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.exceptions.Exit as e:  # --help-settings and the like
        return e.exit_code
    os.write(out, json.dumps({"host": params["host"], "port": params["port"]}).encode())
    return 0


def checked(args: list[str]) -> tuple[int, dict[str, Any]]:
    """_check in a forked child, so the supervisor never loads Datasette, its plugins or the word
    segmenter (about 200 MB it would hold while it only watches its workers)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check, report, exit without running the parent's cleanup
        os.close(read_end)
        code = 1
        try:
            code = _check(args, write_end)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return code, (json.loads(reported) if code == 0 and reported else {})


def run_workers(workers: int, args: list[str]) -> int:
    """Check the configuration and the database as `datasette serve` does, then supervise `workers`
    processes serving them on one port."""
    code, params = checked(args)
    if code != 0:
        return code
    import uvicorn

    os.environ[ARGS_ENV] = json.dumps(args)
    uvicorn.run("kb.serve:worker_app", factory=True, host=params["host"], port=params["port"], workers=workers,
                log_level="info", lifespan="on")
    return 0


def main(argv: list[str]) -> int:
    """`python -m kb.serve --workers N serve DATASETTE-SERVE-ARGS...`"""
    if len(argv) < 3 or argv[0] != "--workers" or argv[2] != "serve":
        print("usage: python -m kb.serve --workers N serve [datasette serve options] FILES", file=sys.stderr)
        return 2
    try:
        return run_workers(worker_count(int(argv[1])), argv[3:])
    except (KbError, ValueError) as e:
        print(f"mofcom-kb serve: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
