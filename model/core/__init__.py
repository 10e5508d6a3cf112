"""The physics: model shapes, hardware, deployments, per-op work, roofline timing, derived metrics
(including the one decode-run integrator), roofline geometry (intensity), and the grids sweeps use.

May import only `model.base`. Never imports the schema, presets, domains, CLI or UI.
"""
