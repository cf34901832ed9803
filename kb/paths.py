"""Where things live: the data directory holds the raw archive and the built database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "MOFCOM_KB_DATA_DIR"
DB_NAME = "mofcom"  # served as /mofcom, /mofcom.json
REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = REPO_ROOT / "datasette"
SAMPLES_DIR = REPO_ROOT / "ingest" / "samples"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, value: str | os.PathLike[str] | None = None) -> DataDir:
        return cls(Path(value or os.environ.get(DATA_DIR_ENV) or "data").resolve())

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def db(self) -> Path:
        return self.root / f"{DB_NAME}.db"

    @property
    def state(self) -> Path:
        """Crawl and build state (resumption, incremental caches)."""
        return self.root / "state"
