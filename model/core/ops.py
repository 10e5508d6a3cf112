"""FLOPs and bytes of each operation of one forward pass, vectorised over batch and context.

A forward pass processes `batch` sequences, each adding `new_tokens` tokens on top of `ctx`
tokens already in its KV cache: decode is new_tokens = 1, prefill is new_tokens = prompt
(ctx = 0, or a cached prefix). `batch`, `new_tokens` and `ctx` may be numpy arrays that
broadcast together; every count below then has their broadcast shape.

Counts follow docs/formulas.md F10–F16:
- a linear layer on T tokens with P parameters: 2·T·P FLOPs, P·b_w weight bytes, and its
  input and output activations T·(d_in + d_out)·b_a bytes;
- attention (FlashAttention style): 2·n_q·(d_qk + d_v) FLOPs per (query, attended key) pair,
  causal, each query attending to min(position, window) keys (its chunk for chunked layers, at
  most top-k for sparse layers, F150–F152); KV bytes = the cached tokens read once per sequence
  per layer plus the new tokens written; a sparse layer's indexer scores every cached token;
  a linear layer updates and reads a fixed state per token (F153);
- MoE: T·k routed expert-evaluations but only E·(1 − (1 − k/E)^T) distinct experts' weights
  read per layer; shared experts and the router always;
- the input embedding is a lookup of T rows; lm_head computes logits for the last token of
  each sequence only;
- elementwise work is traffic (F102): each norm is fused with its residual add (reads x and the
  residual, writes both: 4·d elements per token), the gated activation reads 2·d_ff and writes
  d_ff per token, rotary embedding reads and writes q and k.

Each op also counts the kernels it launches per pass (F100, `KERNELS_PER_LAYER`): a dense layer
launches 10 (two fused add+norms, QKV GEMM, rotary, KV-cache write, attention, output GEMM,
gate/up GEMM, activation, down GEMM); an MoE layer launches a fixed 6 (router GEMM, top-k,
permutation, one grouped GEMM for every touched expert's gate/up and one for their down
projections, un-permutation) plus its activation, and `moe_per_expert` per touched expert
(0 for grouped GEMMs as served today; an expert loop would launch 3 per expert).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.core.architecture import ModelConfig
from model.core.precision import Precision


@dataclass(frozen=True)
class OpCost:
    """Work of one named operation summed over all layers (arrays broadcast over the pass)."""

    name: str
    flops: np.ndarray
    weight_traffic_bytes: np.ndarray  # weights read from HBM
    kv_traffic_bytes: np.ndarray  # KV cache read and written
    act_traffic_bytes: np.ndarray  # activations read and written
    kernels: np.ndarray | float = 0.0  # kernels launched per pass, summed over layers

    @property
    def bytes(self) -> np.ndarray:
        return self.weight_traffic_bytes + self.kv_traffic_bytes + self.act_traffic_bytes


KERNELS_PER_LAYER = {  # kernels launched per layer per forward pass (docs/formulas.md F100)
    "qkv_proj": 2,  # QKV GEMM, rotary embedding
    "attention": 2,  # KV-cache write, attention kernel
    "out_proj": 1,
    "ffn": 2,  # gate/up GEMM, down GEMM
    "activation": 1,  # SiLU(gate)·up (dense FFN, or all experts' at once)
    "moe_fixed": 6,  # router GEMM, top-k, permutation, grouped gate/up GEMM, grouped down GEMM, un-permutation
    "moe_per_expert": 0,  # launches per touched expert: 0 with grouped GEMMs (vLLM fused_moe, TensorRT-LLM's
    #                       MoE plugin); an expert loop (Hugging Face transformers) launches 3 per expert
    "moe_shared_experts": 3,  # gate/up GEMM, activation, down GEMM
    "norms": 2,  # two fused residual-add + RMSNorm per layer
}
KERNELS_PER_PASS = {"embedding_lookup": 1, "lm_head": 2, "norms": 1}  # lm_head: GEMM + sampling; final norm


def experts_touched(experts: int, active: int, tokens) -> np.ndarray:
    """Expected distinct experts hit per layer by `tokens` uniformly routed top-k tokens.

    E·(1 − (1 − k/E)^T)  (docs/formulas.md F13, from Erdil's inference-economics code).
    """
    tokens = np.asarray(tokens, dtype=float)
    if active >= experts:
        return np.full_like(tokens, float(experts))
    return -experts * np.expm1(tokens * np.log1p(-active / experts))


def attended_keys(ctx, new_tokens, window: float) -> np.ndarray:
    """Σ_{i=1..new} min(ctx + i, window): keys attended by `new_tokens` causal queries.

    Also the keys a sparse top-k layer attends to, with `window` = k (F152)."""
    ctx = np.asarray(ctx, dtype=float)
    new = np.asarray(new_tokens, dtype=float)
    if np.isinf(window):
        return new * ctx + new * (new + 1) / 2
    below = np.clip(window - ctx, 0.0, new)  # queries whose whole history fits in the window
    return below * ctx + below * (below + 1) / 2 + (new - below) * window


def chunked_keys(ctx, new_tokens, chunk: float) -> np.ndarray:
    """Σ_{i=1..new} (((ctx + i − 1) mod C) + 1): keys attended by causal queries that see only their
    own chunk of C tokens (Llama 4's chunked attention, docs/formulas.md F151)."""
    def prefix(n):
        whole = np.floor(n / chunk)
        rest = n - whole * chunk
        return whole * chunk * (chunk + 1) / 2 + rest * (rest + 1) / 2
    ctx = np.asarray(ctx, dtype=float)
    return prefix(ctx + np.asarray(new_tokens, dtype=float)) - prefix(ctx)


def local_keys(m: ModelConfig, ctx, new_tokens, decode: bool) -> np.ndarray:
    """Keys a local layer's queries attend to. Chunked layers in prefill see their chunk only; a
    decode step is priced at the window (the chunk's last position: an upper bound, F151)."""
    if m.local_kind == "chunked" and not decode:
        return chunked_keys(ctx, new_tokens, m.window_tokens)
    return attended_keys(ctx, new_tokens, m.window_tokens)


def cached_keys_read(ctx, window: float) -> np.ndarray:
    """Cached tokens one sequence reads per layer: the context, capped by the window."""
    return np.minimum(np.asarray(ctx, dtype=float), window)


def kv_cache_tokens(m: ModelConfig, ctx) -> np.ndarray:
    """Layer-tokens a sequence of context `ctx` keeps in its KV cache, summed over layers.

    Global (full or sparse) layers hold every token; local layers at most `window` tokens; linear
    layers none (they keep a fixed state, `state_bytes_per_sequence`). Multiply by bytes per
    token per layer to get the cache size.
    """
    ctx = np.asarray(ctx, dtype=float)
    return m.global_layers * ctx + m.sliding_layers * np.minimum(ctx, m.window_tokens)


def state_bytes_per_sequence(m: ModelConfig, p: Precision) -> float:
    """Recurrent state of all linear layers for one sequence, at the KV precision (F153)."""
    return m.linear_layers * m.linear_state_elements_per_layer * p.bytes_per_kv_element


def cache_bytes_per_sequence(m: ModelConfig, p: Precision, ctx) -> np.ndarray:
    """Everything one sequence keeps between steps: KV cache (windows applied), the sparse
    indexer's keys and the linear layers' state."""
    ctx = np.asarray(ctx, dtype=float)
    kv = kv_cache_tokens(m, ctx) * m.kv_elements_per_token_per_layer * p.bytes_per_kv_element
    indexer = m.global_layers * ctx * m.indexer_bytes_per_token_per_layer
    return kv + indexer + state_bytes_per_sequence(m, p)


def _linear(name: str, tokens, params: float, io_elements_per_token: float, p: Precision, kernels: float) -> OpCost:
    tokens = np.asarray(tokens, dtype=float)
    return OpCost(
        name=name,
        flops=2.0 * tokens * params,
        weight_traffic_bytes=np.full_like(tokens, params * p.bytes_per_weight),
        kv_traffic_bytes=np.zeros_like(tokens),
        act_traffic_bytes=tokens * io_elements_per_token * p.bytes_per_activation,
        kernels=kernels,
    )


def _elementwise(name: str, tokens, elements_per_token: float, p: Precision, kernels: float) -> OpCost:
    """An elementwise op: no FLOPs worth counting, `elements_per_token` activations read and written."""
    tokens = np.asarray(tokens, dtype=float)
    zero = np.zeros_like(tokens)
    return OpCost(name, zero, zero, zero, tokens * elements_per_token * p.bytes_per_activation, kernels)


def _attention(m: ModelConfig, batch, new_tokens, ctx, p: Precision, decode: bool) -> OpCost:
    """Every attention kind of the pass in one op (F150–F153): softmax pairs (full, sparse top-k,
    local), the sparse indexer's scores, and the linear layers' state update and read-out."""
    d_qk, d_v = m.attention_dims(decode)
    new = np.asarray(new_tokens, dtype=float)
    pairs = m.global_layers * attended_keys(ctx, new, m.topk_tokens) + m.sliding_layers * local_keys(m, ctx, new, decode)
    cached_read = m.global_layers * cached_keys_read(ctx, m.topk_tokens)
    cached_read = cached_read + m.sliding_layers * cached_keys_read(ctx, m.window_tokens)
    kv_layer_bytes = m.kv_elements_per_token_per_layer * p.bytes_per_kv_element
    written = m.softmax_layers * new
    index_pairs = m.global_layers * attended_keys(ctx, new, np.inf) if m.is_sparse else 0.0
    index_flops = 2.0 * m.index_heads * m.index_head_dim * index_pairs
    index_bytes = m.global_layers * (np.asarray(ctx, dtype=float) + new) * m.indexer_bytes_per_token_per_layer
    linear_flops = 4.0 * m.linear_layers * m.linear_state_elements_per_layer * new
    state_bytes = 2.0 * state_bytes_per_sequence(m, p)  # read and write the state once per pass
    tokens = batch * new
    return OpCost(
        name="attention",
        flops=batch * (2.0 * m.heads * (d_qk + d_v) * pairs + index_flops + linear_flops),
        weight_traffic_bytes=np.zeros_like(pairs * batch),
        kv_traffic_bytes=batch * ((cached_read + written) * kv_layer_bytes + index_bytes + state_bytes),
        act_traffic_bytes=tokens * m.softmax_layers * m.heads * (d_qk + d_v) * p.bytes_per_activation,
        kernels=m.layers * KERNELS_PER_LAYER["attention"],
    )


def _moe(m: ModelConfig, tokens, p: Precision) -> list[OpCost]:
    tokens = np.asarray(tokens, dtype=float)
    width = m.d_model + m.moe_ffn
    touched = experts_touched(m.experts, m.experts_active, tokens)
    routed = OpCost(
        name="moe_experts",
        flops=2.0 * tokens * m.moe_layers * (m.experts_active * m.expert_params + m.router_params_per_layer),
        weight_traffic_bytes=m.moe_layers * (touched * m.expert_params + m.router_params_per_layer) * p.bytes_per_weight,
        kv_traffic_bytes=np.zeros_like(tokens),
        act_traffic_bytes=tokens * m.moe_layers * m.experts_active * 3 * width * p.bytes_per_activation,
        kernels=m.moe_layers * (KERNELS_PER_LAYER["moe_fixed"] + KERNELS_PER_LAYER["moe_per_expert"] * touched),
    )
    ops = [routed, _elementwise("moe_activation", tokens, m.moe_layers * m.experts_active * 3 * m.moe_ffn, p,
                                m.moe_layers * KERNELS_PER_LAYER["activation"])]
    if m.shared_experts:
        params = m.moe_layers * m.shared_experts * m.expert_params
        io = m.moe_layers * m.shared_experts * (3 * width + 3 * m.moe_ffn)  # GEMMs' inputs/outputs + activation
        ops.append(_linear("moe_shared_experts", tokens, params, io, p,
                           m.moe_layers * KERNELS_PER_LAYER["moe_shared_experts"]))
    return ops


def forward_ops(m: ModelConfig, p: Precision, batch, new_tokens, ctx, decode: bool) -> list[OpCost]:
    """Per-op costs of one forward pass (see module docstring for the pass definition)."""
    batch = np.asarray(batch, dtype=float)
    tokens = batch * np.asarray(new_tokens, dtype=float)
    d = m.d_model
    n_l = m.layers
    qkv = m.attn_params_total - m.out_params_total  # every layer's input projections (and indexers)
    d_qk, _ = m.attention_dims(decode)
    rotary = 2 * (m.heads + m.kv_heads_for_sharding) * (m.qk_rope_head_dim if m.is_mla else d_qk)  # q, k read+written
    ops = [
        OpCost(
            name="embedding_lookup",
            flops=np.zeros_like(tokens),
            weight_traffic_bytes=tokens * d * p.bytes_per_weight,
            kv_traffic_bytes=np.zeros_like(tokens),
            act_traffic_bytes=tokens * d * p.bytes_per_activation,
            kernels=KERNELS_PER_PASS["embedding_lookup"],
        ),
        _linear("qkv_proj", tokens, qkv, n_l * d + qkv / d + m.softmax_layers * rotary, p,
                n_l * KERNELS_PER_LAYER["qkv_proj"]),
        _attention(m, batch, new_tokens, ctx, p, decode),
        _linear("out_proj", tokens, m.out_params_total, m.out_params_total / d + n_l * d, p,
                n_l * KERNELS_PER_LAYER["out_proj"]),
    ]
    if m.dense_ffn_layers and m.ffn:
        matrices = 3 if m.gated_ffn else 2
        params = m.dense_ffn_layers * m.dense_ffn_params_per_layer
        ops.append(_linear("ffn", tokens, params, m.dense_ffn_layers * matrices * (d + m.ffn), p,
                           m.dense_ffn_layers * KERNELS_PER_LAYER["ffn"]))
        act_io = 3 * m.ffn if m.gated_ffn else 2 * m.ffn
        ops.append(_elementwise("activation", tokens, m.dense_ffn_layers * act_io, p,
                                m.dense_ffn_layers * KERNELS_PER_LAYER["activation"]))
    if m.is_moe:
        ops.extend(_moe(m, tokens, p))
    ops.append(_linear("lm_head", batch, m.lm_head_params, d + m.vocab, p, KERNELS_PER_PASS["lm_head"]))
    norms = 2 * n_l + 1
    ops.append(
        OpCost(
            name="norms",
            flops=4.0 * tokens * d * norms,
            weight_traffic_bytes=np.full_like(tokens, norms * d * 2.0),
            kv_traffic_bytes=np.zeros_like(tokens),
            act_traffic_bytes=4.0 * tokens * d * norms * p.bytes_per_activation,  # fused residual add (F102)
            kernels=n_l * KERNELS_PER_LAYER["norms"] + KERNELS_PER_PASS["norms"],
        )
    )
    return ops
