"""Caching answers to frequent questions, prefix (KV) caching, and reasoning-token efficiency.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
