"""The encoder: fixed-length vectors in [0, 1], leaf parameter unions, generic move encoding."""

from __future__ import annotations

import numpy as np

from searchlab.encoding import HASH_DIMS, NEUTRAL, Encoder
from searchlab.game import make_candidate

from .helpers import WordGame, problem_setup


def test_jenatton_encoding_is_union_of_params_with_neutral_inactive_values():
    game, _, _ = problem_setup("jenatton")
    a = make_candidate(game, (0, 0), {"x4": 0.2, "r8": 1.0})
    b = make_candidate(game, (1, 1), {"x7": 0.0, "r9": 0.4})
    enc = Encoder.build(game, [a, b])
    assert list(enc.params) == ["r8", "r9", "x4", "x7"]
    assert enc.dim == 3 + 4
    va, vb = enc.encode(a), enc.encode(b)
    assert va.shape == vb.shape == (7,)
    assert va[enc.param_column("x4")] == 0.2 and va[enc.param_column("r8")] == 1.0
    assert va[enc.param_column("x7")] == NEUTRAL and vb[enc.param_column("x4")] == NEUTRAL
    assert np.all((va >= 0) & (va <= 1)) and np.all((vb >= 0) & (vb <= 1))


def test_game_without_features_gets_a_generic_move_encoding():
    game = WordGame()
    cands = [make_candidate(game, tuple(w), {"u": 0.5, "k": 3}) for w in ("abc", "cab", "dda")]
    enc = Encoder.build(game, cands)
    X = enc.encode_many(cands)
    assert X.shape == (3, HASH_DIMS + 2)
    assert len({tuple(x) for x in X}) == 3
    assert X[0, enc.param_column("k")] == 0.75
    assert np.all((X >= 0) & (X <= 1))


def test_many_level_features_are_categorical_and_binary_ones_are_not():
    game, _, _ = problem_setup("jenatton")
    cands = [make_candidate(game, m, p) for m, p in [
        ((0, 0), {"x4": 0.1, "r8": 0.1}), ((0, 1), {"x5": 0.1, "r8": 0.1}),
        ((1, 0), {"x6": 0.1, "r9": 0.1}), ((1, 1), {"x7": 0.1, "r9": 0.1})]]
    enc = Encoder.build(game, cands)
    assert enc.cat_dims == [1, 2]  # x2 and x3 take 0, 1 and 0.5 (inactive); x1 is binary
    labs, _, _ = problem_setup("labs", "small")
    c = make_candidate(labs, (1,) * 20)
    assert Encoder.build(labs, [c, make_candidate(labs, (-1,) * 20)]).cat_dims == []
