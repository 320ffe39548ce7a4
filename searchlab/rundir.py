"""Run directories: `config.toml` (resolved settings, for people), `ledger.jsonl` (the truth), `artifacts/`."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import tomli_w

from .errors import RunDirError
from .history import RunHistory
from .ledger import read_events

LEDGER = "ledger.jsonl"
CONFIG = "config.toml"
ARTIFACTS = "artifacts"


def new_run_dir(root: str | Path, problem: str) -> Path:
    """A fresh directory `root/<problem>/<timestamp>-<random>`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(root) / problem / f"{stamp}-{secrets.token_hex(2)}"


def prepare_run_dir(path: Path) -> None:
    """Create a run directory; refuse one that already holds a run."""
    if (path / LEDGER).exists():
        raise RunDirError(f"{path} already holds a run (use `searchlab resume {path}`)")
    if path.exists() and not path.is_dir():
        raise RunDirError(f"{path} exists and is not a directory")
    (path / ARTIFACTS).mkdir(parents=True, exist_ok=True)


def write_config(path: Path, settings: dict[str, Any], budget: dict[str, Any]) -> None:
    """Write the resolved settings as TOML (None values are left out: TOML has no null)."""
    def clean(d: dict[str, Any]) -> dict[str, Any]:
        return {k: clean(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}

    tmp = path / (CONFIG + ".tmp")
    tmp.write_bytes(tomli_w.dumps(clean({"settings": settings, "budget": budget})).encode())
    tmp.replace(path / CONFIG)


def load_history(path: str | Path) -> RunHistory:
    """Replay a run directory's ledger; RunDirError if it is not a run directory."""
    path = Path(path)
    if not path.is_dir():
        raise RunDirError(f"no run directory at {path}")
    if not (path / LEDGER).exists():
        raise RunDirError(f"{path} is not a searchlab run directory (no {LEDGER})")
    return RunHistory.from_events(read_events(path / LEDGER))


def find_runs(root: str | Path) -> list[Path]:
    """Run directories below `root` (any depth), sorted by path."""
    root = Path(root)
    if (root / LEDGER).exists():
        return [root]
    return sorted(p.parent for p in root.rglob(LEDGER))
