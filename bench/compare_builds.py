"""Compare two built databases table by table: every ordinary table row for row (ids included, in
rowid order) and every FTS5 index by its full logical content (fts5vocab 'instance': each token's
term, row, column and offset), so a change meant only to make the build faster can be checked to
give the same file content. Prints one line per difference; exit status 1 when any.

    .venv/bin/python -m bench.compare_builds A.db B.db
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from pathlib import Path

# Shadow tables of FTS5 hold the index in a physical layout (segment ids, page splits) that depends on
# when merges happened, not on what is indexed; their logical content is compared instead.
_SHADOW = ("_data", "_idx", "_docsize", "_config", "_content")


def _digest(conn: sqlite3.Connection, sql: str) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    for row in conn.execute(sql):
        h.update(repr(row).encode())
        n += 1
    return n, h.hexdigest()


def fingerprints(db: Path) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        master = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        fts = [name for kind, name, sql in master if kind == "table" and sql and "VIRTUAL TABLE" in sql.upper()]
        out: dict[str, tuple[int, str]] = {"sqlite_master": (len(master), hashlib.sha256(repr(master).encode())
                                                             .hexdigest())}
        for kind, name, _sql in master:
            if kind != "table" or name in fts or any(name == f + s for f in fts for s in _SHADOW):
                continue
            out[name] = _digest(conn, f'SELECT * FROM "{name}" ORDER BY rowid')
        for name in fts:
            conn.execute(f'CREATE VIRTUAL TABLE temp."v_{name}" USING fts5vocab(main, "{name}", instance)')
            out[f"{name} (tokens)"] = _digest(conn, f'SELECT * FROM temp."v_{name}"')  # term, row, column, offset order
            out[f"{name} (docsize)"] = _digest(conn, f'SELECT * FROM "{name}_docsize" ORDER BY 1')
        return out
    finally:
        conn.close()


# build_info keys that name the code (the pipeline's digest and the inputs fingerprint built from it): they
# differ whenever kb/extract's code did, however the tables came out. Listed, never counted.
VERSION_KEYS = ("pipeline_version", "inputs_fingerprint")


def build_info(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM build_info"))
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    a, b = fingerprints(Path(argv[0])), fingerprints(Path(argv[1]))
    info_a, info_b = build_info(Path(argv[0])), build_info(Path(argv[1]))
    for key in sorted(k for k in info_a.keys() | info_b.keys() if info_a.get(k) != info_b.get(k)):
        print(f"build_info {key}: {info_a.get(key)} != {info_b.get(key)}"
              + (" (the code's version: not counted)" if key in VERSION_KEYS else ""))
    if all(k in VERSION_KEYS for k in info_a.keys() ^ info_b.keys()) and all(
            info_a[k] == info_b[k] for k in info_a.keys() & info_b.keys() if k not in VERSION_KEYS):
        a.pop("build_info", None)
        b.pop("build_info", None)
    differences = 0
    for name in sorted(a.keys() | b.keys()):
        if a.get(name) != b.get(name):
            differences += 1
            print(f"{name}: {a.get(name)} != {b.get(name)}")
    print(f"{len(a.keys() | b.keys())} tables compared, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
