"""Tables of the "Caching & reasoning" page (pages/caching.py)."""

from __future__ import annotations

import pandas as pd

from model.caching.answer_cache import AnswerCacheResult
from model.caching.reasoning import PolicyComparison
from ui import format as fmt


def answer_table(result: AnswerCacheResult, chip_s_uncached: float) -> pd.DataFrame:
    rows = [("without the cache", 0.0, result.usd_per_request_uncached, result.latency_s_uncached, chip_s_uncached),
            ("with the cache", result.hit_rate, result.usd_per_request, result.latency_s, result.chip_s_per_request)]
    frame = pd.DataFrame(rows, columns=["case", "hit_rate", "usd_per_request", "latency_s", "chip_s_per_request"])
    frame["usd_per_1000_requests"] = 1e3 * frame["usd_per_request"]
    return fmt.rounded(frame)


def policy_table(policies: PolicyComparison) -> pd.DataFrame:
    always, easy, e = policies.always, policies.easy, policies.easy_share
    rows = [
        ("always-think (every question)", always.reasoning_tokens, always.usd_per_answer, always.latency_s,
         always.time_to_answer_s),
        ("adaptive: easy question", easy.reasoning_tokens, easy.usd_per_answer, easy.latency_s, easy.time_to_answer_s),
        ("adaptive: mean over questions", policies.reasoning_tokens_adaptive, policies.usd_per_1000_adaptive / 1e3,
         policies.latency_s_adaptive, e * easy.time_to_answer_s + (1 - e) * always.time_to_answer_s),
    ]
    frame = pd.DataFrame(rows, columns=["policy", "reasoning_tokens", "usd_per_answer", "latency_s",
                                        "time_to_visible_answer_s"])
    frame["usd_per_1000_answers"] = 1e3 * frame["usd_per_answer"]
    return fmt.rounded(frame)
