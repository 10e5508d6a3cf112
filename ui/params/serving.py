"""Page-local URL parameters of the continuous-batching page (see ui/params/__init__.py)."""

from model.base.fields import Field
from model.serving.workload import LENGTH_KINDS, MAX_REQUESTS, SIMULATOR_MAX_BATCH
from ui.widgets import UrlParam

RATE = UrlParam(Field("sv_rate", float, 0.1, 1000, unit="requests/s"), 8.0, "Request rate (requests/s)",
                 "Poisson arrivals per second at this one replica")
REQUESTS = UrlParam(Field("sv_n", int, 50, MAX_REQUESTS, unit="requests"), 400, "Requests simulated",
                     "more requests give steadier percentiles; a run its work or time budget cuts short says so")
MAX_BATCH_PARAM = UrlParam(Field("sv_batch", int, 1, SIMULATOR_MAX_BATCH, unit="sequences"), 64, "Max batch (sequences)",
                            "most sequences in one decode step, for every policy (memory may cap it lower)")
PROMPT_KIND = UrlParam(Field("sv_prompt_dist", str, choices=LENGTH_KINDS), "uniform", "Prompt lengths",
                        "fixed; uniform on [1, 2 x mean - 1]; or exponential (capped at 8 x mean)")
PROMPT = UrlParam(Field("sv_prompt", int, 1, 16384, unit="tokens"), 1024, "Mean prompt (tokens)",
                   "mean prompt length of the drawn requests")
OUTPUT_KIND = UrlParam(Field("sv_out_dist", str, choices=LENGTH_KINDS), "exponential", "Output lengths",
                        "fixed; uniform on [1, 2 x mean - 1]; or exponential (capped at 8 x mean)")
OUTPUT = UrlParam(Field("sv_out", int, 1, 8192, unit="tokens"), 256, "Mean output (tokens)",
                   "mean output length of the drawn requests")

FIELDS = {p.field.name: p for p in (RATE, REQUESTS, MAX_BATCH_PARAM, PROMPT_KIND, PROMPT, OUTPUT_KIND, OUTPUT)}
