"""Prices from the roofline: sweeps over batch and context (sweeps), long-context tiers
(context_tiers), speed tiers and the floor against chips (speed_tiers), and the published API prices
they are compared with (published).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
