"""Render the per-dimension table of committed Cohn–Elkies certificates (results/sphere_packing/README.md).

Re-verifies every certificate before listing it: an entry that does not verify is shown as NOT VERIFIED.
Literature values (best known packings, published LP bounds) are reference data from the research brief.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from .certificate import verify_certificate

# best known centre densities δ (Conway–Sloane; brief §5), Δ = δ·V_n
CENTER_DENSITY = {
    1: 1 / 2, 2: 1 / (2 * math.sqrt(3)), 3: 1 / (4 * math.sqrt(2)), 4: 1 / 8, 5: 1 / (8 * math.sqrt(2)),
    6: 1 / (8 * math.sqrt(3)), 7: 1 / 16, 8: 1 / 16, 9: 1 / (16 * math.sqrt(2)), 10: 5 / 128, 11: 9 / 256,
    12: 1 / 27, 13: 9 / 256, 14: 1 / (16 * math.sqrt(3)), 15: 1 / (16 * math.sqrt(2)), 16: 1 / 16, 24: 1.0,
}
# published LP (Cohn–Elkies) values quoted in the brief, with its marks
PUBLISHED_LP = {1: "1 (sharp)", 2: "≈ π/√12 (conj. sharp)", 3: "0.779747 [S]", 4: "0.647705 [V]",
                8: "π⁴/384 (sharp)", 24: "π¹²/12! (sharp)"}


def best_known_density(n: int) -> float:
    """Best known packing density Δ in dimension n."""
    return CENTER_DENSITY[n] * math.pi ** (n / 2) / math.gamma(n / 2 + 1)


def table(directory: Path) -> str:
    """Markdown table of all certificates in `directory`, each re-verified."""
    rows = ["| n | degree N | r ≈ | certified bound | best known Δ | published LP | gap to best known | "
            "solve s | certify s | verified |", "|---|---|---|---|---|---|---|---|---|---|"]
    certs = sorted(directory.glob("cohn_elkies_d*.json"), key=lambda p: json.loads(p.read_text())["dimension"])
    for path in certs:
        data = json.loads(path.read_text())
        n = data["dimension"]
        res = verify_certificate(data)
        best = best_known_density(n) if n in CENTER_DENSITY else float("nan")
        secs = data.get("seconds", {})
        rows.append(f"| {n} | {data['degree']} | {data.get('radius', '?')[:8]} | {data['bound']} | {best:.10f} | "
                    f"{PUBLISHED_LP.get(n, '–')} | {float(data['bound']) - best:.2e} | {secs.get('solve', '?')} | "
                    f"{secs.get('certify', '?')} | {'yes' if res.ok else 'NOT VERIFIED: ' + res.reason} |")
    return "\n".join(rows)


def three_point_table(directory: Path) -> str:
    """Markdown table of the three-point certificates in `directory`, each re-verified, against two-point ones."""
    from .three_point_certificate import verify as verify_three_point

    rows = ["| n | K | N | r ≈ | R/r ≈ | extra multipliers | certified bound | two-point (certified) | CdLS 2022 | "
            "best known Δ | SDP (blocks, max block, constraints) | solve s | certify s | verified |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    cdls = {3: "0.770270", 4: "0.636108", 5: "0.512645", 6: "0.410303", 7: "0.321147"}
    certs = sorted(directory.glob("three_point_d*.json"), key=lambda p: json.loads(p.read_text())["dimension"])
    for path in certs:
        data = json.loads(path.read_text())
        n = data["dimension"]
        res = verify_three_point(data)
        two = directory / f"cohn_elkies_d{n}.json"
        two_bound = json.loads(two.read_text())["bound"] if two.exists() else "–"
        size, secs = data.get("sdp_size", {}), data.get("seconds", {})
        extra = ", ".join(m for m in data.get("multipliers", []) if "*" in m or m in ("g6", "g7")) or "–"
        rows.append(f"| {n} | {data['degree3']} | {data['degree2']} | {float(data['r']):.4f} | "
                    f"{float(data['R']) / float(data['r']):.4f} | {extra} | {data['bound']} | {two_bound} | "
                    f"{cdls.get(n, '–')} | {best_known_density(n):.10f} | {size.get('blocks')}, "
                    f"{size.get('max_block')}, {size.get('constraints')} | {secs.get('solve', '?')} | "
                    f"{secs.get('certify', '?')} | {'yes' if res.ok else 'NOT VERIFIED: ' + res.reason} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """CLI: print the tables for a results directory (`--three-point` for the three-point one)."""
    ap = argparse.ArgumentParser(prog="python -m searchlab.solvers.sdp.report")
    ap.add_argument("directory", nargs="?", default="results/sphere_packing")
    ap.add_argument("--three-point", action="store_true", help="the three-point certificates instead")
    args = ap.parse_args(argv)
    print(three_point_table(Path(args.directory)) if args.three_point else table(Path(args.directory)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
