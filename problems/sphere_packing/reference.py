"""Literature values that certified bounds are compared against (from shared/research/sphere_packing.md §5).

Best known packing densities are computed from the Conway–Sloane center densities δ as Δ = δ·V_n,
V_n = π^{n/2}/Γ(n/2+1). Provenance marks as in the brief: [V] verified, [S] secondary source.
"""

from __future__ import annotations

import mpmath

# center densities δ of the best known packings, as (rational, square-root factor): δ = q / sqrt(s)
_CENTER = {
    1: (1 / 2, 1), 2: (1 / 2, 3), 3: (1 / 4, 2), 4: (1 / 8, 1), 5: (1 / 8, 2), 6: (1 / 8, 3), 7: (1 / 16, 1),
    8: (1 / 16, 1), 9: (1 / 16, 2), 10: (5 / 128, 1), 11: (9 / 256, 1), 12: (1 / 27, 1), 13: (9 / 256, 1),
    14: (1 / 16, 3), 15: (1 / 16, 2), 16: (1 / 16, 1), 24: (1, 1),
}

LP_PUBLISHED = {3: (0.779747, "S"), 4: (0.647705, "V")}
"""Cohn–Elkies (two-point) bounds published in the literature, where the brief has them."""

THREE_POINT = {3: (0.770270, "S/V"), 4: (0.636108, "V"), 5: (0.512645, "V"), 6: (0.410303, "V"),
               7: (0.321147, "V"), 12: (0.079712, "S"), 16: (0.024995, "S")}
"""Cohn–de Laat–Salmon three-point bounds (arXiv 2206.15373) as reported in the brief."""


def best_known_density(n: int) -> float | None:
    """Density of the best known packing in dimension n (None where the brief gives none)."""
    if n not in _CENTER:
        return None
    q, s = _CENTER[n]
    volume = mpmath.pi ** (mpmath.mpf(n) / 2) / mpmath.gamma(mpmath.mpf(n) / 2 + 1)
    return float(mpmath.mpf(q) / mpmath.sqrt(s) * volume)
