"""The serving simulator: workloads, step times, one module per batching policy, paged-KV accounting.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`, and
`model.disaggregation` (the continuous-batching page sets both side by side).
"""
