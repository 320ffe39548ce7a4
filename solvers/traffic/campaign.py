"""A testing campaign: run tests with one method until the relative half-width drops below the target or the
budget is spent, keeping every test's unbiased sample 1{crash} * p/q under the q that generated it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np

from .adaptive import (AdaptiveParams, AdaptiveState, adaptive_proposal, collect_rows, observe_mixture, refit,
                       update_alpha)
from .estimators import Estimate, Z, estimate, first_crossing, last_above, running_rhw
from .mixture import MixtureProposal, component_names, default_components, sample_mixture
from .proposals import ChallengeProposal, NaturalisticProposal, Proposal, oracle_proposal
from .sampling import sample_episodes
from .scenario import Scenario

MethodKind = Literal["nde", "nade", "mixture", "adaptive", "oracle"]


@dataclass(frozen=True)
class MethodSpec:
    """A testing method: NDE (crude MC), NADE on one surrogate, fixed uniform mixture, adaptive, or oracle.

    eps: defensive weight on the naturalistic p; threshold: criticality below which q = p;
    surrogate: the surrogate name (NADE only); adaptive: the adaptive tester's knobs.
    """

    name: str
    kind: MethodKind
    surrogate: str | None = None
    eps: float = 0.1
    threshold: float = 0.0
    adaptive: AdaptiveParams = field(default_factory=AdaptiveParams)


def default_methods(scenario: Scenario, eps: float = 0.1) -> list[MethodSpec]:
    """NADE on each surrogate, the uniform mixture, the adaptive method (episode-level mixture; also with a short
    pilot) and, for comparison, the AdaTE-style QP learner (crude MC is analytic)."""
    out = [MethodSpec(f"nade_{s.name}", "nade", surrogate=s.name, eps=eps) for s in scenario.surrogates]
    out.append(MethodSpec("mixture_uniform", "mixture", eps=eps))
    out.append(MethodSpec("adaptive", "adaptive", eps=eps))
    out.append(MethodSpec("adaptive_fast", "adaptive", eps=eps, adaptive=AdaptiveParams(pilot_tests=20)))
    out.append(MethodSpec("adaptive_qp", "adaptive", eps=eps, adaptive=AdaptiveParams.qp()))
    return out


@dataclass
class CampaignResult:
    """Outcome of one campaign: final estimate, tests used, first test count with RHW < target, per-test trace.

    values[i] is test i's unbiased sample 1{crash} w and rhw_trace[i] the RHW after it (the progress trace).
    betas holds the adaptive learner's weights after each update: surrogate weights (qp) or mixture weights over
    `components` (mis).
    """

    method: str
    estimate: Estimate
    n_tests: int
    n_to_target: int | None
    at_target: Estimate | None
    values: np.ndarray
    rhw_trace: np.ndarray
    betas: list[tuple[int, np.ndarray]] = field(default_factory=list)
    choices: list[tuple[int, str]] = field(default_factory=list)
    density: float | None = None
    components: list[str] | None = None

    def n_stays_below(self, target: float = 0.3, min_tests: int = 1) -> int | None:
        """NADE's test count: the first n (>= min_tests) after which the RHW stays below target for the rest
        of the run."""
        above = np.flatnonzero(~(self.rhw_trace < target))
        if self.rhw_trace.size == 0 or (above.size and above[-1] == self.rhw_trace.size - 1):
            return None
        return max(int(above[-1]) + 2 if above.size else 1, min_tests)

    @property
    def reached(self) -> bool:
        """Whether the RHW target was reached within the budget."""
        return self.n_to_target is not None


def fixed_proposal(scenario: Scenario, method: MethodSpec) -> Proposal:
    """The proposal of a non-adaptive method."""
    real, surs = scenario.real, scenario.surrogates
    if method.kind == "nde":
        return NaturalisticProposal(real)
    if method.kind == "oracle":
        return oracle_proposal(real, scenario.truth, method.eps)
    beta = np.ones(len(surs))
    if method.kind == "nade":
        if method.surrogate is None:
            raise ValueError("a NADE method needs a surrogate name")
        beta = np.zeros(len(surs))
        beta[scenario.surrogate_index(method.surrogate)] = 1.0
    elif method.kind != "mixture":
        raise ValueError(f"no fixed proposal for method kind {method.kind!r}")
    return ChallengeProposal(real.p0, real.p, surs, beta, eps=method.eps, threshold=method.threshold)


def run_campaign(
    scenario: Scenario,
    method: MethodSpec,
    *,
    rhw_target: float = 0.3,
    max_tests: int = 100_000,
    min_tests: int = 10,
    stop_at_target: bool = True,
    seed: int = 0,
    batch_size: int = 256,
    z: float = Z,
    confirm: float = 0.25,
    callback: Callable[[int, Estimate], None] | None = None,
) -> CampaignResult:
    """Run tests until RHW < rhw_target (after min_tests) or max_tests; `callback(n, estimate)` after each batch.

    The stop needs the RHW to have stayed below target over the last `confirm` fraction of the tests (0 = the
    first crossing); this guards against stopping on an underestimated variance, which biases the estimate low
    when the weights are heavy-tailed. With stop_at_target=False the campaign spends the whole budget (the
    fixed-n estimate is exactly unbiased) and still reports when the stopping rule would have fired.
    """
    rng = np.random.default_rng(seed)
    adaptive = method.kind == "adaptive"
    prm = method.adaptive
    mis = adaptive and prm.mis
    comps = default_components(scenario.real, scenario.surrogates, method.eps, method.threshold) if mis else []
    state = AdaptiveState.start(len(scenario.surrogates), len(comps) if mis else None)
    proposal = None if adaptive else fixed_proposal(scenario, method)
    values: list[np.ndarray] = []
    rhws: list[np.ndarray] = []
    n, s, ss, above = 0, 0.0, 0.0, 0
    n_hit: int | None = None
    size = (prm.pilot_tests if mis else prm.refit_every) if adaptive else batch_size
    while n < max_tests:
        b = min(size, max_tests - n)
        if mis:
            assert state.alpha is not None
            batch = sample_mixture(scenario.real, MixtureProposal(comps, state.alpha), b, rng)
        else:
            prop = adaptive_proposal(scenario.real, scenario.surrogates, state, method.eps, method.threshold) \
                if adaptive else proposal
            batch = sample_episodes(scenario.real, prop, b, rng)
        x = batch.values()
        r = running_rhw(x, z, (n, s, ss))
        if n_hit is None:
            k = first_crossing(r, rhw_target, min_tests, confirm, offset=n, last_above=above)
            above = last_above(r, rhw_target, n, above)
            if k is not None:
                n_hit = n + k
                if stop_at_target:
                    x, r = x[:k], r[:k]
        values.append(x)
        rhws.append(r)
        n, s, ss = n + x.size, s + float(x.sum()), ss + float((x * x).sum())
        if mis:
            observe_mixture(state, batch)
            update_alpha(state, prm)
        elif adaptive:
            collect_rows(state, scenario.real, scenario.surrogates, batch, prm)
            refit(state, prm, scenario.real, scenario.surrogates, method.eps, method.threshold)
        if adaptive:
            size = max(prm.refit_every, int(prm.refit_growth * n))
        else:
            size = min(2 * size, 65_536)
        if callback is not None:
            callback(n, estimate(np.concatenate(values), z))
        if n_hit is not None and stop_at_target:
            break
    allx = np.concatenate(values) if values else np.zeros(0)
    return CampaignResult(
        method=method.name,
        estimate=estimate(allx, z),
        n_tests=n,
        n_to_target=n_hit,
        at_target=estimate(allx[:n_hit], z) if n_hit else None,
        values=allx,
        rhw_trace=np.concatenate(rhws) if rhws else np.zeros(0),
        betas=list(state.history),
        choices=list(state.choices),
        density=state.density() if adaptive and not mis else None,
        components=component_names(scenario.surrogates) if mis else None,
    )
