"""`mofcom-kb serve`: Datasette over the built database, with the datasette/ configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kb.errors import KbError
from kb.paths import DATASETTE_DIR


def datasette_command(db_path: Path, host: str, port: int, immutable: bool = True) -> list[str]:
    if not db_path.exists():
        raise KbError(f"{db_path}: no database yet (run `mofcom-kb build` first)")
    cmd = [sys.executable, "-m", "datasette", "serve", "--host", host, "--port", str(port)]
    # Immutable: Datasette skips change checks and can cache; `build` swaps in a new file, never edits.
    cmd += ["-i", str(db_path)] if immutable else [str(db_path)]
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


def serve(db_path: Path, host: str, port: int) -> int:
    return subprocess.call(datasette_command(db_path, host, port))
