"""Everything under presets/: the one CSV reader, hardware and model presets, named scenarios, and
typed API-price rows (`api_prices.ApiPrice`) and hardware ownership costs (`ownership.Ownership`).

May import `model.base`, `model.core` and `model.schema.scenario` (the key table and the hardware
quantity table that named scenarios and hardware presets use).
"""
