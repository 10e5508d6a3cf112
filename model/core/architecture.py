"""Transformer architecture and the parameter and KV-cache counts derived from its shapes.

Symbols (docs/notation.md): n_L layers, d model width, n_q query heads, n_kv KV heads,
d_h head dim, d_ff dense FFN width, V vocab, E routed experts, k experts per token,
d_e expert FFN width. Counts are in parameters or elements; bytes come later with precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.core.precision import Precision

INDEXER_BYTES_PER_ELEMENT = 1.0  # FP8 indexer keys (DeepSeek-V3.2-Exp report, docs/formulas.md F152)
LOCAL_KINDS = ("sliding", "chunked")


@dataclass(frozen=True)
class ModelConfig:
    """Shapes of a decoder-only transformer, as in its config.json.

    MoE: `experts` routed experts (0 = dense), `experts_active` per token, `shared_experts`
    always-on experts of width `moe_ffn`; the first `dense_layers` layers use a dense FFN of
    width `ffn`. MLA (DeepSeek latent attention) is on when `kv_lora_rank > 0`.

    Attention kinds per layer (docs/formulas.md F150–F153), counted over the `layers`:
    - local: `sliding_layers` attend to at most `sliding_window` tokens; `local_kind` "sliding"
      (a moving window, Mistral, Gemma, gpt-oss) or "chunked" (the current chunk of that many
      tokens, Llama 4);
    - linear (constant-state): `linear_layers` keep a recurrent state of `linear_heads` heads x
      `linear_key_dim` x `linear_value_dim` instead of a KV cache (Gated DeltaNet, KDA, lightning
      attention); their queries and keys have `linear_key_heads` heads;
    - full: the rest; with `index_topk > 0` they are sparse (DeepSeek Sparse Attention): a lightning
      indexer of `index_heads` x `index_head_dim` scores every cached token, then each query attends
      to at most `index_topk` selected tokens.
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
    local_kind: str = "sliding"
    linear_layers: int = 0
    linear_heads: int = 0
    linear_key_heads: int = 0
    linear_key_dim: int = 0
    linear_value_dim: int = 0
    index_topk: int = 0
    index_heads: int = 0
    index_head_dim: int = 0
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
        """Softmax layers attending to the whole context (full or sparse; not local, not linear)."""
        return self.layers - self.sliding_layers - self.linear_layers

    @property
    def softmax_layers(self) -> int:
        """Layers with a KV cache (full, sparse and local): all but the linear ones."""
        return self.layers - self.linear_layers

    @property
    def is_sparse(self) -> bool:
        return self.index_topk > 0

    @property
    def topk_tokens(self) -> float:
        """Tokens each query of a global layer attends to: `index_topk`, or all (infinity)."""
        return float(self.index_topk) if self.is_sparse else math.inf

    @property
    def attention_pattern(self) -> str:
        """The layer pattern in words, e.g. '12 full + 36 linear' (for tables and captions)."""
        kind = f"sparse top-{self.index_topk}" if self.is_sparse else "full"
        parts = [f"{self.global_layers} {kind}"]
        if self.sliding_layers:
            parts.append(f"{self.sliding_layers} {self.local_kind} {self.sliding_window:,}")
        if self.linear_layers:
            parts.append(f"{self.linear_layers} linear")
        return " + ".join(parts)

    @property
    def window_tokens(self) -> float:
        """Sliding window in tokens; infinity when the model has none."""
        return float(self.sliding_window) if self.sliding_window > 0 else math.inf

    # --- parameters per layer --------------------------------------------------------------
    @property
    def linear_attn_params_per_layer(self) -> int:
        """A linear-attention layer: q, k (key heads), v and output gate (value heads), output
        projection, and per-head decay and write-strength scalars (short convolutions are < 0.1%)."""
        if not self.linear_layers:
            return 0
        d, hk, hv = self.d_model, self.linear_key_heads, self.linear_heads
        dk, dv = self.linear_key_dim, self.linear_value_dim
        return d * (2 * hk * dk + 2 * hv * dv) + hv * dv * d + 2 * d * hv

    @property
    def indexer_params_per_layer(self) -> int:
        """DeepSeek Sparse Attention's lightning indexer: queries (from the q latent), one key
        head and per-head weights."""
        if not self.is_sparse:
            return 0
        q_in = self.q_lora_rank or self.d_model
        return q_in * self.index_heads * self.index_head_dim + self.d_model * (self.index_head_dim + self.index_heads)

    @property
    def attn_params_total(self) -> int:
        """Attention parameters over all layers (softmax layers, their indexers, linear layers)."""
        softmax = self.softmax_layers * self.attn_params_per_layer + self.global_layers * self.indexer_params_per_layer
        return softmax + self.linear_layers * self.linear_attn_params_per_layer

    @property
    def out_params_total(self) -> int:
        """Output projections over all layers."""
        linear = self.linear_layers * self.linear_heads * self.linear_value_dim * self.d_model
        return self.softmax_layers * self.out_params_per_layer + linear

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
        return self.attn_params_total + self.ffn_params_total + self.embedding_params + head

    @property
    def matmul_params_per_token(self) -> int:
        """Parameters multiplied per token (N_act for FLOPs): attention, active FFN, lm_head.

        The input embedding is a lookup, not a matmul, so it is excluded.
        """
        moe = self.moe_layers * (
            (self.experts_active + self.shared_experts) * self.expert_params + self.router_params_per_layer
        )
        ffn = self.dense_ffn_layers * self.dense_ffn_params_per_layer + moe
        return self.attn_params_total + ffn + self.lm_head_params

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

    @property
    def linear_state_elements_per_layer(self) -> int:
        """Recurrent state of one linear-attention layer per sequence: heads x d_k x d_v."""
        return self.linear_heads * self.linear_key_dim * self.linear_value_dim

    def kv_bytes_per_token(self, precision: Precision) -> float:
        """KV-cache bytes per token of context over the softmax layers (windows not applied; the
        sparse indexer's keys included; linear layers keep a fixed state instead)."""
        kv = self.softmax_layers * self.kv_elements_per_token_per_layer * precision.bytes_per_kv_element
        return kv + self.global_layers * self.indexer_bytes_per_token_per_layer

    @property
    def indexer_bytes_per_token_per_layer(self) -> float:
        """Indexer key cache per token per sparse layer: `index_head_dim` FP8 values (DeepSeek
        stores them in FP8, docs/formulas.md F152)."""
        return float(self.index_head_dim) * INDEXER_BYTES_PER_ELEMENT if self.is_sparse else 0.0


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
    if m.local_kind not in LOCAL_KINDS:
        problems.append(("local_kind", f"must be one of {', '.join(LOCAL_KINDS)}; got {m.local_kind!r}"))
    if m.sliding_layers + m.linear_layers > m.layers:
        problems.append(("linear_layers", f"sliding_layers + linear_layers must be at most layers ({m.layers})"))
    if m.linear_layers and min(m.linear_heads, m.linear_key_heads, m.linear_key_dim, m.linear_value_dim) < 1:
        problems.append(("linear_heads", "linear_heads, linear_key_heads, linear_key_dim and linear_value_dim "
                                         "must be at least 1 when linear_layers > 0"))
    if m.is_sparse and min(m.index_heads, m.index_head_dim) < 1:
        problems.append(("index_heads", "index_heads and index_head_dim must be at least 1 when index_topk > 0"))
    return problems
