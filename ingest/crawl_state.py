"""Crawl state under `<data dir>/state/crawl/`: an append-only journal of runs.

    journal.jsonl   {"event": "start", "run", "sources", "since"}
                    {"event": "done", "run", "key"}          a fetch whose outcome is in the archive
                    {"event": "failed", "run", "key", "link", "reason"}
                    {"event": "finish", "run"}

A run without its "finish" line was interrupted: the next run with the same sources and
--since resumes it, skipping every key already done (their archived bytes are re-read
for discovery, never re-requested). Keys whose newest event is "failed" are retried by
the next run. A torn last line (killed mid-write) is ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.sources.spec import Link


def link_to_json(link: Link) -> dict[str, Any]:
    data = asdict(link)
    data["date"] = link.date.isoformat() if link.date else None
    return data


def link_from_json(data: dict[str, Any]) -> Link:
    return Link(
        **{
            **data,
            "form": tuple(tuple(pair) for pair in data.get("form", ())),
            "headers": tuple(tuple(pair) for pair in data.get("headers", ())),
            "date": dt.date.fromisoformat(data["date"]) if data.get("date") else None,
        }
    )


COMPACT_AFTER = 50_000  # journal events


@dataclass
class Resumption:
    run: str
    done: set[str] = field(default_factory=set)


class CrawlJournal:
    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir) / "crawl"
        self.path = self.dir / "journal.jsonl"
        self.run = ""

    def events(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line torn by a crash, completed by the next append's newline
        return out

    def interrupted(self, sources: list[str], since: str | None) -> Resumption | None:
        """The last run, when it did not finish and asked for the same sources and --since."""
        events = self.events()
        starts = [e for e in events if e.get("event") == "start"]
        if not starts:
            return None
        last = starts[-1]
        run = last["run"]
        if any(e.get("event") == "finish" and e.get("run") == run for e in events):
            return None
        if sorted(last.get("sources", [])) != sorted(sources) or last.get("since") != since:
            return None
        done = {e["key"] for e in events if e.get("event") == "done" and e.get("run") == run}
        return Resumption(run=run, done=done)

    def pending_failures(self) -> list[tuple[Link, str | None]]:
        """Links whose newest outcome, across all runs, is a failure: retried by the next run."""
        latest: dict[str, dict[str, Any]] = {}
        for event in self.events():
            if event.get("event") in ("done", "failed"):
                latest[event["key"]] = event
        return [(link_from_json(e["link"]), e.get("parent")) for e in latest.values()
                if e["event"] == "failed" and e.get("link")]

    def start(self, sources: list[str], since: str | None, resume: Resumption | None) -> None:
        if resume:
            self.run = resume.run
            return
        self.compact()
        self.run = uuid.uuid4().hex[:12]
        self._append({"event": "start", "run": self.run, "sources": sorted(sources), "since": since,
                      "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})

    def done(self, key: str) -> None:
        self._append({"event": "done", "run": self.run, "key": key})

    def failed(self, link: Link, reason: str, parent: str | None = None) -> None:
        self._append({"event": "failed", "run": self.run, "key": link.key, "link": link_to_json(link),
                      "reason": reason, "parent": parent})

    def finish(self) -> None:
        self._append({"event": "finish", "run": self.run,
                      "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})

    def compact(self, max_events: int = COMPACT_AFTER) -> None:
        """Between runs, a long journal shrinks to what the next run needs: the pending failures."""
        events = self.events()
        if len(events) <= max_events:
            return
        latest: dict[str, dict[str, Any]] = {}
        for event in events:
            if event.get("event") in ("done", "failed"):
                latest[event["key"]] = event
        kept = [e for e in latest.values() if e["event"] == "failed"]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in kept),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def _append(self, payload: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.path, "a+b") as fh:
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")  # complete a line torn by a crash so this one stays whole
            fh.write(line.encode("utf-8"))
            # No fsync: a journal line lost to a power cut only costs a conditional re-request (the
            # archive, fsynced, is the record of what was fetched). A killed process loses nothing.
