"""Plain-data views of a run for people and scripts: status, per-evaluation export, best-so-far curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .history import RunHistory
from .oracle import Status


def status(history: RunHistory, run_dir: str | Path) -> dict[str, Any]:
    """The run's progress: counts by status, budget, and the best evaluation so far."""
    best = history.best()
    finished = len(history.finish_order)
    by_status = {s.value: history.count(s) for s in Status}
    b = history.budget
    return {
        "run_dir": str(run_dir),
        "problem": history.problem,
        "planner": history.settings.get("planner"),
        "seed": history.settings.get("seed"),
        "direction": "minimize" if history.minimize else "maximize",
        "budget": b.evaluations,
        "budget_detail": b.to_json(),
        "submitted": len(history.evaluations),
        "finished": finished,
        "failed": by_status["error"] + by_status["timeout"],
        "pending": len(history.pending()),
        "by_status": by_status,
        "oracle_seconds": round(history.oracle_seconds(), 6),
        "complete": b.evaluations is not None and finished >= b.evaluations,
        "best": None if best is None else {"id": best.eval_id, "value": best.result.value, "key": best.candidate.key},  # type: ignore[union-attr]
    }


def export_rows(history: RunHistory) -> list[dict[str, Any]]:
    """One row per evaluation in submission order; pending ones have status "pending"."""
    rows = []
    for ev in history.evaluations.values():
        r = ev.result
        rows.append({
            "id": ev.eval_id,
            "key": ev.candidate.key,
            "actions": list(ev.candidate.to_json()["actions"]),
            "params": ev.candidate.params,
            "status": r.status.value if r else "pending",
            "value": r.value if r else None,
            "seed": ev.seed,
            "cost": r.cost if r else None,
            "message": r.message if r else "",
        })
    return rows


def best_so_far(history: RunHistory) -> list[tuple[int, float]]:
    """(number of finished evaluations, best OK value so far) after each finish, in finish order."""
    out: list[tuple[int, float]] = []
    best: float | None = None
    for n, ev in enumerate(history.finished(), start=1):
        r = ev.result
        if r is not None and r.status is Status.OK and r.value is not None:
            if best is None or (r.value < best if history.minimize else r.value > best):
                best = r.value
        if best is not None:
            out.append((n, best))
    return out
