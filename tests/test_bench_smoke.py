"""Smoke tests of the bench scripts' own logic (not the benches): the load client counts requests and
errors and computes percentiles, the README tables render from results and keep the markers, and the extraction
bench reports one process and the pool against the tokenizer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench import readme, serve_load_speed


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        status = 500 if self.path.startswith("/bad") else 200
        self.send_response(status)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_load_client_counts_requests_errors_and_percentiles() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        result = serve_load_speed.run_load(base, {"select_1": ["/one"], "broken": ["/bad"]}, clients=2, seconds=0.5)
    finally:
        server.shutdown()
    per = result["endpoints"]
    assert per["select_1"]["requests"] > 0 and per["select_1"]["errors"] == 0
    assert per["broken"]["errors"] == per["broken"]["requests"] > 0
    assert result["errors"] == per["broken"]["errors"] and not result["meets_target"]
    assert per["select_1"]["p50_ms"] <= per["select_1"]["p99_ms"]
    assert serve_load_speed.percentile([1.0, 2.0, 3.0, 4.0], 50) in (2.0, 3.0)


def test_readme_tables_render_between_the_markers() -> None:
    build = {"s": 1.5, "peak_rss_mb": 100.0, "load_1min": 2.0}
    scale = {"n1000": {"notices": 1000, "characters": 10, "full_build": build, "noop": build,
                       "incremental_after_10_new": build, "db_mb": 3.0, "ratio_to_bare_tokenizer": 0.3},
             "growth": {"full_build": 10.0, "noop": 1.0, "incremental_after_10_new": 2.0, "peak_rss": 1.5, "db": 9.0,
                        "size": 10.0}}
    text = readme.build_table(scale)
    assert "| 1000 | 10 | 1.5 (100.0, 2.0) |" in text and "full build ×10.0" in text
    assert "extraction ≥ 0.25" not in text  # no extraction figures, no claim about them
    scale["n1000"]["extraction"] = {"ratio": 0.2, "pooled_ratio": 0.3, "workers": 2, "documents": 400}
    text = readme.build_table(scale)
    assert "| 0.2, 0.3 (2 workers, 400 notices) |" in text
    assert "extraction ≥ 0.25 of the bare tokenizer: 0.3 (met)" in text
    endpoint = {"requests": 5, "errors": 0, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "p99_vs_select_1": 1.0}
    load = {"db_mb": 3.0, "levels": {"c1": {"endpoints": {"select_1": endpoint}, "requests_per_s": 9.0, "errors": 0,
                                            "load_1min": [1.0, 1.1], "meets_target": True}}}
    assert "| select_1 | 1.0 / 3.0 (×1.0) |" in readme.load_table(load)
    assert readme.level_name("c8_uncached") == "8 clients, no cache"
    record = {"measured_at": "2026-12-02T00:00:00+00:00", "result": scale}
    page, changed = readme.regenerate("a\n<!-- generated: bench/results/scale_speed.json -->\nold\n"
                                      "<!-- end generated -->\nb", lambda source: readme.scale_table(record))
    assert changed == ["bench/results/scale_speed.json"] and "| 1000 | 10 | 1.5 (100.0, 2.0) |" in page
    assert page.startswith("a\n<!-- generated: bench/results/scale_speed.json -->\nBuilds (") and page.endswith("b")


def test_extraction_speed_reports_one_process_and_pool_against_the_tokenizer(tmp_path: Path) -> None:
    from bench import extract_speed, scale_speed

    samples = Path(__file__).parent / "fixtures" / "kb-samples.jsonl"
    docs = extract_speed.corpus_documents(samples)
    result = extract_speed.measure(docs * (30 // len(docs) + 1), repeat=1, processes=2)
    assert result["documents"] >= 30 and result["workers"] == 2
    for key in ("tokenizer_chars_per_s", "pipeline_chars_per_s", "pooled_chars_per_s"):
        assert result[key] > 0
    assert result["ratio"] == round(result["pipeline_chars_per_s"] / result["tokenizer_chars_per_s"], 3)
    assert result["pooled_ratio"] == round(result["pooled_chars_per_s"] / result["tokenizer_chars_per_s"], 3)
    lines = samples.read_text(encoding="utf-8").splitlines()
    sampled = scale_speed.extraction_speed(tmp_path, [line for line in lines if json.loads(line).get("text")])
    assert sampled["documents"] == len(docs) and sampled["pooled_chars_per_s"] > 0


def test_every_bench_has_a_readme_table() -> None:
    """A new bench/<name>_speed.py shows in the README: its own table (RENDERERS) or a row of *Every bench*."""
    benches = {p.stem for p in (Path(readme.__file__).parent).glob("*_speed.py")}
    assert benches == set(readme.HEADLINES) | set(readme.RENDERERS)
    table = readme.summary_table()
    assert all(f"`bench.{name}`" in table for name in readme.HEADLINES)
