"""The physics: model shapes, hardware, deployments, per-op work, roofline timing, derived metrics.

May import only `model.base`. Never imports the schema, presets, domains, CLI or UI.
"""
