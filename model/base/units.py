"""SI prefixes and time units: everything inside the model is in seconds, bytes, FLOP and USD.

1 GB = 1e9 B and 1 TB/s = 1e12 B/s (decimal, as vendors state HBM), never GiB.
"""

TERA = 1e12
GIGA = 1e9
MEGA = 1e6
MILLI = 1e-3
SECONDS_PER_HOUR = 3600.0
PER_MILLION = 1e6  # tokens in the "per 1M tokens" of a price
