"""Base layer: typed, range-checked fields with structured errors (`FieldError`: field, kind, message),
the generic validators `check_int` / `check_float`, the scenario's limits and unit constants.

Imports nothing from the rest of `model`; every other package may import it.
"""
