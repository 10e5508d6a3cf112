"""Transformer architecture and the parameter and KV-cache counts derived from its shapes.

Symbols (docs/notation.md): n_L layers, d model width, n_q query heads, n_kv KV heads,
d_h head dim, d_ff dense FFN width, V vocab, E routed experts, k experts per token,
d_e expert FFN width. Counts are in parameters or elements; bytes come later with precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.core.precision import Precision


@dataclass(frozen=True)
class ModelConfig:
    """Shapes of a decoder-only transformer, as in its config.json.

    MoE: `experts` routed experts (0 = dense), `experts_active` per token, `shared_experts`
    always-on experts of width `moe_ffn`; the first `dense_layers` layers use a dense FFN of
    width `ffn`. MLA (DeepSeek latent attention) is on when `kv_lora_rank > 0`. Sliding-window
    attention: `sliding_layers` of the layers attend to at most `sliding_window` tokens.
    """

    id: str
    name: str
    layers: int
    d_model: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    gated_ffn: bool = True
    tied_embeddings: bool = False
    experts: int = 0
    experts_active: int = 0
    shared_experts: int = 0
    moe_ffn: int = 0
    dense_layers: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    max_context: int = 131072
    published_total_b: float | None = None
    published_active_b: float | None = None
    source: str = ""

    # --- structure -------------------------------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.is_moe else 0

    @property
    def dense_ffn_layers(self) -> int:
        return self.layers - self.moe_layers

    @property
    def global_layers(self) -> int:
        """Layers attending to the whole context (not sliding-window)."""
        return self.layers - self.sliding_layers

    @property
    def window_tokens(self) -> float:
        """Sliding window in tokens; infinity when the model has none."""
        return float(self.sliding_window) if self.sliding_window > 0 else math.inf

    # --- parameters per layer --------------------------------------------------------------
    @property
    def attn_params_per_layer(self) -> int:
        """Q, K, V and output projections (MLA: the low-rank down/up projections)."""
        d = self.d_model
        if self.is_mla:
            qk_head = self.qk_nope_head_dim + self.qk_rope_head_dim
            if self.q_lora_rank:
                q = d * self.q_lora_rank + self.q_lora_rank * self.heads * qk_head
            else:
                q = d * self.heads * qk_head
            kv_down = d * (self.kv_lora_rank + self.qk_rope_head_dim)
            kv_up = self.kv_lora_rank * self.heads * (self.qk_nope_head_dim + self.v_head_dim)
            out = self.heads * self.v_head_dim * d
            return q + kv_down + kv_up + out
        q_and_out = 2 * d * self.heads * self.head_dim
        kv = 2 * d * self.kv_heads * self.head_dim
        return q_and_out + kv

    @property
    def qkv_params_per_layer(self) -> int:
        return self.attn_params_per_layer - self.out_params_per_layer

    @property
    def out_params_per_layer(self) -> int:
        v_dim = self.v_head_dim if self.is_mla else self.head_dim
        return self.heads * v_dim * self.d_model

    @property
    def dense_ffn_params_per_layer(self) -> int:
        matrices = 3 if self.gated_ffn else 2
        return matrices * self.d_model * self.ffn

    @property
    def expert_params(self) -> int:
        """One expert: a gated FFN of width `moe_ffn`."""
        return 3 * self.d_model * self.moe_ffn

    @property
    def router_params_per_layer(self) -> int:
        return self.d_model * self.experts

    @property
    def embedding_params(self) -> int:
        return self.vocab * self.d_model

    @property
    def lm_head_params(self) -> int:
        return self.vocab * self.d_model

    # --- totals ----------------------------------------------------------------------------
    @property
    def ffn_params_total(self) -> int:
        moe = self.moe_layers * (
            (self.experts + self.shared_experts) * self.expert_params + self.router_params_per_layer
        )
        return self.dense_ffn_layers * self.dense_ffn_params_per_layer + moe

    @property
    def total_params(self) -> int:
        """All stored parameters (norm weights are < 0.01% and left out)."""
        head = 0 if self.tied_embeddings else self.lm_head_params
        return self.layers * self.attn_params_per_layer + self.ffn_params_total + self.embedding_params + head

    @property
    def matmul_params_per_token(self) -> int:
        """Parameters multiplied per token (N_act for FLOPs): attention, active FFN, lm_head.

        The input embedding is a lookup, not a matmul, so it is excluded.
        """
        moe = self.moe_layers * (
            (self.experts_active + self.shared_experts) * self.expert_params + self.router_params_per_layer
        )
        ffn = self.dense_ffn_layers * self.dense_ffn_params_per_layer + moe
        return self.layers * self.attn_params_per_layer + ffn + self.lm_head_params

    # --- attention and KV cache ------------------------------------------------------------
    @property
    def kv_elements_per_token_per_layer(self) -> int:
        """Cached elements per token per layer: 2·n_kv·d_h (K and V), or MLA latent + RoPE key."""
        if self.is_mla:
            return self.kv_lora_rank + self.qk_rope_head_dim
        return 2 * self.kv_heads * self.head_dim

    @property
    def kv_heads_for_sharding(self) -> int:
        """KV heads that tensor parallelism can split (MLA's latent cache is one shared head)."""
        return 1 if self.is_mla else self.kv_heads

    def attention_dims(self, decode: bool) -> tuple[int, int]:
        """(query-key dim, value dim) per head for attention FLOPs.

        MLA decode uses the weight-absorbed form (scores against the 576-wide latent, values of
        width kv_lora_rank), as FlashMLA does; MLA prefill uses the expanded heads.
        """
        if not self.is_mla:
            return self.head_dim, self.head_dim
        if decode:
            return self.kv_lora_rank + self.qk_rope_head_dim, self.kv_lora_rank
        return self.qk_nope_head_dim + self.qk_rope_head_dim, self.v_head_dim

    def kv_bytes_per_token(self, precision: Precision) -> float:
        """KV-cache bytes per token of context over all layers, ignoring sliding windows."""
        return self.layers * self.kv_elements_per_token_per_layer * precision.bytes_per_kv_element


def shape_problems(m: ModelConfig) -> list[tuple[str, str]]:
    """Cross-field problems of a model config as (field, message) pairs; empty when valid."""
    problems = []
    if m.kv_heads > m.heads:
        problems.append(("kv_heads", f"must be at most heads ({m.heads}); got {m.kv_heads}"))
    if not m.is_mla and m.head_dim < 1:
        problems.append(("head_dim", "must be at least 1 for non-MLA attention"))
    if m.is_moe and not (1 <= m.experts_active <= m.experts):
        problems.append(("experts_active", f"must be in [1, experts={m.experts}]; got {m.experts_active}"))
    if m.is_moe and m.moe_ffn < 1:
        problems.append(("moe_ffn", "must be at least 1 when experts > 0"))
    if m.dense_ffn_layers and m.ffn < 1:
        problems.append(("ffn", "must be at least 1 when some layers have a dense FFN"))
    if m.dense_layers > m.layers:
        problems.append(("dense_layers", f"must be at most layers ({m.layers})"))
    if m.sliding_layers > m.layers:
        problems.append(("sliding_layers", f"must be at most layers ({m.layers})"))
    if m.sliding_layers and not m.sliding_window:
        problems.append(("sliding_window", "must be set when sliding_layers > 0"))
    return problems
