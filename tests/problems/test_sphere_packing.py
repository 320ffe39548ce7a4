"""The sphere_packing problem: the two-point game, a real solve + certify through the oracle, verify, bounds."""

import json

import pytest

from searchlab.certificates import bounds_table, verify_file
from searchlab.game import make_candidate
from searchlab.oracle import Job, Status, execute
from searchlab.registry import get_problem

from searchlab.problems.sphere_packing.reference import best_known_density


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    problem = get_problem("sphere_packing")
    config = problem.resolve("quick", ["dim=4", "degree_min=7", "degree_max=9"])
    game, oracle = problem.make_game(config), problem.make_oracle(config)
    cand = make_candidate(game, [9], {"r": 1.2})
    workdir = tmp_path_factory.mktemp("eval")
    return game, execute(Job(0, oracle, cand, 0, workdir=str(workdir))), workdir


def test_game_offers_odd_degrees_then_a_radius():
    game = get_problem("sphere_packing").make_game(get_problem("sphere_packing").resolve(None))
    assert game.legal_actions(()) == tuple(range(11, 32, 2))
    assert game.params((15,)).names == ["r"] and game.params(()) is None


def test_oracle_returns_a_certified_bound_that_verifies(evaluated):
    _, result, workdir = evaluated
    assert result.status is Status.OK, result.message
    known = best_known_density(4)
    assert known < result.value < 0.70  # above the D4 packing, a real (degree-9) LP bound
    verdict = verify_file(workdir / "certificate.json")
    assert verdict.ok, verdict.reason
    assert result.value == float(result.certificate["bound"])


def test_tampered_certificate_is_rejected(evaluated, tmp_path):
    _, result, _ = evaluated
    cert = dict(result.certificate)
    cert["bound"] = f"{result.value * 0.999:.8f}"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(cert))
    verdict = verify_file(path)
    assert not verdict.ok and "below the certified value" in verdict.reason


def test_bounds_table_lists_verified_certificates(evaluated):
    _, _, workdir = evaluated
    rows = bounds_table([workdir])["sphere_packing"]
    assert rows[0]["n"] == 4 and rows[0]["certified"] and rows[0]["best_known"].startswith("0.61685")
