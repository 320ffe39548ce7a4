"""Upper bounds on sphere-packing density, certified: the `sphere_packing` problem.

Preset `two-point`: the Cohn–Elkies linear-programming bound solved as a sum-of-squares SDP; the game
picks the degree, BO the radius, and every value is a bound that passed an exact check.
Preset `three-point`: the SDP game on the Cohn–de Laat–Salmon bound (`sdp_game`): the moves choose SOS
multiplier blocks, BO picks (r, R/r); values are float64 estimates, promising ones are certified.
"""

from __future__ import annotations

from typing import Any

from searchlab.errors import ConfigError
from searchlab.registry import Problem
from searchlab.space import Categorical, Int, Real, Space

from . import sdp_game, two_point
from .reference import LP_PUBLISHED, THREE_POINT, best_known_density


def verify(data: dict[str, Any]) -> tuple[bool, str]:
    """Re-check a sphere-packing certificate with exact / interval arithmetic (no solver)."""
    if data.get("method") == "cohn_elkies":
        from searchlab.solvers.sdp.certificate import verify_certificate

        result = verify_certificate(data)
        return result.ok, result.reason
    if data.get("method") == "three_point":
        from searchlab.solvers.sdp.three_point_certificate import verify as verify_three_point

        result = verify_three_point(data)
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
            "degree": c.get("degree", c.get("degree3")),
            "r": f"{float(c.get('radius', c.get('r'))):.6f}" if c.get("radius", c.get("r")) is not None else None,
            "best_known": None if known is None else f"{known:.10f}",
            "lp_lit": None if lp is None else f"{lp[0]} [{lp[1]}]",
            "3pt_lit": None if three is None else f"{three[0]} [{three[1]}]",
            "gap": None if known is None else f"{float(c['bound']) - known:.3g}",
            "certificate": c.get("_path"),
        })
    return rows


CONFIG = Space((
    Categorical("method", ("two-point", "three-point"), default="two-point",
                help="two-point: Cohn-Elkies degree/radius game; three-point: the SDP game (CdLS bound)"),
    Int("dim", 1, 32, default=8, help="dimension n"),
    Int("degree_min", 3, 199, default=11, help="smallest polynomial degree the game may pick"),
    Int("degree_max", 3, 199, default=31, help="largest polynomial degree the game may pick"),
    Real("r_min", 0.1, 10.0, default=0.8, help="smallest radius BO may pick"),
    Real("r_max", 0.1, 10.0, default=2.6, help="largest radius BO may pick"),
    Int("precision_bits", 53, 1024, default=128, help="SDP solver precision in bits (53: float64)"),
    Int("degree2", 3, 99, default=23, help="three-point: odd degree of the two-point function f2"),
    Int("degree3", 1, 15, default=9, help="three-point: degree of the three-point function f3"),
    Int("max_factors", 1, 3, default=2, help="three-point: most base polynomials in one multiplier token"),
    Int("blocks", 1, 20, default=4, help="three-point: number of multiplier blocks the game chooses"),
    Real("ratio_min", 1.01, 4.0, default=1.1, help="three-point: smallest R/r BO may pick"),
    Real("ratio_max", 1.01, 4.0, default=1.8, help="three-point: largest R/r BO may pick"),
    Real("certify_below", 0.0, 1.0, default=1.0,
         help="three-point: certify (multiprecision solve + exact check) estimates below this; 0 = never"),
))


def check(config) -> None:
    """Reject inconsistent options before a run directory is created (one-line ConfigError)."""
    if config["r_min"] >= config["r_max"]:
        raise ConfigError("r_min must be below r_max")
    if config["method"] == "three-point":
        if config["dim"] < 3:
            raise ConfigError("three-point bounds need dim >= 3")
        if config["ratio_min"] >= config["ratio_max"]:
            raise ConfigError("ratio_min must be below ratio_max")
        if config["degree2"] % 2 == 0:
            raise ConfigError("degree2 must be odd")


def make_game(config):
    """The two-point degree/radius game or the three-point SDP game, by `method`."""
    if config["method"] == "three-point":
        check(config)
        return sdp_game.make_game(config)
    return two_point.make_game(config)


def make_oracle(config):
    """The oracle matching `make_game`."""
    return sdp_game.make_oracle(config) if config["method"] == "three-point" else two_point.make_oracle(config)


THREE_POINT_PRESET = {"method": "three-point", "dim": 4, "r_min": 0.95, "r_max": 1.35, "degree2": 23,
                      "degree3": 9, "blocks": 4, "certify_below": 0.6477}

SPHERE_PACKING = Problem(
    name="sphere_packing",
    description="Certified upper bounds on sphere-packing density (Cohn-Elkies SOS-SDP, exact certificates).",
    config=CONFIG,
    make_game=make_game,
    make_oracle=make_oracle,
    presets={"two-point": {}, "quick": {"dim": 4, "degree_min": 7, "degree_max": 15},
             "three-point": THREE_POINT_PRESET,
             "three-point-quick": {**THREE_POINT_PRESET, "degree2": 15, "degree3": 7, "blocks": 3,
                                   "certify_below": 0.0}},
    minimize=True,
    verify=verify,
    bounds=bounds,
    check=check,
)
