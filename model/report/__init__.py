"""Every output column of one scenario (`summarize`) and the per-op tables of `explain`.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
