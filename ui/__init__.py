"""Shared dashboard pieces (Streamlit only here; the model stays in model/)."""
