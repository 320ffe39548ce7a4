"""The three-point SDP game: vocabulary, one path per multiplier set, leaf parameters, the float64 oracle, and
(slow) the certifying oracle writing a certificate that `searchlab verify` accepts."""

from __future__ import annotations

import json
from math import comb

import pytest

from searchlab.certificates import verify_file
from searchlab.errors import ConfigError
from searchlab.game import make_candidate
from searchlab.oracle import Job, Status, execute
from searchlab.problems.sphere_packing.reference import best_known_density
from searchlab.problems.sphere_packing.sdp_game import vocabulary
from searchlab.registry import get_problem


def quick(*overrides: str):
    problem = get_problem("sphere_packing")
    config = problem.resolve("three-point-quick", list(overrides))
    return problem.make_game(config), problem.make_oracle(config)


def test_vocabulary_one_token_per_symmetry_orbit() -> None:
    vocab = vocabulary(2, 9)
    assert len(vocab) == len(set(vocab))
    assert not {"g1", "g2", "g3", "g4", "g5"} & set(vocab)  # always in the SDP
    assert "g1*g2" in vocab and "g3*g4" not in vocab       # mirror images share one token
    assert all("g6" not in t or "*" not in t or t.count("*") == 1 for t in vocab)
    assert len(vocabulary(3, 9)) > len(vocab)


def test_each_multiplier_set_has_exactly_one_path() -> None:
    game, _ = quick("blocks=2")
    seen = set()

    def walk(state):
        if game.is_terminal(state):
            seen.add(game.key(state))
            return 1
        return sum(walk(game.step(state, a)) for a in game.legal_actions(state))

    paths = walk(game.initial_state())
    assert paths == len(seen) == comb(len(game.vocab), 2)
    leaf = game.params(("g6", "g7"))
    assert leaf.names == ["r", "ratio"] and game.params(("g6",)) is None


def test_three_point_needs_dimension_three() -> None:
    problem = get_problem("sphere_packing")
    with pytest.raises(ConfigError):
        problem.resolve("three-point-quick", ["dim=2"])
    with pytest.raises(ConfigError):
        problem.resolve("three-point-quick", ["ratio_min=2.0", "ratio_max=1.5"])


def test_float64_oracle_gives_a_three_point_estimate(tmp_path) -> None:
    game, oracle = quick()
    cand = make_candidate(game, ["g6", "g1*g2", "g2*g5"], {"r": 1.2, "ratio": 1.3})
    result = execute(Job(0, oracle, cand, 0, workdir=str(tmp_path)))
    assert result.status is Status.OK, result.message
    assert best_known_density(4) < result.value < 0.6477  # below the LP bound 0.647705
    assert result.values["certified"] is False and result.certificate is None


@pytest.mark.slow
def test_certifying_oracle_writes_a_verifiable_certificate(tmp_path) -> None:
    game, oracle = quick("certify_below=1.0")
    cand = make_candidate(game, ["g6", "g1*g2", "g2*g5"], {"r": 1.2, "ratio": 1.3})
    result = execute(Job(0, oracle, cand, 0, workdir=str(tmp_path)))
    assert result.status is Status.OK and result.values["certified"], result.values
    verdict = verify_file(tmp_path / "certificate.json")
    assert verdict.ok, verdict.reason
    data = json.loads((tmp_path / "certificate.json").read_text())
    assert abs(float(data["bound"]) - result.value) < 1e-5
