from __future__ import annotations

import json
import os
from collections.abc import Iterator
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


KB_SAMPLES = REPO / "tests" / "fixtures" / "kb-samples.jsonl"
CORPUS_FILES = ("exportcontrol-notices.jsonl",)  # the acceptance build adds entity-list-notices (test_samples.py)


def _import_samples(archive_root: Path) -> None:
    """Team-written samples: ingest/samples/*.jsonl and tests/fixtures/kb-samples.jsonl (terms the corpus
    texts lack: 镓 in a title, 1C902, 锂电池, a 10-digit HS number). Not the site tree: its pages restate
    2023 No. 23 and 2025 No. 18 too, and one text per number survives deduplication."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot
    from kb.paths import SAMPLES_DIR

    archive = Archive(archive_root)
    for file in sorted(SAMPLES_DIR.glob("*.jsonl")):
        import_snapshot(file, archive)
    import_snapshot(KB_SAMPLES, archive)


def _import_for_kb(archive_root: Path) -> None:
    """The corpus build: the samples, plus the real corpus notices when present (required in CI). With the
    corpus, the build leaves the samples out (samples never pose as data: ingest/archive_documents.py)."""
    from ingest.archive import Archive
    from ingest.snapshot_import import import_snapshot

    _import_samples(archive_root)
    if SHARED_CORPUS.is_dir():
        for name in CORPUS_FILES:
            import_snapshot(SHARED_CORPUS / name, Archive(archive_root))
    elif REQUIRE_CORPUS:
        pytest.fail(f"MOFCOM_KB_REQUIRE_CORPUS=1 but {SHARED_CORPUS} is absent")


@pytest.fixture(scope="session")
def built_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base built once per session into a tmp data dir from the samples and, when present,
    ../shared/corpus/exportcontrol-notices.jsonl (then the samples are left out).
    Returns the path of the built mofcom.db."""
    from kb.build import build
    from kb.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("kb-data"))
    _import_for_kb(data.archive)
    build(data.archive, data.db)
    return data.db


@pytest.fixture(scope="session")
def samples_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of the team-written samples alone (every document is_sample = 1): what a fresh
    clone builds offline. For tests of terms only the samples print (镓, 1C902, 锂电池, 2805301910)."""
    from kb.build import build
    from kb.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("kb-samples"))
    _import_samples(data.archive)
    build(data.archive, data.db)
    return data.db


@pytest.fixture(scope="session")
def served_samples_kb(samples_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mofcom-kb serve` over samples_kb (see served_kb)."""
    from kb.serve import running_datasette

    with running_datasette(samples_kb, tmp_path_factory.mktemp("datasette-samples") / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def served_kb(built_kb: Path, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `datasette` process (the `mofcom-kb serve` command) over built_kb on a free 127.0.0.1
    port, shared by the publishing and browser tests. Yields its base URL; the log is in a tmp file."""
    from kb.serve import running_datasette

    with running_datasette(built_kb, tmp_path_factory.mktemp("datasette") / "server.log") as base:
        yield base


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the parsers' output (then review the diff by reading the texts)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True with `pytest --update-golden` or MOFCOM_KB_UPDATE_GOLDEN=1."""
    return bool(request.config.getoption("--update-golden")) or os.environ.get("MOFCOM_KB_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with hostile payloads in every free-text field (tests/hostile_kb.py)."""
    from hostile_kb import build_hostile_kb

    return build_hostile_kb(tmp_path_factory.mktemp("hostile-kb"))


@pytest.fixture(scope="session")
def served_hostile_kb(hostile_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from kb.serve import running_datasette

    with running_datasette(hostile_kb, tmp_path_factory.mktemp("datasette-hostile") / "server.log") as base:
        yield base
