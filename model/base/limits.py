"""The scenario's bounds, shared by the scenario keys and the model calls that take the same quantities.

MAX_BATCH sequences per decode step, MAX_TOKENS tokens of prompt or context, MAX_OUTPUT_TOKENS
output tokens per request, MAX_CHIPS chips per replica.
"""

MAX_BATCH = 65536
MAX_TOKENS = 10_000_000
MAX_OUTPUT_TOKENS = 1_000_000
MAX_CHIPS = 1024
