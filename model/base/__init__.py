"""Base layer: typed, range-checked fields, limits and unit constants.

Imports nothing from the rest of `model`; every other package may import it.
"""
