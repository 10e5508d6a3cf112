"""Two micro-batch overlap as a schedule (docs/formulas.md F140).

The batch is split in two micro-batches. Each layer runs, per micro-batch, a compute stage
`a` (norms, QKV, attention, output projection), a communication stage `d` (the attention
all-reduce and the expert dispatch), a compute stage `m` (the FFN or the experts) and a
communication stage `c` (the combine and the FFN all-reduce). The GPU's compute stream runs
a1, a2, m1, m2 in that order and the network runs d1, d2, c1, c2 in that order (SGLang's and
DeepSeek's two-batch overlap); each stage waits for the stage before it in its own micro-batch.
The pass time is when the last stage ends: communication hides only behind the other
micro-batch's compute that runs at the same time, stage by stage, not behind the whole pass.
Prefill's forwarding all-to-all runs on SMs it takes from the GEMMs (`COMM_SM_SHARE`); decode's
direct (low-latency) all-to-all is driven by the NIC and takes none.
"""

from __future__ import annotations

import numpy as np

COMM_SM_SHARE = 20 / 132  # SMs the forwarding all-to-all occupies while it overlaps compute: 20 of an H800's 132
#                          (DeepSeek-V3 report §3.2.2); decode's low-latency kernels occupy none (DeepEP, F140)
ATTENTION_STAGE = ("qkv_proj", "attention", "out_proj", "norms")  # per layer, before the dispatch
DENSE_FFN_STAGE = ("ffn", "activation")  # after it, in a dense layer
MOE_STAGE = ("moe_experts", "moe_activation", "moe_shared_experts")  # after it, in an MoE layer


def splits(batch, new_tokens, decode: bool) -> np.ndarray:
    """Where a pass can run as two micro-batches: decode splits sequences (at least 2), prefill
    tokens (a prompt may be split; at least 2)."""
    size = np.asarray(batch, dtype=float) * (1 if decode else np.asarray(new_tokens, dtype=float))
    return size >= 2


def schedule_s(layer_groups) -> np.ndarray:
    """End time of a two micro-batch pass over `layer_groups`: (count, a, d, m, c) per group of
    identical layers, every time per micro-batch (arrays broadcast together)."""
    compute = comm = 0.0
    ready = [0.0, 0.0]  # when each micro-batch's previous stage ended
    for count, a, d, m, c in layer_groups:
        for _ in range(int(count)):
            for work, talk in ((a, d), (m, c)):
                for i in (0, 1):
                    compute = ready[i] = np.maximum(compute, ready[i]) + work
                for i in (0, 1):
                    comm = ready[i] = np.maximum(comm, ready[i]) + talk
    return np.maximum(ready[0], ready[1])
