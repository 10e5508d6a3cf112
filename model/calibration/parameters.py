"""The calibratable parameters of `Efficiency`, their bounds, the identifiability bounds, and what
data identifies each."""

PARAMETERS = ("mfu", "attention_mfu", "weights_mbu", "kv_mbu", "kernel_s")
FRACTIONS = ("mfu", "attention_mfu", "weights_mbu", "kv_mbu")
KERNEL_MAX_S = 1e-4  # bound of the fitted time per kernel (100 µs)
KERNEL_UNIT_S = 1e-6  # the fit moves the time per kernel in units of 1 µs
REFERENCE_KERNEL_S = 3e-6  # time per kernel assumed when judging whether rows show it (F101)
MIN_SHARE = 0.05  # a parameter must govern ≥ 5% of some row's time
MAX_CORRELATION = 0.95  # |correlation| of two fitted parameters' estimates above this: both refused (F103)
MAX_RELATIVE_SE = 0.5  # standard error above half the value: refused (F103)
SIGMA_FLOOR = 0.02  # log-time noise assumed at least (2%: run-to-run spread of a benchmark)
LEGACY_KERNELS_PER_LAYER = 10  # a dense layer's kernels (model.core.ops.KERNELS_PER_LAYER), for old files
HINTS = {
    "mfu": "a gemm micro-benchmark row (m, k, n ≥ 4096), or rows where GEMMs bind: prefill of long prompts "
           "(1000+ tokens) or decode past the batch knee",
    "attention_mfu": "prefill rows of long prompts (8192+ tokens), where attention FLOPs grow with the prompt "
                     "squared, beside shorter prompts of the same model",
    "weights_mbu": "an hbm_read micro-benchmark row (a read of 1 GB or more), or decode rows at small batch (1-16) "
                   "of models with different weight bytes per kernel",
    "kv_mbu": "rows dominated by KV-cache reads: decode or whole runs at long context (4096+ tokens), batch 16+",
    "kernel_s": "short passes where the fixed time per kernel shows (batch-1 decode of a small model, short "
                "prompts) beside an hbm_read row or models with different weight bytes per kernel",
}
