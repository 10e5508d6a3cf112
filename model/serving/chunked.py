"""Continuous batching with chunked prefill (Sarathi-Serve) (docs/formulas.md F45).

Each iteration on `engine.Engine` carries every running decode plus prompt chunks filling the rest
of `token_budget` tokens, so decodes never stall behind a whole prompt. The linear layers run once
on all the iteration's tokens; the attention of its decode and prefill parts one after the other.
With speculative decoding each decode verifies 1 + γ tokens of the budget and advances τ on average
(F132).
"""

from __future__ import annotations

from model.core.deployment import Deployment
from model.serving.budget import Budget
from model.serving.engine import Engine, simulate_with
from model.serving.paged_kv import DEFAULT_BLOCK_TOKENS, blocks
from model.serving.results import ServingResult
from model.serving.workload import Workload


def default_token_budget(max_batch: int) -> int:
    """Tokens per chunked iteration unless told otherwise: max(512, 2 · max_batch)."""
    return max(512, 2 * max_batch)


class ChunkedPrefill(Engine):
    """Fused iterations of all running decodes and prompt chunks."""

    policy = "chunked"

    @classmethod
    def check_options(cls, max_batch: int, budget: int) -> None:
        if budget <= max_batch:
            raise ValueError(f"token_budget: must exceed max_batch ({max_batch}) with chunked prefill, so that "
                             f"prompts make progress while the batch is full; got {budget}")

    def schedule(self) -> bool:
        """One fused iteration of all decodes and prompt chunks; False if there is no prompt work."""
        seqs = self.seqs
        room = self.budget - seqs * self.st.positions
        if room <= 0 or not (self.prefilling or (self.waiting and
                                                 self.can_admit(self.waiting[0], seqs + len(self.prefilling)))):
            return False
        advance = self.fused_tokens()  # tokens each decode advances this iteration (1 without drafts)
        while seqs and self.blocks_for_steps(advance) > self.free_blocks():  # not even this step fits
            self.preempt_last()
            seqs = self.seqs
            room = self.budget - seqs * self.st.positions
        decode_blocks = self.blocks_for_steps(advance) if seqs else 0  # blocks this step's decodes start
        chunks = []  # (entry, chunk tokens)
        for entry in self.prefilling:
            if room <= 0:
                break
            chunk = min(self.todo[entry[0]] - entry[1], room)
            chunks.append((entry, chunk))
            room -= chunk
        in_batch = seqs + len(self.prefilling)
        while room > 0 and self.waiting and self.can_admit(self.waiting[0], in_batch, decode_blocks):
            request = self.waiting.popleft()
            self.held_prefill += blocks(self.todo[request], self.b)
            entry = [request, 0]
            self.prefilling.append(entry)
            in_batch += 1
            chunk = min(self.todo[request], room)
            chunks.append((entry, chunk))
            room -= chunk
        st = self.st
        attention = 0.0
        completing = 0
        self.touched += len(chunks)
        for entry, chunk in chunks:
            attention += st.chunk_attention_s(chunk, entry[1])
            completing += entry[1] + chunk >= self.todo[entry[0]]
        chunk_tokens = sum(chunk for _, chunk in chunks)
        dt = st.fused_s(chunk_tokens, seqs, completing, attention, self.ctx_sum / seqs if seqs else 0.0)
        self.t += dt
        self.tally.busy_s += dt
        self.tally.prefill_passes += 1
        if seqs:
            self.took_fused(advance)
            self.advance_decodes(advance)
        entries: list = []
        for entry, chunk in chunks:
            entry[1] += chunk
            request = entry[0]
            if entry[1] >= self.todo[request]:
                self.prefilling.remove(entry)
                self.held_prefill -= blocks(self.todo[request], self.b)
                self.prefilled(request, self.todo[request], entries)
        self.start_decoding(entries)
        return True


def simulate_chunked(dep: Deployment, workload: Workload, max_batch: int = 256,
                     block_tokens: int = DEFAULT_BLOCK_TOKENS, token_budget: int | None = None,
                     budget: Budget | None = None) -> ServingResult:
    """Continuous batching with chunked prefill; `token_budget`: most tokens (decodes + prompt chunks)
    in one iteration, by default `default_token_budget(max_batch)`; `budget`: work and wall time."""
    if token_budget is None:
        token_budget = default_token_budget(max_batch)
    return simulate_with(ChunkedPrefill, dep, workload, max_batch, block_tokens, token_budget, budget)
