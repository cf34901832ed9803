"""Datasette metadata of the fact tables the registry describes (kb/fact_types.yml `describe`): title,
description, facets and column descriptions, with the licence and source every table of metadata.yml
carries. metadata.yml still wins where it describes a table itself (Datasette puts local metadata last)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from datasette import hookimpl

from kb.fact_types import fact_types
from kb.paths import DATASETTE_DIR, DB_NAME

PROVENANCE = ("license", "license_url", "source", "source_url")


@cache
def provenance() -> dict[str, str]:
    local = yaml.safe_load((DATASETTE_DIR / "metadata.yml").read_text(encoding="utf-8"))
    return {key: local[key] for key in PROVENANCE if key in local}


def described_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for ft in fact_types():
        if ft.describe and ft.table:
            d = ft.describe
            tables[ft.table] = {
                "title": f"{d['title']['zh']} {d['title']['en']}",
                "description": d["description"],
                **provenance(),
                **({"facets": list(d["facets"])} if d.get("facets") else {}),
                "columns": dict(d.get("columns") or {}),
            }
    return tables


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    return {"databases": {DB_NAME: {"tables": described_tables()}}}
