"""Overlapping status layers flattened into stretches: between consecutive change points, the layer that
wins (highest rank, then the latest start, then its cause). Document status (kb/status.py) and list
membership (kb/list_membership.py) layer suspensions, repeals and resumptions this way. Dates are ISO
strings; a layer's end is exclusive, None = open."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol, TypeVar


class Layer(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str | None: ...
    @property
    def caused_by(self) -> str | None: ...


L = TypeVar("L", bound=Layer)


def change_points(layers: Iterable[Layer], after: str | None = None) -> list[str]:
    """Every start and end, sorted; with `after`, only those after it, and `after` itself first."""
    starts_ends = {x.start for x in layers} | {x.end for x in layers if x.end}
    if after is None:
        return sorted(starts_ends)
    return sorted({after} | {p for p in starts_ends if p > after})


def top_stretches(layers: Sequence[L], rank: Mapping[str, int], points: list[str]) -> Iterator[tuple[str, str | None, L]]:
    """(start, end, winning layer) for each stretch some layer covers."""
    for i, at in enumerate(points):
        end = points[i + 1] if i + 1 < len(points) else None
        live = [x for x in layers if x.start <= at and (x.end is None or at < x.end)]
        if live:
            yield at, end, max(live, key=lambda x: (rank[x.status], x.start, x.caused_by or ""))
