"""Page-local URL parameters of "Long context" (see ui/params/__init__.py).

`lc_boundary` is the tier boundary the user moved the control to; absent, the page uses the
scenario's suggested boundary. It restarts there whenever the scenario changes (ui/links.py), and
a boundary outside the contexts the scenario's replica serves falls back to the suggestion.
"""

from model.base.fields import Field
from model.schema.scenario import SCENARIO_FIELDS
from ui.widgets import UrlParam

BOUNDARY = UrlParam(Field("lc_boundary", int, 1, SCENARIO_FIELDS["ctx"].hi, unit="tokens"),
                    None, "Tier boundary (tokens of context)",
                    "where the long-context price tier starts; absent = the suggested boundary")

FIELDS = {BOUNDARY.field.name: BOUNDARY}
