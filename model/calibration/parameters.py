"""The calibratable parameters of `Efficiency`, their bounds, and what data identifies each."""

PARAMETERS = ("mfu", "weights_mbu", "kv_mbu", "layer_overhead_s")
FRACTIONS = ("mfu", "weights_mbu", "kv_mbu")
OVERHEAD_MAX_S = 1e-3
OVERHEAD_UNIT_S = 1e-5  # the fit moves the overhead in units of 10 µs
REFERENCE_OVERHEAD_S = 5e-5  # overhead (≈ ten 5 µs kernel launches) assumed when judging if rows show one
HINTS = {
    "mfu": "rows where compute binds: prefill of long prompts (1000+ tokens) or decode past the batch knee",
    "weights_mbu": "rows dominated by streaming weights: decode at small batch (1-16) and short context",
    "kv_mbu": "rows dominated by KV-cache reads: decode or whole runs at long context (4096+ tokens), batch 16+",
    "layer_overhead_s": ("short passes where a fixed time per layer shows (batch-1 decode, short prompts) "
                         "across models or chip counts with different weight bytes per layer"),
}
