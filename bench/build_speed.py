"""Build speed: a full build of the corpus against a no-op rebuild (issue 6's bar: the no-op takes
< 10% of the full build), plus a rebuild that re-reads every document but takes all facts from the
cache, and one after new archive content. Each is a cold `mofcom-kb build` process, wall time, best of N.

    .venv/bin/python -m bench.build_speed [--corpus PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kb.paths import REPO_ROOT, SAMPLES_DIR, SHARED_CORPUS

BAR = 0.10
# New real material for the "after new documents" build: records of the other real snapshot. (Team-written
# samples would not do: a build of real material leaves samples out, so they would add nothing to extract.)
NEW_FROM = "entity-list-notices.jsonl"
NEW_COUNT = 3


def cli(data: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kb.cli", "--data-dir", str(data), *args],
                          capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"mofcom-kb {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed, proc.stdout.strip()


def extracted(output: str) -> int:
    m = re.search(r"(\d+) extracted", output)
    return int(m.group(1)) if m else 0


def run(corpus: Path, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mofcom-kb-bench-") as tmp:
        data = Path(tmp) / "data"
        cli(data, "import", str(SAMPLES_DIR / "snapshot.jsonl"), str(corpus))
        full, noop, cached = [], [], []
        for _ in range(repeat):
            shutil.rmtree(data / "state", ignore_errors=True)
            (data / "mofcom.db").unlink(missing_ok=True)
            seconds, out = cli(data, "build")
            full.append(seconds)
            documents = extracted(out)
            seconds, out = cli(data, "build")
            assert extracted(out) == 0, out
            noop.append(seconds)
            (data / "mofcom.db").unlink()
            seconds, out = cli(data, "build")
            assert extracted(out) == 0, out
            cached.append(seconds)
        lines = [line for line in (corpus.parent / NEW_FROM).read_text(encoding="utf-8").splitlines() if line.strip()]
        extra = Path(tmp) / "new.jsonl"
        extra.write_text("\n".join(lines[:NEW_COUNT]) + "\n", encoding="utf-8")
        cli(data, "import", str(extra))
        new_seconds, out = cli(data, "build")
        result = {
            "documents_extracted_by_full_build": documents,
            "full_build_s": round(min(full), 3),
            "noop_rebuild_s": round(min(noop), 3),
            "noop_ratio": round(min(noop) / min(full), 3),
            "all_facts_cached_rebuild_s": round(min(cached), 3),
            f"after_{NEW_COUNT}_new_documents_s": round(new_seconds, 3),
            f"extracted_after_{NEW_COUNT}_new_documents": extracted(out),
            "bar": BAR,
            "repeat": repeat,
        }
        # the new documents must have been extracted, or the figure measures nothing
        result["ok"] = result["noop_ratio"] < BAR and result[f"extracted_after_{NEW_COUNT}_new_documents"] == NEW_COUNT
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS / "exportcontrol-notices.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"build_speed: corpus {args.corpus} not found", file=sys.stderr)
        return 1
    result = run(args.corpus, args.repeat)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
