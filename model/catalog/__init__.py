"""Everything under presets/: the one CSV reader, hardware and model presets, named scenarios, typed rows.

May import `model.base`, `model.core` and `model.schema.scenario` (the key table that named scenarios use).
"""
