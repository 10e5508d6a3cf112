"""Plotly figures: `factory` (the one figure factory: house look, log ticks, markers, shared trace
kinds) and one module per page, named like the page file in pages/ (roofline, latency, ...).

Every figure is built through `factory`. May import: model (types and small label helpers),
plotly, numpy, pandas, ui.format, ui.text. Never streamlit, ui.page, ui.sidebar or pages/.
"""
