"""The serving simulator: one replica under a batching policy, step by step (docs/formulas.md F42-F46).

`simulate.simulate(dep, workload, policy)` runs a policy of `simulate.POLICIES`, one module each:
`static`, `continuous`, `chunked` (the last two share the scheduler of `engine`). Around them:
`workload` (requests and length distributions, the simulator's bounds), `steps` (tabulated roofline
pass times), `paged_kv` (block accounting, watermark, max-length reservation), `results`
(`ServingResult`, percentiles), `theory` (the expected static-batching slot gain) and `capacity`
(the request rate a policy sustains, and whether the offered rate exceeds it).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`, and
`model.disaggregation` (not the reverse); today it needs only `model.base` and `model.core`.
"""
