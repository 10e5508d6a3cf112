"""Prices from the roofline: sweeps over batch and context, context (long-context) tiers, speed tiers,
and the published API prices they are compared with.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
