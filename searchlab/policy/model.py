"""The attention policy network: a ReZero transformer encoder over a state's tokens with a per-slot head.

As in BQ-NCO: no positional encoding (permuting the tokens permutes the logits), residuals
`x + alpha * f(x)` with alpha initialised to 0 and no LayerNorm, and the whole network re-run on every
state. Padding lets instances of different sizes share a batch.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterator, Mapping

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class PolicyConfig:
    """Network sizes. `n_choices` logits per token (1, or 2 for CVRP's direct / via-depot);
    `value_head` adds a mean-pooled scalar value output (leaf values for MCTS)."""

    d_in: int
    d_model: int = 128
    n_heads: int = 8
    n_layers: int = 6
    d_ff: int = 512
    dropout: float = 0.0
    value_head: bool = False
    n_choices: int = 1

    def __post_init__(self) -> None:
        if self.d_in < 1 or self.d_model < 1 or self.n_layers < 0 or self.d_ff < 1 or self.n_choices < 1:
            raise ValueError(f"invalid policy sizes: {self}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> "PolicyConfig":
        known = {f.name for f in fields(PolicyConfig)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown policy config keys: {sorted(unknown)}")
        return PolicyConfig(**data)


@dataclass
class PolicyOutput:
    """Masked log-probabilities per slot `[B, n*k]` (-inf on illegal slots and padding) and the value `[B]`
    (None without a value head)."""

    log_probs: torch.Tensor
    value: torch.Tensor | None


class SelfAttention(nn.Module):
    """Multi-head self-attention where padded tokens are never attended to."""

    def __init__(self, d_model: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.dropout = dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        keep = pad_mask[:, None, None, :]  # True where a key may be attended to
        p = self.dropout if self.training else 0.0
        h = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, dropout_p=p)
        return self.out(h.transpose(1, 2).reshape(b, n, d))


class ReZeroLayer(nn.Module):
    """One encoder layer: `x + a1 * attn(x)`, then `x + a2 * ff(x)`, with a1 = a2 = 0 at init."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.attn = SelfAttention(d_model, n_heads, dropout)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.drop = nn.Dropout(dropout)
        self.alpha = nn.Parameter(torch.zeros(2))

    def forward(self, x: torch.Tensor, pad_mask: torch.Tensor) -> torch.Tensor:
        x = x + self.alpha[0] * self.drop(self.attn(x, pad_mask))
        return x + self.alpha[1] * self.drop(self.ff(x))


class AttentionPolicy(nn.Module):
    """Scores every slot of a state's tokens: input projection, ReZero encoder, per-token logit head,
    masked log-softmax; optionally a value from the mean of the real tokens' embeddings.

    `seed` fixes the initial weights without touching the global torch RNG.
    """

    def __init__(self, config: PolicyConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            c = config
            self.embed = nn.Linear(c.d_in, c.d_model)
            self.layers = nn.ModuleList(ReZeroLayer(c.d_model, c.n_heads, c.d_ff, c.dropout) for _ in range(c.n_layers))
            self.head = nn.Linear(c.d_model, c.n_choices)
            self.value_head = (
                nn.Sequential(nn.Linear(c.d_model, c.d_model), nn.ReLU(), nn.Linear(c.d_model, 1)) if c.value_head else None
            )

    @property
    def device(self) -> torch.device:
        return self.embed.weight.device

    def encode(self, features: torch.Tensor, pad_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Token embeddings `[B, n, d_model]` (rows of padding are meaningless)."""
        if features.shape[-1] != self.config.d_in:
            raise ValueError(f"features have {features.shape[-1]} columns, the policy expects d_in={self.config.d_in}")
        if pad_mask is None:
            pad_mask = torch.ones(features.shape[:2], dtype=torch.bool, device=features.device)
        h = self.embed(features)
        for layer in self.layers:
            h = layer(h, pad_mask)
        return h

    def forward(
        self, features: torch.Tensor, action_mask: torch.Tensor, pad_mask: torch.Tensor | None = None
    ) -> PolicyOutput:
        """Log-probabilities over the `[B, n*k]` slots given features `[B, n, d_in]`, the legal-slot mask
        `[B, n*k]` (or `[B, n, k]`) and the real-token mask `[B, n]` (None: no padding)."""
        if pad_mask is None:
            pad_mask = torch.ones(features.shape[:2], dtype=torch.bool, device=features.device)
        h = self.encode(features, pad_mask)
        logits = self.head(h).reshape(h.shape[0], -1)
        legal = action_mask.reshape(logits.shape) & pad_mask.repeat_interleave(self.config.n_choices, dim=1)
        log_probs = torch.log_softmax(logits.masked_fill(~legal, float("-inf")), dim=-1)
        value = None
        if self.value_head is not None:
            w = pad_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * w).sum(1) / w.sum(1).clamp_min(1.0)
            value = self.value_head(pooled).squeeze(-1)
        return PolicyOutput(log_probs, value)


@contextmanager
def evaluating(policy: AttentionPolicy) -> Iterator[None]:
    """Eval mode and no autograd for the block; the previous training flag is restored afterwards."""
    was_training = policy.training
    if was_training:  # switching modes walks every submodule: skip it when already evaluating
        policy.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        if was_training:
            policy.train()
