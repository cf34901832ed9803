"""The rule patterns (patterns.yaml beside this module), loaded and compiled once."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATTERNS_FILE = Path(__file__).with_name("patterns.yaml")


@cache
def patterns() -> dict[str, Any]:
    with open(PATTERNS_FILE, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@cache
def compiled(section: str, key: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(patterns()[section][key], flags)
