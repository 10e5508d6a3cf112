"""Tables of the "Model size & lifetime cost" page (pages/scaling.py)."""

from __future__ import annotations

import pandas as pd

from model.scaling import lifetime
from ui import format as fmt


def plans_table(comparison: lifetime.LifetimeComparison, usd_train: float, usd_inference: float) -> pd.DataFrame:
    """Both plans in readable units: billions of parameters and tokens, ZFLOP (1e21 FLOPs), million USD."""
    rows = []
    for label, p in (("Chinchilla-optimal", comparison.chinchilla), ("lifetime-optimal", comparison.optimal)):
        train_usd, inference_usd = p.training_flops * usd_train, p.inference_flops * usd_inference
        rows.append({"plan": label, "params_b": p.params / 1e9, "train_tokens_b": p.train_tokens / 1e9,
                     "tokens_per_param": p.tokens_per_param, "inference_tokens_b": p.inference_tokens / 1e9,
                     "loss_nats_per_token": p.loss, "training_zflop": p.training_flops / 1e21,
                     "inference_zflop": p.inference_flops / 1e21, "total_zflop": p.total_flops / 1e21,
                     "training_usd_m": train_usd / 1e6, "inference_usd_m": inference_usd / 1e6,
                     "total_usd_m": (train_usd + inference_usd) / 1e6})
    return fmt.rounded(pd.DataFrame(rows))
