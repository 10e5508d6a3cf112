"""Prefill/decode disaggregation: colocated vs split pools, pool sizes, KV transfer, queueing.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
