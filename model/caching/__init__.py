"""Caching answers to frequent questions (answer_cache), prefix (KV) caching (prefix_cache), and
reasoning-token efficiency (reasoning).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
