"""Traffic solvers for CAV testing: naturalistic environments, exact DP ground truth, importance-sampled crash-rate
estimation (NDE, NADE, multi-surrogate mixtures, adaptive testing: episode-level proposal mixtures with
variance-minimising weights, or the AdaTE-style QP-weighted combination), campaigns and benchmarks.

Standalone numerics (numpy, scipy, cvxpy); no dependency on the searchlab engine.
"""
from .adaptive import AdaptiveParams
from .bench import compare_methods, to_markdown, write_report
from .campaign import CampaignResult, MethodSpec, default_methods, fixed_proposal, run_campaign
from .cutin import CutInParams, build_cutin_mdp
from .drivers import DEFAULT_AV, DEFAULT_SURROGATES, HELDOUT_AVS, DriverParams
from .estimators import Z, Estimate, crude_mc_tests, estimate, running_rhw, tests_for_rhw
from .follow import FollowParams, build_follow_mdp
from .highway import HighwayParams, NadeControl, highway_campaign, simulate_highway
from .mixture import MixtureProposal, default_components, sample_mixture, update_mixture_weights
from .proposals import ChallengeProposal, NaturalisticProposal, Surrogate, oracle_proposal
from .qp import fit_combination_weights
from .scenario import Scenario, make_cutin_scenario, make_follow_scenario
from .tabular import DPSolution, TabularMDP, solve_dp
from .variance import exact_relative_variance, exact_tests_to_rhw

__all__ = [
    "AdaptiveParams", "CampaignResult", "ChallengeProposal", "CutInParams", "DEFAULT_AV", "DEFAULT_SURROGATES",
    "DPSolution", "DriverParams", "Estimate", "FollowParams", "HELDOUT_AVS", "HighwayParams", "MethodSpec",
    "MixtureProposal", "NadeControl", "NaturalisticProposal", "Scenario", "Surrogate", "TabularMDP", "Z", "build_cutin_mdp",
    "build_follow_mdp", "compare_methods", "crude_mc_tests", "default_components", "default_methods", "estimate",
    "exact_relative_variance", "exact_tests_to_rhw", "fit_combination_weights", "fixed_proposal",
    "highway_campaign", "make_cutin_scenario", "make_follow_scenario", "oracle_proposal", "run_campaign",
    "running_rhw", "sample_mixture", "simulate_highway", "solve_dp", "tests_for_rhw", "to_markdown",
    "update_mixture_weights", "write_report",
]
