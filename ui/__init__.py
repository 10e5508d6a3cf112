"""Streamlit pieces shared by the pages (the model stays in model/; pages lay out, ui draws).

- ui.page: what every page calls (current scenario, chart/table/card helpers, guarded run).
- ui.sidebar (+ ui.sidebar_calibration): the scenario sidebar, every key bound to the URL.
- ui.widgets: the one set of URL-bound widgets; ui.params: each page's URL keys.
- ui.format: the one number formatter module (names say what they take: duration(seconds), ...).
- ui.figures: the figure factory (ui.figures.factory) and one module of plotly figures per page.
- ui.text: per-page captions and one-line reasons computed from the numbers.
- ui.tables: per-page data frames shown (and downloadable) as tables.
- ui.cached: Streamlit-cached model runs (simulations, sweeps, validation rows).

May import: model, streamlit, plotly, pandas, numpy. Never imports pages/ or app.py. Inside ui the
layers are format -> text -> figures/tables -> cached -> widgets/params -> sidebar -> page
(a module imports only from its own layer or layers to its left).
"""
