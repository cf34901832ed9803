"""A real `datasette` server process over a built database, for the publishing tests.

Started with the exact command `mofcom-kb serve` uses (kb.serve.datasette_command) on a free
127.0.0.1 port; its log goes to a file (an unread pipe would block it) and is shown when it fails.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kb.serve import datasette_command

STARTUP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    pass


@contextmanager
def running_datasette(db_path: Path, log_path: Path) -> Iterator[str]:
    """Yield the base URL (http://127.0.0.1:PORT) of a datasette serving db_path; stop it after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            datasette_command(db_path, "127.0.0.1", port), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise ServerError(f"datasette exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"datasette not up after {STARTUP_SECONDS}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
