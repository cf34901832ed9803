"""`mofcom-kb serve` stopped by SIGTERM or SIGINT stops Datasette: no process of the serve's tree is
left and the port is free again (before, SIGTERM killed the wrapper and its Datasette child kept
serving), with one process and with several workers; and workers whose supervisor is killed outright
(SIGKILL, nothing forwarded) stop too. Real processes, a real port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from kb_facts_fixture import hand_facts, sample_archive

from kb.build import build
from kb.serve import free_port

REPO = Path(__file__).resolve().parent.parent


def _descendants(pid: int) -> set[int]:
    """Every process below pid (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = Path(f"/proc/{current}/task").iterdir()
            children = {int(c) for t in tasks for c in (t / "children").read_text().split()}
        except (FileNotFoundError, ProcessLookupError):
            continue
        found |= children
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has stopped; its parent (pytest) has just not reaped it


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    sample_archive(root / "archive")
    build(root / "archive", root / "mofcom.db", extractor=hand_facts, version="h")
    return root


def start_serve(data: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kb.cli", "--data-dir", str(data), "serve", "--port", str(port)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO), "MOFCOM_KB_SERVE_WORKERS": str(workers)})


def wait_answering(serve: subprocess.Popen[bytes], port: int, workers: int) -> set[int]:
    """Until the port answers and the tree holds its workers; the pids of the serve's tree."""
    tree: set[int] = set()
    deadline = time.monotonic() + 60
    while True:
        tree |= {serve.pid} | _descendants(serve.pid)
        try:
            up = httpx.get(f"http://127.0.0.1:{port}/mofcom.json", timeout=1).status_code == 200
        except httpx.HTTPError:
            up = False
        if up and len(workers_of(serve.pid)) >= (workers if workers > 1 else 0):
            return tree | _descendants(serve.pid)
        assert serve.poll() is None, serve.stderr.read() if serve.stderr else ""
        assert time.monotonic() < deadline, "serve did not answer"
        time.sleep(0.2)


def workers_of(pid: int) -> set[int]:
    """The supervisor's worker processes (uvicorn spawns them with multiprocessing)."""
    out = set()
    for child in _descendants(pid):
        try:
            if b"multiprocessing.spawn" in Path(f"/proc/{child}/cmdline").read_bytes():
                out.add(child)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


@pytest.mark.parametrize("workers", [1, 2], ids=["1-process", "2-workers"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_serve_stops_datasette_and_frees_the_port(data: Path, signum: int, workers: int) -> None:
    port = free_port()
    serve = start_serve(data, port, workers)
    tree: set[int] = set()
    try:
        tree = wait_answering(serve, port, workers)

        serve.send_signal(signum)  # to the serve process only, as a supervisor (systemd, docker stop) does
        serve.wait(timeout=20)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if _alive(pid)] == [], "a process of `mofcom-kb serve` outlived it"
        assert _port_free(port), f"port {port} still answers after {signal.Signals(signum).name}"
    finally:
        for pid in tree:  # only what this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_workers_stop_when_their_supervisor_is_killed(data: Path) -> None:
    port = free_port()
    serve = start_serve(data, port, 2)
    tree: set[int] = set()
    try:
        tree = wait_answering(serve, port, 2)
        workers = workers_of(serve.pid)
        assert len(workers) == 2
        os.kill(serve.pid, signal.SIGKILL)  # no handler runs: only the kernel can tell the workers
        serve.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in tree if _alive(pid)] == [], "a worker outlived its killed supervisor"
        deadline = time.monotonic() + 5
        while not _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _port_free(port)
    finally:
        for pid in tree:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if serve.poll() is None:
            serve.kill()
            serve.wait()
