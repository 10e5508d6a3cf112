"""Every output column of one scenario (`summarize`), of many rows that share a deployment as arrays
(`summary_rows`, what `predict` runs), and the per-op tables of `explain`.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
