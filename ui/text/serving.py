"""Names and sentences of the continuous-batching page's policies (pages/serving.py), shared by its figures and tables."""

from __future__ import annotations

from model.serving.capacity import LoadCheck
from ui import format as fmt

LABELS = {"static": "static batching", "continuous": "continuous + PagedAttention",
          "chunked": "continuous + chunked prefill"}


def _rate(per_s: float) -> str:
    return f"{fmt.number(per_s)} requests/s"


def load_sentence(check: LoadCheck, n_requests: int, rate_key: str) -> tuple[str, bool] | None:
    """What the offered rate does to each policy's queue (None when every policy keeps up); the flag
    is True when the headline policy (continuous batching) is overloaded too, i.e. a warning."""
    over = check.overloaded()
    if not over:
        return None
    capacities = ", ".join(f"{LABELS[p]} {_rate(c)}" for p, c in check.capacity_per_s.items())
    measured = (f"Capacity = requests served per second with all of them queued at t = 0 ({check.requests_measured:,} "
                f"requests of this workload's lengths): {capacities}.")
    labels = [LABELS[p] for p in over]
    names = ("every policy" if len(over) == len(check.capacity_per_s) and len(over) > 1
             else ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0])
    if "continuous" in over:
        best = max(check.capacity_per_s.values())
        return (f"**Overloaded: the queue grows without bound.** Requests arrive at {_rate(check.offered_per_s)}, more than "
                f"this replica sustains for this workload under {names}. {measured} Each second the queue grows by about "
                f"{fmt.number(check.offered_per_s - best)} requests or more, so the TTFT and latency below are those of a "
                f"queue still growing when the {n_requests:,} simulated requests end: they grow with the number of "
                f"requests simulated, not a steady state. Lower `{rate_key}` below {_rate(best)} or add replicas."), True
    return (f"**{names[0].upper() + names[1:]} cannot keep up:** requests arrive at {_rate(check.offered_per_s)}, above what "
            f"it sustains, so its queue grows without bound and its TTFT and latency grow with the number of requests "
            f"simulated. {measured}"), False


def ttft_queue_note(check: LoadCheck, policy: str) -> str:
    """'' when the policy keeps up; else a clause saying its queue grows."""
    if policy not in check.overloaded():
        return ""
    return f" (queue grows without bound: sustains {_rate(check.capacity_per_s[policy])} < {_rate(check.offered_per_s)})"


def truncation_notes(runs: dict[str, dict], keys: str) -> list[str]:
    """One warning per simulation its budget cut short (model.serving.budget): `runs` maps a phrase
    naming the run ('' for the run at the page's rate) to its results by policy; a result shown
    under two names is named once."""
    notes, seen = [], set()
    for what, results in runs.items():
        for policy, r in results.items():
            if not r.truncated or id(r) in seen:
                continue
            seen.add(id(r))
            notes.append(f"**{LABELS[policy][0].upper() + LABELS[policy][1:]}{what}** {r.truncated}. Its TTFT and "
                         "latency percentiles count only the requests that got a first or last token, so they "
                         f"understate the wait of the others. For a complete run lower {keys}.")
    return notes
