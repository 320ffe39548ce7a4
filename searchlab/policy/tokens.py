"""The token contract between games and attention policies, and the padding of token sets into batches.

A `TokenGame` shows a state as a set of tokens (one feature row each) and says which *slots* are
actions. With `n_choices = k` the policy scores k slots per token (CVRP: go direct / via the depot),
slot `s = token * k + choice`; with k = 1 a slot is a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np
import torch

from ..game import Action, Game


@runtime_checkable
class TokenGame(Game, Protocol):
    """A game an attention policy can play.

    `tokens(state)` returns `(features, action_mask)`: `features` is a float32 array `[n_tokens, d_in]`
    (d_in fixed for the game, n_tokens free to change from state to state), `action_mask` a bool array
    `[n_tokens]` (or `[n_tokens, k]` for k choices per token) that is True exactly on the slots that are
    legal actions. `actions_of_tokens(state)` returns, per slot in row-major order (length
    n_tokens * k), the game action that slot plays, or None where the slot is no action (a depot, an
    origin, a destination or a global token). Every legal action must be played by at least one legal
    slot, and every legal slot must play a legal action. Token order carries no meaning (the policy is
    permutation-equivariant); a token's role (current node, destination, ...) goes into indicator
    feature columns, which the input projection turns into learned role embeddings.
    """

    def tokens(self, state: Any) -> tuple[np.ndarray, np.ndarray]: ...

    def actions_of_tokens(self, state: Any) -> Sequence[Action | None]: ...


@dataclass(frozen=True)
class TokenView:
    """A state's tokens checked for shape: features `[n, d_in]`, flat slot mask `[n*k]`, slot actions."""

    features: np.ndarray
    action_mask: np.ndarray
    actions: tuple[Action | None, ...]

    @property
    def n_tokens(self) -> int:
        return int(self.features.shape[0])

    @property
    def n_choices(self) -> int:
        return len(self.action_mask) // max(self.n_tokens, 1)

    def legal_slots(self) -> np.ndarray:
        return np.flatnonzero(self.action_mask)

    def slot_of(self, action: Action) -> int:
        """The first legal slot that plays `action`; ValueError if none does."""
        for s in self.legal_slots():
            if self.actions[s] == action:
                return int(s)
        raise ValueError(f"action {action!r} is not played by any legal token slot")


def token_view(game: TokenGame, state: Any) -> TokenView:
    """Read `tokens` and `actions_of_tokens` of a state and check their shapes agree (cheap checks only)."""
    feats, mask = game.tokens(state)
    feats = np.asarray(feats, dtype=np.float32)
    mask = np.asarray(mask, dtype=bool)
    if feats.ndim != 2:
        raise ValueError(f"tokens(): features must be [n_tokens, d_in], got shape {feats.shape}")
    if mask.ndim not in (1, 2) or mask.shape[0] != feats.shape[0]:
        raise ValueError(f"tokens(): action_mask must be [n_tokens] or [n_tokens, k], got {mask.shape}")
    mask = mask.reshape(-1)
    actions = tuple(game.actions_of_tokens(state))
    if len(actions) != len(mask):
        raise ValueError(f"actions_of_tokens() gave {len(actions)} entries for {len(mask)} slots")
    if any(actions[s] is None for s in np.flatnonzero(mask)):
        raise ValueError("a legal slot has no action (actions_of_tokens() gave None)")
    return TokenView(feats, mask, actions)


def check_token_game(game: TokenGame, state: Any) -> TokenView:
    """Full contract check for one state (for games' tests): shapes, and legal slots == legal actions."""
    view = token_view(game, state)
    legal = set(game.legal_actions(state))
    played = {view.actions[s] for s in view.legal_slots()}
    if played != legal:
        raise ValueError(f"legal slots play {sorted(map(repr, played))}, legal actions are {sorted(map(repr, legal))}")
    if game.is_terminal(state) != (not legal):
        raise ValueError("a state must be terminal exactly when it has no legal action")
    return view


@dataclass(frozen=True)
class Padded:
    """Token sets of different sizes padded to one batch: features `[B, n, d]`, `pad_mask` `[B, n]`
    (True on real tokens), `action_mask` `[B, n*k]` (False on padding)."""

    features: torch.Tensor
    pad_mask: torch.Tensor
    action_mask: torch.Tensor


def pad(items: Sequence[tuple[np.ndarray, np.ndarray]], n_choices: int = 1, device: torch.device | str = "cpu") -> Padded:
    """Pad `(features [n_i, d], flat action mask [n_i*k])` pairs into one batch on `device`."""
    if not items:
        raise ValueError("cannot pad an empty batch")
    n_max = max(f.shape[0] for f, _ in items)
    d = items[0][0].shape[1]
    feats = np.zeros((len(items), n_max, d), dtype=np.float32)
    pad_mask = np.zeros((len(items), n_max), dtype=bool)
    act = np.zeros((len(items), n_max * n_choices), dtype=bool)
    for b, (f, m) in enumerate(items):
        n = f.shape[0]
        if f.shape[1] != d or len(m) != n * n_choices:
            raise ValueError(f"item {b}: features {f.shape} / mask {len(m)} do not fit d_in={d}, k={n_choices}")
        feats[b, :n] = f
        pad_mask[b, :n] = True
        act[b, : n * n_choices] = m
    t = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
    return Padded(t(feats), t(pad_mask), t(act))
