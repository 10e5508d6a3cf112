"""The one scenario schema shared by links, CSV rows and named presets: keys, the hardware quantity
table, parsing, resolving.

May import `model.base`, `model.core` and `model.catalog` (for the menus of preset ids).
"""
