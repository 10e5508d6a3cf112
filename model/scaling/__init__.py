"""Scaling laws (laws) and lifetime cost (lifetime): Chinchilla-optimal vs lifetime-optimal
(over-trained) model sizes and their cost.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
