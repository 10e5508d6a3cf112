"""Prices from the roofline: sweeps over batch and context (sweeps), long-context tiers
(context_tiers), speed tiers and the floor against chips (speed_tiers), the batch a service level
allows (slo), the published API prices they are compared with (published), and the price sheet:
chip-hour cost, utilisation and margin (cost_basis), its inputs (sheet_inputs), its tiers (sheet),
its words and Markdown export (sheet_text), the market beside it (market), and the throughput
frontier and hardware comparison (frontier).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
