"""Page-local URL parameters of "Caching & reasoning" (see ui/params/__init__.py).

Ranges bound the work a link can ask for; every default without a published source is an
assumption the page labels as such (docs/formulas.md F55: answer-cache hit rates are not published).
"""

from model.base.fields import Field
from ui.widgets import UrlParam

# log grids of the select sliders (integers, so a link's text is the option's text)
CATALOGUE_GRID = [10**e * m for e in range(1, 11) for m in (1, 3) if 10**e * m <= 10**10]
CACHE_GRID = [0] + [10**e * m for e in range(0, 11) for m in (1, 3) if 10**e * m <= 10**10]
REASONING_GRID = [0, 50, 100, 200, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 100000]

FIELDS = {
    "ca_zipf": UrlParam(Field("ca_zipf", float, 0.0, 2.0, doc="Zipf exponent s of question popularity"), 1.0,
                         "Zipf exponent s (assumption)",
                         "question i of the catalogue is asked with probability proportional to i^-s; "
                         "s = 0 is uniform, larger s concentrates traffic on the top questions"),
    "ca_catalogue": UrlParam(Field("ca_catalogue", int, 10, 10**10, unit="questions"), 1_000_000,
                              "Distinct cacheable questions M (assumption)",
                              "size of the catalogue of static questions the cacheable traffic is drawn from"),
    "ca_cacheable": UrlParam(Field("ca_cacheable", int, 0, 100, unit="% of queries"), 30,
                              "Cacheable share of queries, % (assumption)",
                              "queries with a static answer (\"When was OpenAI founded?\"); the rest always reach the GPUs"),
    "ca_k": UrlParam(Field("ca_k", int, 0, 10**10, unit="answers"), 10_000, "Answers cached K (top K questions)",
                      "the cache holds the answers to the K most popular questions"),
    "ca_hit_ms": UrlParam(Field("ca_hit_ms", float, 0.0, 10_000.0, unit="ms"), 5.0,
                           "Cache-hit latency, ms (assumption)", "time to serve an answer from the cache"),
    "ca_hit_usd": UrlParam(Field("ca_hit_usd", float, 0.0, 1000.0, unit="USD per 1M hits"), 0.0,
                            "Cache-hit cost, USD per 1M hits (assumption)",
                            "lookup and storage cost of a hit; 0 = negligible next to a GPU request"),
    "ca_prefix": UrlParam(Field("ca_prefix", int, 0, 99, unit="% of the prompt"), 75,
                           "Shared prefix, % of the prompt",
                           "system prompt, documents or earlier turns already in the prefix (KV) cache"),
    "ca_tier": UrlParam(Field("ca_tier", str, choices=("hbm", "host-dram")), "hbm",
                         "Prefix cache lives in (hbm / host-dram)",
                         "hbm: read by the prefill itself; host-dram: copied to HBM first at the host link's bandwidth"),
    "ca_host_gbps": UrlParam(Field("ca_host_gbps", float, 1.0, 1000.0, unit="GB/s"), 64.0,
                              "Host-to-HBM bandwidth, GB/s (assumption)",
                              "64 GB/s is the nominal one-direction rate of a PCIe 5.0 x16 link"),
    "ca_think": UrlParam(Field("ca_think", int, 0, 100_000, unit="tokens"), 8000,
                          "Reasoning tokens, always-think",
                          "hidden reasoning tokens spent on every answer"),
    "ca_easy": UrlParam(Field("ca_easy", int, 0, 100, unit="% of questions"), 60,
                         "Easy questions, % (assumption)", "questions the adaptive policy answers with few reasoning tokens"),
    "ca_easy_think": UrlParam(Field("ca_easy_think", int, 0, 100_000, unit="tokens"), 200,
                               "Reasoning tokens, easy questions (adaptive)",
                               "hard questions get the always-think budget"),
}
