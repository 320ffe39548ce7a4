"""Certificates: plain-data records of mathematical claims, re-checked by the problem that made them.

A certificate is a JSON object with `format: "searchlab.certificate/1"`, the `problem` that issued it
and its `method`. The engine only finds certificate files and hands each to its problem's `verify`,
which must use exact or interval arithmetic alone; a number that has not passed it is an estimate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, SearchlabError
from .registry import get_problem

FORMAT = "searchlab.certificate/1"


@dataclass(frozen=True)
class Verdict:
    """The outcome of re-checking one certificate file."""

    path: str
    ok: bool
    reason: str
    problem: str | None = None
    method: str | None = None
    data: dict[str, Any] | None = None


def _load(path: Path) -> dict[str, Any] | None:
    """The certificate in `path`, or None if the file is not a searchlab certificate."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def find_certificates(path: str | Path) -> list[Path]:
    """Certificate files at `path`: the file itself, or every certificate below a directory (run dirs too)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise SearchlabError(f"no file or directory at {path}")
    return sorted(p for p in path.rglob("*.json") if _load(p) is not None)


def verify_file(path: str | Path) -> Verdict:
    """Re-check one certificate with its problem's verifier; never raises for a bad certificate."""
    path = Path(path)
    data = _load(path)
    if data is None:
        return Verdict(str(path), False, f"not a {FORMAT} certificate (or not readable JSON)")
    name, method = data.get("problem"), data.get("method")
    try:
        problem = get_problem(str(name))
    except ConfigError as exc:
        return Verdict(str(path), False, str(exc), name, method, data)
    if problem.verify is None:
        return Verdict(str(path), False, f"problem {name} has no certificate verifier", name, method, data)
    try:
        ok, reason = problem.verify(data)
    except Exception as exc:  # a verifier crash on hostile input is a rejection, not a pass
        ok, reason = False, f"verifier failed: {type(exc).__name__}: {exc}"
    return Verdict(str(path), bool(ok), reason, name, method, data)


def bounds_table(paths: list[str | Path], problem: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Verified certificates below `paths`, tabulated by their problems' `bounds`; only passing ones count."""
    by_problem: dict[str, list[dict[str, Any]]] = {}
    for root in paths:
        if not Path(root).exists():
            continue
        for f in find_certificates(root):
            v = verify_file(f)
            if v.ok and v.problem and (problem is None or v.problem == problem):
                by_problem.setdefault(v.problem, []).append({**v.data, "_path": v.path})  # type: ignore[dict-item]
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, certs in sorted(by_problem.items()):
        p = get_problem(name)
        tables[name] = p.bounds(certs) if p.bounds is not None else [{"path": c["_path"]} for c in certs]
    return tables
