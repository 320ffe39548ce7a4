"""Upper bounds on sphere-packing density, certified: the `sphere_packing` problem.

Preset `two-point`: the Cohn–Elkies linear-programming bound solved as a sum-of-squares SDP; the game
picks the degree, BO the radius, and every value is a bound that passed an exact check.
"""

from __future__ import annotations

from typing import Any

from searchlab.registry import Problem
from searchlab.space import Int, Real, Space

from . import two_point
from .reference import LP_PUBLISHED, THREE_POINT, best_known_density


def verify(data: dict[str, Any]) -> tuple[bool, str]:
    """Re-check a sphere-packing certificate with exact / interval arithmetic (no solver)."""
    if data.get("method") == "cohn_elkies":
        from searchlab.solvers.sdp.certificate import verify_certificate

        result = verify_certificate(data)
        return result.ok, result.reason
    return False, f"unknown sphere_packing certificate method {data.get('method')!r}"


def bounds(certificates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The best verified bound per (dimension, method), against the best known packing and the literature."""
    best: dict[tuple[int, str], dict[str, Any]] = {}
    for c in certificates:
        k = (int(c["dimension"]), str(c["method"]))
        if k not in best or float(c["bound"]) < float(best[k]["bound"]):
            best[k] = c
    rows = []
    for (n, method), c in sorted(best.items()):
        known = best_known_density(n)
        lp, three = LP_PUBLISHED.get(n), THREE_POINT.get(n)
        rows.append({
            "n": n,
            "method": method,
            "certified": c["bound"],
            "degree": c.get("degree"),
            "r": None if c.get("radius") is None else f"{float(c['radius']):.6f}",
            "best_known": None if known is None else f"{known:.10f}",
            "lp_lit": None if lp is None else f"{lp[0]} [{lp[1]}]",
            "3pt_lit": None if three is None else f"{three[0]} [{three[1]}]",
            "gap": None if known is None else f"{float(c['bound']) - known:.3g}",
            "certificate": c.get("_path"),
        })
    return rows


CONFIG = Space((
    Int("dim", 1, 32, default=8, help="dimension n"),
    Int("degree_min", 3, 199, default=11, help="smallest polynomial degree the game may pick"),
    Int("degree_max", 3, 199, default=31, help="largest polynomial degree the game may pick"),
    Real("r_min", 0.1, 10.0, default=0.8, help="smallest radius BO may pick"),
    Real("r_max", 0.1, 10.0, default=2.6, help="largest radius BO may pick"),
    Int("precision_bits", 53, 1024, default=128, help="SDP solver precision in bits (53: float64)"),
))

SPHERE_PACKING = Problem(
    name="sphere_packing",
    description="Certified upper bounds on sphere-packing density (Cohn-Elkies SOS-SDP, exact certificates).",
    config=CONFIG,
    make_game=two_point.make_game,
    make_oracle=two_point.make_oracle,
    presets={"two-point": {}, "quick": {"dim": 4, "degree_min": 7, "degree_max": 15}},
    minimize=True,
    verify=verify,
    bounds=bounds,
)
