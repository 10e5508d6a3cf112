"""The scenario's bounds, shared by the scenario keys and the model calls that take the same quantities.

MAX_BATCH sequences per decode step, MAX_TOKENS tokens of prompt or context, MAX_OUTPUT_TOKENS
output tokens per request, MAX_CHIPS chips per replica. MAX_TOKENS is 2**24 so that every model
preset's max_context fits under it (Llama 4 Scout's is 10,485,760; tests/catalog checks the rest).
MAX_BATCH is 2**18 so that rack-scale decode replicas fit: SGLang's GB200 NVL72 decode runs 48 GPUs at
1,408 sequences each, 67,584 in all (lmsys.org/blog/2025-09-25-gb200-part-2); 72 or 144 GPUs at that
per-GPU batch need 101,376 or 202,752.
"""

MAX_BATCH = 262_144  # 2**18 sequences per decode step (see above)
MAX_TOKENS = 16_777_216  # 2**24 tokens
MAX_OUTPUT_TOKENS = 1_000_000
MAX_CHIPS = 1024
