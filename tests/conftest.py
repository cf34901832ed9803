from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kb.paths import SHARED_CORPUS

REPO = Path(__file__).resolve().parent.parent
# CI sets this: there, a missing corpus is an error, never a silent skip.
REQUIRE_CORPUS = os.environ.get("MOFCOM_KB_REQUIRE_CORPUS") == "1"


def _corpus_dir() -> Path:
    if SHARED_CORPUS.is_dir():
        return SHARED_CORPUS
    if REQUIRE_CORPUS:
        pytest.fail(f"MOFCOM_KB_REQUIRE_CORPUS=1 but {SHARED_CORPUS} is absent")
    pytest.skip(f"real MOFCOM corpus not found at {SHARED_CORPUS} (../shared/corpus beside the checkout)")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return _corpus_dir()


@pytest.fixture(scope="session")
def corpus_notices(corpus_dir: Path) -> list[dict]:
    path = corpus_dir / "exportcontrol-notices.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
