"""`searchlab bench cav`: compare AV-testing methods against exact (DP) ground truth; thin wrapper."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from searchlab.errors import SearchlabError

err = Console(stderr=True, highlight=False)


def _av_with_overrides(base: str, items: List[str]):
    """The AV preset `base` with `av.<field>=<number>` overrides applied (validated, one-line errors)."""
    from searchlab.solvers.traffic.bench import AV_PRESETS

    if base not in AV_PRESETS:
        raise SearchlabError(f"unknown AV {base!r} (known: {', '.join(sorted(AV_PRESETS))})")
    av = AV_PRESETS[base]
    fields = {f.name for f in dataclasses.fields(av)}
    changes = {}
    for item in items:
        key, sep, text = item.partition("=")
        name = key.strip().removeprefix("av.")
        if not sep or not key.strip().startswith("av.") or name not in fields:
            raise SearchlabError(f"--set expects av.<field>=<number> with field one of {sorted(fields)}, got {item!r}")
        try:
            changes[name] = float(text)
        except ValueError:
            raise SearchlabError(f"--set {key}: expected a number, got {text!r}") from None
    try:
        return dataclasses.replace(av, **changes)
    except (TypeError, ValueError) as exc:
        raise SearchlabError(f"invalid AV parameters: {exc}") from None


def bench_cav(
    env: str = typer.Option("follow", "--env", help="follow (DP ground truth) or cutin."),
    av: str = typer.Option("default", "--av", help="AV under test: default, heldout_b, heldout_c."),
    set_: List[str] = typer.Option([], "--set", help="Override an AV parameter: av.delay=0.6 (repeatable)."),
    seeds: int = typer.Option(50, "--seeds", help="Independent campaigns per method."),
    budget: int = typer.Option(3000, "--budget", help="Tests per campaign."),
    name: Optional[str] = typer.Option(None, "--name", help="Report name (default cav_<env>[_<av>])."),
    out_dir: Path = typer.Option(Path("results/bench"), "--out", help="Output directory."),
) -> None:
    """NDE/NADE/mixture/adaptive testing vs the exact crash probability: bias, tests to RHW 0.3."""
    from searchlab.solvers.traffic import DEFAULT_SURROGATES, compare_methods, make_cutin_scenario, make_follow_scenario
    from searchlab.solvers.traffic.bench import to_markdown

    if env not in ("follow", "cutin"):
        raise SearchlabError(f"unknown environment {env!r} (known: follow, cutin)")
    if seeds < 2 or budget < 10:
        raise SearchlabError("--seeds must be at least 2 and --budget at least 10")
    driver = _av_with_overrides(av, set_)
    label = name or (env if av == "default" and not set_ else f"{env}_{av}" + ("_custom" if set_ else ""))
    make = make_follow_scenario if env == "follow" else make_cutin_scenario
    scenario = make(av=driver, surrogates=DEFAULT_SURROGATES, name=label)
    command = "searchlab " + " ".join(sys.argv[1:])
    report = compare_methods(scenario, seeds=seeds, budget=budget, out_dir=str(out_dir), command=command,
                             progress=lambda m, s: err.print(f"{m}: seed {s + 1}/{seeds}", end="\r"))
    err.print()
    print(to_markdown(report))
