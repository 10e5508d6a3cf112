"""Sentences more than one page shows: a token count beyond the model's maximum context; why not even
one sequence fits in HBM."""

from __future__ import annotations


def context_warning(note: str) -> str:
    """A page's warning for one of `model.report.summary.context_warnings` (ctx, prompt, prompt + out)."""
    return f"{note}: the numbers below are the roofline's, for tokens the model was not trained to take."


def no_fit_sentence(weights_fit: bool, ctx: int) -> str:
    """Why not even one sequence fits (`model.core.metrics.max_batch` < 1): the weights alone, or one
    sequence's KV cache at `ctx` beside weights that fit (`model.core.metrics.weights_fit`), with the remedy."""
    if not weights_fit:
        return "the weights do not fit in HBM on this replica (add chips or use fewer weight bits)"
    return (f"the weights fit in HBM on this replica, but one sequence's KV cache at {ctx:,} tokens does not fit "
            "beside them (shorten the context, add chips or use fewer KV bits)")
