"""Continuous batching (Orca) with PagedAttention (vLLM): whole-prompt prefill passes (docs/formulas.md F44).

Iteration-level batching on `engine.Engine`. A prefill pass takes whole waiting prompts, first come
first served, up to `token_budget` tokens (at least one prompt), as `max_batch` and the free blocks
allow; the running decodes stall while it runs (vLLM v0's default scheduling).
"""

from __future__ import annotations

from model.core.deployment import Deployment
from model.serving.budget import Budget
from model.serving.engine import Engine, simulate_with
from model.serving.paged_kv import DEFAULT_BLOCK_TOKENS, blocks
from model.serving.results import ServingResult
from model.serving.workload import Workload


class WholePrompts(Engine):
    """Prefill passes of whole prompts that stall the decodes."""

    policy = "continuous"

    def schedule(self) -> bool:
        """Prefill whole waiting prompts (decodes stall); False if none can be admitted."""
        admitted, tokens = [], 0
        while self.waiting:
            request = self.waiting[0]
            prompt = self.todo[request]
            if admitted and tokens + prompt > self.budget:
                break
            if not self.can_admit(request, self.seqs + len(admitted)):
                break
            self.waiting.popleft()
            self.held_prefill += blocks(prompt, self.b)
            admitted.append(request)
            tokens += prompt
        if not admitted:
            return False
        attention = sum(self.st.prompt_attention_s(self.todo[r]) for r in admitted)
        dt = self.st.pass_s(tokens, len(admitted), attention)
        self.t += dt
        self.tally.busy_s += dt
        self.tally.prefill_passes += 1
        self.held_prefill = 0
        entries: list = []
        for request in admitted:
            self.prefilled(request, self.todo[request], entries)
        self.start_decoding(entries)
        return True


def simulate_continuous(dep: Deployment, workload: Workload, max_batch: int = 256,
                        block_tokens: int = DEFAULT_BLOCK_TOKENS, token_budget: int = 8192,
                        budget: Budget | None = None) -> ServingResult:
    """Iteration-level batching with paged KV memory; `token_budget`: most prompt tokens in one
    prefill pass (whole prompts, at least one); `budget`: work and wall time."""
    return simulate_with(WholePrompts, dep, workload, max_batch, block_tokens, token_budget, budget)
