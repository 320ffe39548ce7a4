"""Seed derivation: every random stream in a run is a pure function of the run seed and a few integers."""

from __future__ import annotations

import numpy as np


def derive_seed(*words: int) -> int:
    """A 32-bit seed from integer words, e.g. (run seed, evaluation index); stable across runs and versions."""
    return int(np.random.SeedSequence([int(w) % 2**63 for w in words]).generate_state(1)[0])
