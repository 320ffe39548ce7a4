"""Shared test helpers: run the installed `searchlab` console script and read run directories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEARCHLAB = str(Path(sys.executable).with_name("searchlab"))


def cli(*args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
    """Run `searchlab ARGS...` and return the completed process (text mode)."""
    proc = subprocess.run([SEARCHLAB, *args], capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"searchlab {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def export(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in cli("export", str(run_dir)).stdout.splitlines()]


def status(run_dir: Path) -> dict:
    return json.loads(cli("status", str(run_dir), "--json").stdout)
