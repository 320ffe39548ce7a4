"""Attention policies for token games (BQ-NCO style): one network shared by every problem, used as the
MCTS planner's prior, as a fast rollout, and trained by imitation of expert or self-found solutions.

Token contract (`TokenGame`): a game adds
  - `tokens(state) -> (features, action_mask)`: float32 `[n_tokens, d_in]` and bool `[n_tokens]`
    (or `[n_tokens, k]` for k choices per token, `PolicyConfig.n_choices = k`), True exactly on the
    legal action slots; n_tokens may change from state to state, d_in may not;
  - `actions_of_tokens(state) -> Sequence[Action | None]`: per slot (slot = token * k + choice, length
    n_tokens * k) the action it plays, None for tokens that are not actions (depot, origin,
    destination, global token) — these are masked out.
  Every legal action is played by a legal slot and vice versa (`check_token_game` checks a state). Token
  order carries no meaning; token roles are indicator feature columns.

Modules: `tokens` (the contract, padding), `model` (`PolicyConfig`, `AttentionPolicy`), `decode`
(priors, rollouts, batched greedy, beam), `train` (imitation, self-imitation), `checkpoint`.
"""

from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .decode import Prior, beam, greedy_batch, log_probs, policy_prior, policy_value, priors, rollout
from .model import AttentionPolicy, PolicyConfig, PolicyOutput, evaluating
from .tokens import Padded, TokenGame, TokenView, check_token_game, pad, token_view
from .train import (
    Batch,
    Example,
    StepStats,
    best_candidates,
    collate,
    evaluate_imitation,
    imitation_step,
    lr_at,
    resume_imitation,
    self_imitation_dataset,
    train_imitation,
)

__all__ = [
    "AttentionPolicy", "Batch", "Checkpoint", "Example", "Padded", "PolicyConfig", "PolicyOutput", "Prior", "StepStats",
    "TokenGame", "TokenView", "beam", "best_candidates", "check_token_game", "collate", "evaluate_imitation",
    "evaluating", "greedy_batch", "imitation_step", "load_checkpoint", "log_probs", "lr_at", "pad",
    "policy_prior", "policy_value", "priors", "resume_imitation", "rollout", "save_checkpoint",
    "self_imitation_dataset", "token_view", "train_imitation",
]
