"""Time `python -m model predict` on generated CSVs of 20,000 and 100,000 rows, beside the row-by-row
path it replaced, and `python -m model validate` on the shipped measurements. Prints a table; run:
python -m benchmarks.bench_predict [--before-rows N]

Two kinds of file: "sweep", rows drawn from grids (6 deployments x batch, ctx, prompt, out from
short lists: what a parameter sweep looks like), and "distinct", every row with its own batch, ctx,
prompt and out (the worst case: nothing repeats, so every decode run and batch knee is evaluated).
"Before" is the row-by-row path (parse, resolve and summarize each row, as predict did up to
2026-12-01) timed on the first --before-rows rows (default 1,000) and scaled to the file: ms/row x rows.
Wall and CPU seconds are both shown: on a shared machine the wall time includes waiting for a core.
"""

import argparse
import contextlib
import csv
import io
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from model import load_catalog, parse_scenario_strict, resolve, summarize
from model.cli.main import main as cli_main

DEPLOYMENTS = [("h100-sxm", "llama-3.1-70b", 8), ("h200", "deepseek-v3", 8), ("a100-80gb", "llama-3.1-8b", 1),
               ("l40s", "mixtral-8x7b", 4), ("mi300x", "qwen3-235b-a22b", 8), ("h100-sxm", "gpt-oss-120b", 2)]
GRID = {"batch": [1, 4, 16, 64, 256, 1024], "ctx": [0, 1024, 4096, 16384, 65536, 131072],
        "prompt": [128, 1024, 4096, 32768], "out": [64, 256, 1024, 4096]}


def make_rows(n: int, kind: str, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        hw, model, chips = DEPLOYMENTS[i % len(DEPLOYMENTS)]
        if kind == "sweep":
            work = {k: rng.choice(v) for k, v in GRID.items()}
        else:
            work = {"batch": rng.randint(1, 2048), "ctx": rng.randint(0, 131072),
                    "prompt": rng.randint(1, 65536), "out": rng.randint(1, 8192)}
        rows.append({"id": str(i + 1), "hw": hw, "model": model, "chips": str(chips),
                     **{k: str(v) for k, v in work.items()}})
    return rows


def write_rows(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def time_cli(*argv: str) -> tuple[float, float, int]:
    """Wall and CPU seconds and exit code of one in-process CLI run (stdout and stderr discarded)."""
    sink = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = cli_main(list(argv))
    return time.perf_counter() - start, time.process_time() - cpu, code


def before_ms_per_row(rows: list[dict], catalog) -> tuple[float, float]:
    """Wall and CPU ms per row of the row-by-row path: parse, resolve and summarize each row."""
    start, cpu = time.perf_counter(), time.process_time()
    for row in rows:
        scenario = parse_scenario_strict(row, catalog)
        summarize(scenario, resolve(scenario, catalog))
    return (time.perf_counter() - start) / len(rows) * 1e3, (time.process_time() - cpu) / len(rows) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before-rows", type=int, default=1000, help="rows timed on the row-by-row path")
    args = parser.parse_args()
    catalog = load_catalog()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} (CPU seconds are this process's alone)")
    print(f"{'file':9s} {'rows':>8s} | {'before ms/row':>13s} {'cpu':>6s} {'x rows: s':>10s} | {'after s':>8s} "
          f"{'cpu s':>6s} {'ms/row':>7s} | {'speed-up':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sweep", "distinct"):
            for n in (20_000, 100_000):
                rows = make_rows(n, kind)
                path, out = Path(tmp) / f"{kind}{n}.csv", Path(tmp) / "out.csv"
                write_rows(path, rows)
                before, before_cpu = before_ms_per_row(rows[: args.before_rows], catalog)
                after_s, after_cpu, code = time_cli("predict", str(path), "-o", str(out))
                assert code == 0, f"predict exited {code}"
                print(f"{kind:9s} {n:8,d} | {before:13.2f} {before_cpu:6.2f} {before * n / 1e3:10.1f} | {after_s:8.2f} "
                      f"{after_cpu:6.2f} {after_s / n * 1e3:7.3f} | {before * n / 1e3 / after_s:7.0f}x")
        for label, extra in (("validate", ()), ("validate --leave-one-model-out", ("--leave-one-model-out",))):
            seconds, cpu, _ = time_cli("validate", *extra, "-o", str(Path(tmp) / "v.csv"))
            print(f"{label}: {seconds:.2f} s ({cpu:.2f} s CPU) on presets/measurements.csv (325 rows)")


if __name__ == "__main__":
    main()
