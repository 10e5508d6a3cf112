"""Build presets/measurements.csv from a source table of published measurements (one row per published number).

Every reference row appears once: converted into scenario keys plus a phase and a measured value,
or marked `excluded` with the reason it cannot be converted honestly. Run from the repo root:

    python scripts/convert_measurements.py [SOURCE.csv]   (default: DEFAULT_REFERENCE below)

Definitions of the measured columns are in model/calibration/measurements.py and the README.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "measurements.csv"
OUTPUT = ROOT / "presets" / "measurements.csv"

COLUMNS = ("id", "phase", "hw", "model", "chips", "wbits", "kvbits", "abits", "batch", "ctx", "prompt", "out",
           "measured_ms", "tokens_per_s", "tokens_per_s_per_chip", "metric", "reference", "framework", "source",
           "trust", "excluded", "exclude_reason", "conversion")

MODELS = {"GPT-J-6B": "gpt-j-6b", "Mistral-7B": "mistral-7b", "Mixtral-8x7B": "mixtral-8x7b",
          "Llama-2-7B": "llama-2-7b", "Llama-2-13B": "llama-2-13b", "Llama-2-70B": "llama-2-70b",
          "Falcon-180B": "falcon-180b"}
HARDWARE = {"H200 SXM 141GB": "h200", "H100 SXM 80GB": "h100-sxm", "L40S 48GB": "l40s",
            "A100 SXM 80GB": "a100-80gb", "A100 80GB": "a100-80gb"}
BITS = {"FP8 weights+FP8 KV": (8, 8, 8), "FP8": (8, 8, 8), "FP16": (16, 16, 16)}

STATIC_RUN = ("output tokens per second per GPU over a whole static-batch run = batch*out / (prefill of batch "
              "prompts + out-1 decode steps as context grows from prompt) / chips")
TTFT = "time to first token at batch 1 with output length 1 = one prefill of `prompt` tokens (no queueing)"
BATCH1_RUN = "output tokens per second of one sequence over a whole run = out / (prefill + out-1 decode steps)"
V09_RUN_NOTE = ("FP8 weights+FP8 KV = wbits 8, kvbits 8, abits 8; FP16 = 16/16/16; 'LLaMA 7B/70B' = Llama-2 per "
                "the same doc; static batch, all requests the same length")
V09_TTFT_NOTE = ("FP8 = wbits 8, kvbits 8, abits 8 (the engines of the throughput table; KV precision barely "
                 "affects a batch-1 prefill); FP16 = 16/16/16; measured with output length 1")


def exclusion(row: dict) -> str:
    """Why a reference row cannot be converted into one scenario; empty when it can."""
    framework, rid = row["framework"], int(row["id"])
    if framework.startswith("TensorRT-LLM 0.9"):
        return ""
    if rid == 319:
        return ""
    if framework.startswith("TensorRT-LLM 0.5"):
        return ("KV-cache precision not stated (only 'FP8') and numbers marked preliminary; the v0.9 rows "
                "measure the same hardware with stated precision")
    if framework.startswith("TensorRT-LLM 1.0"):
        reason = "batch not reported (inflight batching at maximum load; CUDA-graph batch up to 8192)"
        if "FP4" in row["precision"]:
            reason += "; FP4 weights and compute are not modelled (wbits 16/8/4 integer, no FP4 peak)"
        return reason
    if framework == "DeepSeek in-house":
        return ("fleet production statistics: mixed lengths, prefill/decode disaggregated, expert parallelism "
                "over many nodes; no single scenario")
    if framework in ("FlashMLA", "DeepGEMM"):
        return "a single-kernel measurement, not a model run (the README cites it as an efficiency ceiling)"
    if framework == "SGLang":
        return ("large-scale expert parallelism across nodes with prefill/decode disaggregation (the model has "
                "tensor parallelism only); batch not reported")
    if "PaLM" in row["model"]:
        return "no preset for TPU v4 or PaLM-540B; batch not reported as a number"
    if "Apple" in row["hardware"]:
        return "no preset for Apple M-series (unified memory, 200 GB/s); also no input length"
    if rid == 320:
        return "continuous batching over a dataset (ShareGPT-like lengths): no fixed batch or lengths"
    if "MLPerf" in row["batching_mode"]:
        return "MLPerf offline: dataset lengths, batch not reported, FP4; values are rounded secondary reports"
    return "not a supported measurement type"


def scenario_keys(row: dict) -> dict:
    """Scenario keys and the measured column of a convertible reference row."""
    wbits, kvbits, abits = BITS[row["precision"]]
    keys = {"hw": HARDWARE[row["hardware"]], "model": MODELS[row["model"]], "chips": row["n_chips"],
            "wbits": wbits, "kvbits": kvbits, "abits": abits, "batch": row["batch_or_concurrency"],
            "prompt": row["input_len"], "out": row["output_len"]}
    if "time to first token" in row["metric"]:
        keys.update(phase="prefill", ctx=0, measured_ms=row["value"], metric=TTFT, conversion=V09_TTFT_NOTE)
    elif row["unit"] == "tok/s/GPU":
        keys.update(phase="request", ctx=row["input_len"], tokens_per_s_per_chip=row["value"], metric=STATIC_RUN,
                    conversion=V09_RUN_NOTE)
    else:  # LMDeploy batch-1 output throughput
        keys.update(phase="request", ctx=row["input_len"], tokens_per_s=row["value"], metric=BATCH1_RUN,
                    conversion="FP16 = 16/16/16; 'A100 80GB' form factor not stated: the SXM preset is assumed "
                               "(PCIe has 1.94 TB/s, 5% less); input length 1")
    return keys


def convert(row: dict) -> dict:
    out = dict.fromkeys(COLUMNS, "")
    out.update(id=row["id"], framework=row["framework"], source=row["source"], trust=row["trust"],
               reference=(f"{row['model']}, {row['precision']}, {row['hardware']}, {row['n_chips']} chips, "
                          f"batch {row['batch_or_concurrency']}, in {row['input_len']}, out {row['output_len']}: "
                          f"{row['metric']} = {row['value']} {row['unit']}"))
    reason = exclusion(row)
    if reason:
        out.update(excluded="true", exclude_reason=reason, metric=row["metric"])
        out["model"] = MODELS.get(row["model"], "")
        out["hw"] = HARDWARE.get(row["hardware"], "")
        return out
    out.update(excluded="false", **{k: str(v) for k, v in scenario_keys(row).items()})
    return out


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_REFERENCE
    with open(source, newline="", encoding="utf-8") as handle:
        rows = [convert(row) for row in csv.DictReader(handle)]
    with open(OUTPUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    used = sum(r["excluded"] == "false" for r in rows)
    print(f"wrote {len(rows)} rows ({used} converted, {len(rows) - used} excluded) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
