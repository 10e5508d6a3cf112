"""Speculative decoding and multi-token prediction: tokens per step and the draft's cost.

With γ draft tokens per step, each accepted with probability a (independently, the standard
assumption of [Leviathan 2023]), one verification pass over 1 + γ tokens per sequence yields on
average (docs/formulas.md F125)

    τ = 1 + a + a² + … + a^γ = (1 − a^(γ+1)) / (1 − a)

tokens per sequence. The drafts cost γ sequential passes of the draft: an MTP head (DeepSeek-V3's
multi-token-prediction module, one transformer layer on the main model's hidden state) costs one
layer's share of a one-token decode step; a draft model costs its own decode step (F126).
"""

from __future__ import annotations

import numpy as np


def tokens_per_step(spec_tokens: int, accept: float) -> float:
    """Mean tokens one decode step yields per sequence: Σ_{i=0..γ} a^i (F125); 1 without drafts."""
    if spec_tokens < 0:
        raise ValueError(f"spec: must be >= 0 draft tokens; got {spec_tokens!r}")
    if not (0 <= accept <= 1):
        raise ValueError(f"spec_accept: must be in [0, 1]; got {accept!r}")
    return float(np.sum(accept ** np.arange(spec_tokens + 1)))


def acceptance_for(spec_tokens: int, tokens: float) -> float:
    """The acceptance rate a whose τ (F125) equals a published mean accepted length `tokens`
    (bisection; τ rises monotonically with a)."""
    if not (1 <= tokens <= spec_tokens + 1):
        raise ValueError(f"tokens: must be in [1, {spec_tokens + 1}] for {spec_tokens} drafts; got {tokens!r}")
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tokens_per_step(spec_tokens, mid) < tokens else (lo, mid)
    return (lo + hi) / 2


def mtp_draft_s(one_token_step_s, layers: int, spec_tokens: int) -> np.ndarray:
    """γ MTP drafts: each one layer's share of a one-token decode step (F126)."""
    return spec_tokens * np.asarray(one_token_step_s, dtype=float) / layers
