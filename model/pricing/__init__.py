"""Prices from the roofline: sweeps over batch and context (sweeps), long-context costs at the scenario
and the tier batch (context_tiers), the batch a speed target allows (slo), the three long-context knees
(knees), tier prices from traffic (traffic), the tier a published price implies (implied_tier), speed
tiers and the floor against chips (speed_tiers), the published API prices they are compared with
(published), and the price sheet: chip-hour cost, utilisation and margin (cost_basis), its inputs
(sheet_inputs), its tiers (sheet), its words and Markdown export (sheet_text), the market beside it
(market), and the throughput frontier and hardware comparison (frontier).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`.
"""
