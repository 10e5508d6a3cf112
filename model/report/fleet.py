"""The model beside published fleet figures: DeepSeek's H800 inference system, NVIDIA's B200 FP4 runs
and SGLang's GB200 NVL72 FP4 decode.

Each check is a named scenario (presets/scenarios.csv), the published figure with its
measurements.csv row or source, and the model's figure from the same definitions:
- prefill input tokens/s per 8-chip node including prefix-cache hits: `batch` prompts of `prompt`
  tokens, a share `cache_hit` of each already cached (DeepSeek: 56.3% of input tokens, row 304),
  so the pass computes the rest after reading the cached part: batch · prompt / T_prefill / nodes;
- decode output tokens/s per node: `tokens_per_s` / nodes (τ tokens per step with MTP); per GPU:
  `tokens_per_s` / chips;
- tokens/s per user: `tokens_per_s_per_user`;
- a day average (DeepSeek's prefill fleet) is the model's capacity times the share of the day the
  nodes were busy, which nothing published states: the check prints that implied utilisation
  (published / predicted) instead of calling the gap an error of the physics;
- output tokens/s at maximum load (trtllm-bench "Total Output Throughput"): the largest batch whose KV
  cache fits at `prompt` + `out` tokens (at most MAX_LOAD_BATCH, the runtime's largest batch), each request a
  batched prefill then `out` decode steps: out · chips / chip-seconds per request (`request_cost`).
`sensitivity` re-evaluates a check with one key changed at a time: which assumption moves it most.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from model.catalog.presets import Catalog
from model.core import metrics
from model.core.request import request_cost
from model.core.roofline import prefill
from model.report.summary import summarize
from model.schema.parse import baseline
from model.schema.resolve import resolve
from model.schema.scenario import Scenario

CHIPS_PER_NODE = 8  # DeepSeek's figures are per 8 x H800 node
MAX_LOAD_BATCH = 8192  # trtllm-bench's largest CUDA-graph batch in NVIDIA's perf-overview llm_options
DEEPSEEK_CACHE_HIT = 0.563  # share of input tokens served from DeepSeek's on-disk KV cache (row 304)


@dataclass(frozen=True)
class FleetCheck:
    scenario: str  # named scenario id
    metric: str  # prefill_node, decode_node, per_user
    published: float
    unit: str
    source: str
    cache_hit: float = 0.0  # share of input tokens served from a prefix cache (prefill figures)
    day_average: bool = False  # a fleet's average over a day of varying load, not a capacity


FLEET_CHECKS = (
    FleetCheck("deepseek-prefill-h800", "prefill_node", 73_700, "input tokens/s per node (incl. cache hits)",
               "measurements.csv row 299 (DeepSeek, 2025-03-01)", DEEPSEEK_CACHE_HIT, day_average=True),
    FleetCheck("deepseek-decode-h800", "decode_node", 14_800, "output tokens/s per node", "measurements.csv row 300"),
    FleetCheck("deepseek-decode-h800", "per_user", 21, "tokens/s per user (20-22)", "measurements.csv row 301"),
    FleetCheck("deepseek-prefill-profile-h800", "prefill_node", 62_713, "input tokens/s per node (profile, no cache)",
               "DeepSeek profile-data as read by lmsys.org/blog/2025-05-05-large-scale-ep"),
    FleetCheck("deepseek-decode-profile-h800", "decode_node", 18_598, "output tokens/s per node (profile)",
               "DeepSeek profile-data as read by lmsys.org/blog/2025-05-05-large-scale-ep"),
    FleetCheck("sglang-decode-h100", "decode_node", 22_282, "output tokens/s per node",
               "lmsys.org/blog/2025-05-05-large-scale-ep (SGLang, 2025-05-05)"),
    FleetCheck("deepseek-r1-b200-fp4", "per_user", 253, "tokens/s per user",
               "TensorRT-LLM tech blog 1 (2025-05-16): MTP3, strict acceptance"),
    FleetCheck("qwen3-235b-b200-fp4", "max_load", 42_391, "output tokens/s at maximum load (8 GPUs)",
               "measurements.csv row 263 (TensorRT-LLM 1.0 perf-overview, ISL/OSL 1000/1000)"),
    FleetCheck("sglang-decode-gb200-fp4", "decode_chip", 13_386, "output tokens/s per GPU",
               "lmsys.org/blog/2025-09-25-gb200-part-2 (SGLang, 2025-09-25): FP8 attention, NVFP4 MoE, 2k input"),
)
SENSITIVITY = {  # one change at a time, each a stated assumption of the scenarios
    "mfu=0.3 (half the default)": {"mfu": 0.3},
    "mbu=0.4 (half the default)": {"mbu": 0.4},
    "overlap off": {"overlap": False},
    "routing balanced exactly": {"routing": "balanced"},
    "routing random (EPLB-balanced loads)": {"routing": "random"},
    "overlap on": {"overlap": True},
    "no MTP (spec=0)": {"spec": 0},
    "attention at the 8-bit peak": {"attn_bits": None},
    "scale-out 25 GB/s per chip": {"scaleout_gbps": 25.0},
    "attention TP8 instead of DP": {"dp_attn": False, "tp": 8},
    "attention data-parallel": {"dp_attn": True},
    "KV cache 8-bit": {"kvbits": 8},
    "prompt 1,024 tokens": {"prompt": 1024},
    "prompt 16,384 tokens": {"prompt": 16384},
}


def predicted(s: Scenario, catalog: Catalog, metric: str, cache_hit: float = 0.0) -> float:
    """The model's figure for `metric` (module docstring) on scenario `s`."""
    dep = resolve(s, catalog)
    nodes = s.chips / CHIPS_PER_NODE
    if metric == "prefill_node":
        cached = int(round(cache_hit * s.prompt))
        time_s = float(prefill(dep, s.prompt - cached, batch=s.batch, cached=cached).time_s)
        return s.batch * s.prompt / time_s / nodes
    if metric == "max_load":
        batch = int(min(float(metrics.max_batch(dep, s.prompt + s.out)), MAX_LOAD_BATCH))
        return s.out * s.chips / request_cost(dep, s.prompt, s.out, batch).chip_s
    row = summarize(s, dep)
    if metric == "decode_node":
        return row["tokens_per_s"] / nodes
    if metric == "decode_chip":
        return row["tokens_per_s"] / s.chips
    if metric == "per_user":
        return row["tokens_per_s_per_user"]
    raise ValueError(f"metric: must be prefill_node, decode_node, decode_chip, per_user or max_load; got {metric!r}")


def fleet_rows(catalog: Catalog) -> list[dict]:
    """Every check: published, predicted, error % = (predicted − published) / published, and for a
    day average the utilisation it implies (published / predicted capacity, %)."""
    rows = []
    for check in FLEET_CHECKS:
        value = predicted(baseline(check.scenario, catalog), catalog, check.metric, check.cache_hit)
        rows.append({"scenario": check.scenario, "metric": check.unit, "published": check.published,
                     "predicted": value, "error_pct": 100 * (value / check.published - 1),
                     "basis": "day average" if check.day_average else "capacity",
                     "implied_utilisation_pct": 100 * check.published / value if check.day_average else None,
                     "source": check.source})
    return rows


def sensitivity(catalog: Catalog, check: FleetCheck) -> list[dict]:
    """The check's prediction with each SENSITIVITY change applied alone (changes that do not apply
    to the scenario, e.g. prompt for a decode figure, are skipped)."""
    base = baseline(check.scenario, catalog)
    reference = predicted(base, catalog, check.metric, check.cache_hit)
    rows = []
    for label, change in SENSITIVITY.items():
        varied = dataclasses.replace(base, **change)
        if varied == base or ("prompt" in change and check.metric != "prefill_node") or (
                "tp" in change and not base.dp_attn) or ("routing" in change and base.ep == 1) or ("kvbits" in change and check.metric != "max_load"):
            continue
        value = predicted(varied, catalog, check.metric, check.cache_hit)
        change_pct = 100 * (value / reference - 1)
        rows.append({"change": label, "predicted": value, "vs_base_pct": change_pct if abs(change_pct) > 1e-9 else 0.0})
    return rows
