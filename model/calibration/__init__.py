"""Published measurements, validation against them, and fitting efficiencies per hardware.

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`, `model.report`.
"""
