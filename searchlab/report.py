"""A run's report: the best-so-far curve as a PNG and a short text summary."""

from __future__ import annotations

from pathlib import Path

from .history import RunHistory
from .summary import best_so_far, status


def text_summary(history: RunHistory, run_dir: str | Path) -> str:
    """A few lines a person reads first: what ran, how far it got, what was best."""
    s = status(history, run_dir)
    lines = [
        f"run {s['run_dir']}: {s['problem']} with planner {s['planner']}, seed {s['seed']}",
        f"evaluations: {s['finished']} finished of budget {s['budget']}, {s['pending']} pending, "
        f"{s['failed']} failed ({s['by_status']['error']} error, {s['by_status']['timeout']} timeout), "
        f"{s['by_status']['infeasible']} infeasible",
        f"oracle time: {s['oracle_seconds']:.1f} s",
    ]
    if s["best"] is None:
        lines.append("best: none (no successful evaluation yet)")
    else:
        lines.append(f"best ({s['direction']}): {s['best']['value']:.10g} at evaluation {s['best']['id']}, key {s['best']['key']}")
    return "\n".join(lines)


def plot_best_so_far(history: RunHistory, path: str | Path) -> Path:
    """Write the best-so-far curve (value against finished evaluations) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = best_so_far(history)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    if curve:
        xs, ys = zip(*curve)
        ax.step(xs, ys, where="post", color="tab:blue", label="best so far")
        values = [(n, ev.result.value) for n, ev in enumerate(history.finished(), start=1)
                  if ev.result is not None and ev.result.value is not None]
        if values:
            ax.scatter(*zip(*values), s=8, color="tab:gray", alpha=0.5, label="evaluations")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no successful evaluation yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("finished evaluations")
    ax.set_ylabel(f"value ({'minimize' if history.minimize else 'maximize'})")
    ax.set_title(f"{history.problem} — {history.settings.get('planner')}")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
