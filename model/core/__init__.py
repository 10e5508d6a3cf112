"""The physics: model shapes, hardware, deployments, per-op work, roofline timing, derived metrics
(including the one decode-run integrator), roofline geometry (intensity), and the grids sweeps use;
the two-level network (network), the parallel layout (parallel), speculative decoding (speculative)
and the memory-fit planner (memory_fit).

May import only `model.base`. Never imports the schema, presets, domains, CLI or UI.
"""
