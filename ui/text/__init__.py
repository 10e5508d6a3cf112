"""Captions, one-line reasons and labels computed from the numbers, one module per page (named
like the page file in pages/); e.g. ui.text.overview's "decode is memory-bound: ..." reasons.
ui.text.common holds the few sentences several pages show (a count beyond the model's context).

Pure string building: may import model (types, constants), numpy/pandas and ui.format. Never
streamlit, plotly, other ui packages or pages/.
"""
