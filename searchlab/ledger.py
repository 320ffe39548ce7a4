"""The run ledger: an append-only JSON-lines file, one event per line, fsynced, written by one process.

Every line is a JSON object with the schema version `v`, the event `type` and a wall-clock time `t`.
A last line without its newline is a write torn by a crash and is dropped (and cut off before the
next append); any other unreadable line is corruption and is reported with its line number.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .errors import LedgerError

SCHEMA_VERSION = 1
EVENT_TYPES = frozenset({"run_started", "submitted", "finished", "config_changed", "resumed", "certified", "stopped"})


def read_events(path: str | Path) -> list[dict[str, Any]]:
    """All events of a ledger, in order; a torn last line is ignored, corruption raises LedgerError."""
    return [event for _, event in _scan(Path(path))[0]]


def _scan(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    """Parse the file; return (line number, event) pairs and the byte length of the intact prefix."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"no ledger at {path}") from None
    events: list[tuple[int, dict[str, Any]]] = []
    offset = 0
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        is_last = number == len(lines)
        if is_last and raw == b"":
            break
        if is_last:  # no newline after it: a torn write, unless it happens to be complete
            try:
                event = _parse(raw, number, path)
            except LedgerError:
                break
            events.append((number, event))
            break
        events.append((number, _parse(raw, number, path)))
        offset += len(raw) + 1
    return events, offset


def _parse(raw: bytes, number: int, path: Path) -> dict[str, Any]:
    try:
        event = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: line {number} is corrupted ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    if not isinstance(event, dict) or "type" not in event or "v" not in event:
        raise LedgerError(f"{path}: line {number} is not a ledger event")
    if event["v"] != SCHEMA_VERSION:
        raise LedgerError(f"{path}: line {number} has schema version {event['v']}, this searchlab reads {SCHEMA_VERSION}")
    if event["type"] not in EVENT_TYPES:
        raise LedgerError(f"{path}: line {number} has unknown event type {event['type']!r}")
    return event


class LedgerWriter:
    """Appends events to a ledger, one fsynced line each. Open only one writer per ledger."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists():
            _, intact = _scan(self.path)
            with open(self.path, "r+b") as fh:  # cut a torn tail so the next line starts clean
                fh.truncate(intact)
        self._fh = open(self.path, "ab", buffering=0)

    def append(self, type: str, **fields: Any) -> dict[str, Any]:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown ledger event type {type!r}")
        event = {"v": SCHEMA_VERSION, "type": type, "t": round(time.time(), 6), **fields}
        line = json.dumps(event, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        self._fh.write(line)
        os.fsync(self._fh.fileno())
        return event

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "LedgerWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

