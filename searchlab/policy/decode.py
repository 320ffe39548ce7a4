"""Playing a token game with an attention policy: PUCT priors, greedy or sampled rollouts, batched greedy
decoding, and beam search, all over the plain game API (`tokens`, `step`, `is_terminal`)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Sequence

import numpy as np

from ..game import Action
from .model import AttentionPolicy, evaluating
from .tokens import TokenGame, TokenView, pad, token_view

Prior = Callable[[Any], dict[Action, float]]


def log_probs(policy: AttentionPolicy, views: Sequence[TokenView]) -> np.ndarray:
    """Slot log-probabilities `[len(views), max slots]` (float64, -inf off the legal slots), one batch."""
    batch = pad([(v.features, v.action_mask) for v in views], policy.config.n_choices, policy.device)
    with evaluating(policy):
        out = policy(batch.features, batch.action_mask, batch.pad_mask)
    return out.log_probs.double().cpu().numpy()


def _playable(game: TokenGame, state: Any) -> TokenView:
    view = token_view(game, state)
    if not view.action_mask.any():
        raise ValueError("a non-terminal state has no legal token slot")
    return view


def _distribution(view: TokenView, lp: np.ndarray) -> dict[Action, float]:
    out: dict[Action, float] = {}
    for s in view.legal_slots():
        out[view.actions[s]] = out.get(view.actions[s], 0.0) + float(np.exp(lp[s]))
    total = sum(out.values())
    return {a: p / total for a, p in out.items()}


def priors(policy: AttentionPolicy, game: TokenGame, states: Sequence[Any]) -> list[dict[Action, float]]:
    """The policy's probability of each legal action, for many non-terminal states in one batch; each
    dict sums to 1 (slots that play the same action add up)."""
    views = [_playable(game, s) for s in states]
    if not views:
        return []
    lps = log_probs(policy, views)
    return [_distribution(v, lp) for v, lp in zip(views, lps)]


def policy_prior(policy: AttentionPolicy, game: TokenGame, cache_size: int = 10_000) -> Prior:
    """A `state -> {action: probability}` function for the MCTS planner's PUCT prior, cached by
    `game.key(state)` (least recently used entries dropped beyond `cache_size`)."""
    cache: OrderedDict[str, dict[Action, float]] = OrderedDict()

    def prior(state: Any) -> dict[Action, float]:
        key = game.key(state)
        if key in cache:
            cache.move_to_end(key)
            return dict(cache[key])
        dist = priors(policy, game, [state])[0]
        if cache_size > 0:
            cache[key] = dist
            if len(cache) > cache_size:
                cache.popitem(last=False)
        return dict(dist)

    return prior


def policy_value(policy: AttentionPolicy, game: TokenGame) -> Callable[[Any], float]:
    """A `state -> value` function from the policy's value head (for MCTS leaf values)."""
    if policy.value_head is None:
        raise ValueError("the policy has no value head (PolicyConfig.value_head=False)")

    def value(state: Any) -> float:
        view = token_view(game, state)
        batch = pad([(view.features, view.action_mask)], policy.config.n_choices, policy.device)
        with evaluating(policy):
            out = policy(batch.features, batch.action_mask, batch.pad_mask)
        assert out.value is not None
        return float(out.value[0])

    return value


def rollout(
    policy: AttentionPolicy, game: TokenGame, state: Any, greedy: bool = True, rng: np.random.Generator | None = None
) -> list[Action]:
    """Play from `state` to a terminal state, taking the most likely slot (greedy) or sampling one with
    `rng` (required when not greedy, so that every sample is reproducible); returns the actions."""
    if not greedy and rng is None:
        raise ValueError("sampling needs an explicit rng")
    actions: list[Action] = []
    while not game.is_terminal(state):
        view = _playable(game, state)
        lp = log_probs(policy, [view])[0]
        if greedy:
            slot = int(np.argmax(lp))
        else:
            p = np.exp(lp[: len(view.action_mask)])
            slot = int(rng.choice(len(p), p=p / p.sum()))  # type: ignore[union-attr]
        actions.append(view.actions[slot])
        state = game.step(state, view.actions[slot])
    return actions


def greedy_batch(policy: AttentionPolicy, game: TokenGame, states: Sequence[Any], batch_size: int = 256) -> list[list[Action]]:
    """Greedy rollouts of many states at once: each step runs one padded forward pass per `batch_size`
    unfinished states. Same result as `rollout(..., greedy=True)` per state, up to float ties."""
    current = list(states)
    actions: list[list[Action]] = [[] for _ in current]
    while True:
        live = [i for i, s in enumerate(current) if not game.is_terminal(s)]
        if not live:
            return actions
        for lo in range(0, len(live), batch_size):
            chunk = live[lo : lo + batch_size]
            views = [_playable(game, current[i]) for i in chunk]
            slots = np.argmax(log_probs(policy, views), axis=1)
            for i, view, slot in zip(chunk, views, slots):
                a = view.actions[int(slot)]
                actions[i].append(a)
                current[i] = game.step(current[i], a)


def beam(
    policy: AttentionPolicy, game: TokenGame, state: Any, width: int, dedup: bool = False
) -> list[tuple[list[Action], float]]:
    """Beam search from `state`: keep the `width` best partial plays by summed log-probability (finished
    plays compete with unfinished ones), until all kept plays are terminal. Returns up to `width`
    `(actions, log_prob)`, best first. `dedup` drops a play reaching a state (`game.key`) already kept
    this step — for games whose different orders reach the same state. Width 1 is greedy decoding."""
    if width < 1:
        raise ValueError("beam width must be at least 1")
    if game.is_terminal(state):
        return [([], 0.0)]
    live: list[tuple[Any, list[Action], float]] = [(state, [], 0.0)]
    done: list[tuple[list[Action], float]] = []
    while live:
        views = [_playable(game, s) for s, _, _ in live]
        scores = np.array([lp for _, _, lp in live])[:, None] + log_probs(policy, views)
        flat = scores.reshape(-1)
        order = np.argsort(-flat, kind="stable")
        order = order[np.isfinite(flat[order])]
        n_slots = scores.shape[1]
        # the best `width` expansions, merged with the finished plays; the best `width` of those survive
        pool: list[tuple[float, list[Action], Any]] = [(lp, acts, None) for acts, lp in done]
        seen: set[str] = set()
        for j in order:
            b, slot = divmod(int(j), n_slots)
            parent, acts, _ = live[b]
            a = views[b].actions[slot]
            nxt = game.step(parent, a)
            if dedup:
                if (k := game.key(nxt)) in seen:
                    continue
                seen.add(k)
            pool.append((float(flat[j]), acts + [a], nxt))
            if len(pool) - len(done) >= width:
                break
        pool.sort(key=lambda p: -p[0])  # stable: finished plays win ties
        done, live = [], []
        for lp, acts, nxt in pool[:width]:
            if nxt is None or game.is_terminal(nxt):
                done.append((acts, lp))
            else:
                live.append((nxt, acts, lp))
    return sorted(done, key=lambda p: -p[1])
