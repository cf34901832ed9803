"""Build at scale on a generated corpus (bench/corpus.py): full build, incremental build after 10 new
notices and no-op rebuild, each a cold `mofcom-kb build` process (wall time, its peak RSS from wait4,
the database size), and end-to-end characters/s as a ratio of the bare `spacy.blank("zh")` tokenizer
on the same texts, measured in the same run. `make bench` runs 1k and 10k (several minutes;
$MOFCOM_KB_BENCH_SIZES=1000 for a short run):

    .venv/bin/python -m bench.scale_speed [--n 1000] [--n 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import NOTICES_NAME, archive_into, write
from kb.paths import REPO_ROOT

NEW = 10
SAMPLE = 400  # notices whose extraction is timed on its own (bench.extract_speed.measure)
SIZES_ENV = "MOFCOM_KB_BENCH_SIZES"  # e.g. 1000 for a short run; make bench does 1k and 10k
TARGETS = {"full_build_s": {10000: 120.0}, "incremental_s": {10000: 5.0}, "noop_s": {10000: 1.0}}


def cli_build(data: Path, *args: str) -> dict[str, Any]:
    # Output to files, not pipes: nobody reads a pipe during wait4, and a build that prints more than a
    # pipe holds (its open extraction checks at 10k) would block on it for ever.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "kb.cli", "--data-dir", str(data), "build", *args],
                                 cwd=REPO_ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"bench.scale_speed: build failed in {data}: {errors[-2000:]}")
    return {"s": round(seconds, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "load_1min": round(os.getloadavg()[0], 2),
            "output": output.strip()}


def bare_tokenizer_chars_per_s(texts: list[str]) -> tuple[float, float]:
    """The bare tokenizer's characters per second of wall time and per second of CPU time, on a sample."""
    import spacy

    nlp = spacy.blank("zh")
    sample = texts[: max(1, len(texts) // 10)]
    started, cpu = time.perf_counter(), time.process_time()
    chars = 0
    for text in sample:
        nlp.make_doc(text)
        chars += len(text)
    return chars / (time.perf_counter() - started), chars / max(time.process_time() - cpu, 1e-6)


def extraction_speed(gen: Path, lines: list[str]) -> dict[str, Any]:
    """bench.extract_speed's figures on up to SAMPLE of the notices, spread over the corpus's templates."""
    from bench.extract_speed import measure
    from ingest.sources import snapshot

    sample = gen / "extraction-sample.jsonl"
    sample.write_text("\n".join(lines[:: max(1, len(lines) // SAMPLE)][:SAMPLE]) + "\n", encoding="utf-8")
    return measure(snapshot.parse_file(sample), repeat=1)


def run(n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mofcom-kb-scale-") as tmp:
        gen, data = Path(tmp) / "gen", Path(tmp) / "data"
        counts = write(n + NEW, gen)
        lines = (gen / NOTICES_NAME).read_text(encoding="utf-8").splitlines()
        (gen / NOTICES_NAME).write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
        archive_into(gen, data)
        texts = [json.loads(line)["text"] for line in lines[:n]]
        chars = sum(map(len, texts))
        full = cli_build(data)
        noop = cli_build(data)
        (gen / NOTICES_NAME).write_text("\n".join(lines[n:]) + "\n", encoding="utf-8")
        (gen / "attachments.jsonl").write_text("", encoding="utf-8")
        archive_into(gen, data)
        incremental = cli_build(data)
        tokenizer, tokenizer_cpu = bare_tokenizer_chars_per_s(texts)
        end_to_end = chars / full["s"]
        extraction = extraction_speed(gen, lines[:n])
        return {
            "notices": n, "characters": chars, "catalogue_pdfs": counts["catalogue_pdfs"],
            "full_build": full, "noop": noop, f"incremental_after_{NEW}_new": incremental,
            "db_mb": round((data / "mofcom.db").stat().st_size / 2**20, 1),
            "end_to_end_chars_per_s": round(end_to_end), "bare_tokenizer_chars_per_s": round(tokenizer),
            "ratio_to_bare_tokenizer": round(end_to_end / tokenizer, 3),
            # The same per CPU second (the build's processes' CPU time against the tokenizer's): what the
            # shared machine's load does not move, though it gives no credit for the second core.
            "cpu_ratio_to_bare_tokenizer": round((chars / max(full["cpu_s"], 1e-6)) / tokenizer_cpu, 3),
            "noop_ratio_to_full": round(noop["s"] / full["s"], 3),
            # the extraction alone on a sample of the same notices, in one process and over the build's pool,
            # against the bare tokenizer on the same sample (bench/extract_speed.py's figures)
            "extraction": extraction,
            "workers": os.environ.get("MOFCOM_KB_WORKERS", str(len(os.sched_getaffinity(0)))),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append")
    args = parser.parse_args(argv)
    sizes = args.n or [int(n) for n in os.environ.get(SIZES_ENV, "1000,10000").split(",")]
    result: dict[str, Any] = {f"n{n}": run(n) for n in sizes}
    if len(sizes) > 1:
        first, last = result[f"n{sizes[0]}"], result[f"n{sizes[-1]}"]
        result["growth"] = {k: round(last[k]["s"] / max(first[k]["s"], 1e-3), 2)
                            for k in ("full_build", "noop", f"incremental_after_{NEW}_new")}
        result["growth"]["peak_rss"] = round(last["full_build"]["peak_rss_mb"] / first["full_build"]["peak_rss_mb"], 2)
        result["growth"]["db"] = round(last["db_mb"] / first["db_mb"], 2)
        result["growth"]["size"] = sizes[-1] / sizes[0]
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
