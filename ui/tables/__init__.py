"""Data frames a page shows with ui.page.table (and its CSV download), one module per page (named
like the page file in pages/); units in the column names.

May import: model (types), pandas, numpy, ui.format, ui.text. Never streamlit, plotly or pages/.
"""
