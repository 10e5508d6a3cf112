"""Page-local URL parameters of this page (see ui/params/__init__.py)."""

from ui.page_params import PageParam  # noqa: F401

FIELDS: dict = {}
