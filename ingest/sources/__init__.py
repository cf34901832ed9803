"""One folder per source. Each source module exposes `NAME` and
`parse(content: bytes, record: Record) -> Document` (pure), and crawlable sources
also a declarative `SPEC` and `discover(content, record) -> links`.

A new source touches one place: its folder, plus its name in SOURCES below.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SOURCES = ("snapshot", "portal", "www", "aqygzj", "catalogue_data")
CRAWLABLE = ("portal", "www", "aqygzj")  # sources with a SPEC and discover()


def source_module(name: str) -> ModuleType:
    if name not in SOURCES:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    return importlib.import_module(f"ingest.sources.{name}")
