"""KV-cache memory of one replica, as the policies hold it (docs/formulas.md F44).

- Max-length reservation (static batching, FasterTransformer style): every sequence reserves
  `reserve_tokens` of KV up front, so `metrics.max_batch(dep, reserve_tokens)` sequences fit and
  everything a sequence has not (yet) filled is waste.
- PagedAttention (vLLM): KV is held in blocks of `block_tokens` tokens, allocated as tokens
  arrive; `metrics.max_batch(dep, block_tokens)` blocks fit. Only each sequence's last block is
  partly empty (waste ≤ block − 1 tokens per sequence). A waiting request is admitted when its
  prompt's blocks fit beyond a watermark of 1% of the blocks (vLLM's BlockSpaceManager default).
"""

from __future__ import annotations

from dataclasses import dataclass

from model.core import metrics
from model.core.deployment import Deployment

DEFAULT_BLOCK_TOKENS = 16  # vLLM's default block size
WATERMARK_FRACTION = 0.01  # vLLM keeps 1% of blocks free when admitting (BlockSpaceManager watermark)


def kv_bytes_per_token(dep: Deployment) -> float:
    """Bytes one more cached token takes on the replica (all chips, replicated KV heads included); a
    linear layer's fixed per-sequence state is not per token, so it is left out (the difference of two
    contexts; for models without one this is the cache of one token)."""
    one_more = metrics.kv_bytes_per_sequence(dep, 2) - metrics.kv_bytes_per_sequence(dep, 1)
    return float(one_more) * dep.kv_replication


def blocks(tokens, block_tokens: int):
    """Blocks of `block_tokens` that hold `tokens` tokens (ceil; works on ints and integer arrays)."""
    return -(-tokens // block_tokens)


def reserved_sequences(dep: Deployment, reserve_tokens: int) -> int:
    """Sequences that fit when each reserves `reserve_tokens` of KV; ValueError if not even one does."""
    fits = int(metrics.max_batch(dep, reserve_tokens))
    if fits < 1:
        raise ValueError(f"reserve_tokens: one sequence of {reserve_tokens} tokens does not fit in HBM next to the "
                         f"weights on {dep.chips} chip(s); lower it or add chips")
    return fits


@dataclass(frozen=True)
class BlockPool:
    """The paged KV memory of one replica: `total_blocks` of `block_tokens`, `watermark` kept free."""

    block_tokens: int
    total_blocks: int
    watermark: int

    @classmethod
    def of(cls, dep: Deployment, block_tokens: int = DEFAULT_BLOCK_TOKENS) -> BlockPool:
        total = int(metrics.max_batch(dep, block_tokens))
        return cls(block_tokens, total, int(WATERMARK_FRACTION * total))

    @property
    def capacity_tokens(self) -> int:
        return self.total_blocks * self.block_tokens

    def check_holds(self, longest_tokens: int) -> None:
        """ValueError unless a request of `longest_tokens` (prompt + output) fits beside the watermark."""
        if blocks(longest_tokens, self.block_tokens) + self.watermark > self.total_blocks:
            raise ValueError(f"prompt/output: the longest request ({longest_tokens} tokens) does not fit in the "
                             f"{self.capacity_tokens} tokens of KV cache left after the weights; "
                             "shorten it or add chips")

    def admits(self, free_blocks: int, prompt_tokens: int) -> bool:
        """Whether a prompt of `prompt_tokens` may take blocks out of `free_blocks` (watermark kept)."""
        return free_blocks - blocks(prompt_tokens, self.block_tokens) >= self.watermark
