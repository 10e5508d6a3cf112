"""URL parameters that belong to one page (page-local controls), declared per page.

Each module here declares `FIELDS = {key: PageParam(...)}`. The sidebar validates these keys
in a link like the scenario keys (bad values are named in the notice and dropped), and the
page draws them with `ui.page_params` widgets bound to the URL, so a link reopens the page
exactly as it was. Keys carry a page prefix (sv_ serving, dg_ disaggregation, ca_ caching
and reasoning, sc_ scaling, lc_ long context, lt_ latency) so pages never collide.
"""
