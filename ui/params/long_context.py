"""Page-local URL parameters of "Long context": none.

Its one control, the tier boundary, restarts at each scenario's suggested boundary, so it is
deliberately not part of links (the page says so).
"""

FIELDS: dict = {}
