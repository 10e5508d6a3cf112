"""Sentences more than one page shows: a token count beyond the model's maximum context."""

from __future__ import annotations


def context_warning(note: str) -> str:
    """A page's warning for one of `model.report.summary.context_warnings` (ctx, prompt, prompt + out)."""
    return f"{note}: the numbers below are the roofline's, for tokens the model was not trained to take."
