"""URL parameters that belong to one page (page-local controls), declared per page.

Each module here declares `FIELDS = {key: UrlParam(...)}` (ui.widgets.UrlParam); `ALL` below
collects them. The sidebar validates these keys in a link like the scenario keys (bad values are
named in the notice and dropped), and the page draws them with the ui.widgets functions bound to
the URL, so a link reopens the page exactly as it was. Keys carry a page prefix (sv_ serving,
dg_ disaggregation, ca_ caching and reasoning, sc_ scaling, lc_ long context, lt_ latency, ps_ price sheet) so
pages never collide.

May import: model, ui.widgets. Imported by: ui.sidebar and the pages.
"""

from ui.params import caching, disaggregation, latency, long_context, price_sheet, scaling, serving

ALL = {key: param for module in (serving, disaggregation, caching, scaling, long_context, latency, price_sheet)
       for key, param in module.FIELDS.items()}
