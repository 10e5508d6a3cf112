"""Page-local URL parameters of the prefill/decode disaggregation page (see ui/params/__init__.py)."""

from model import load_catalog
from model.base.fields import Field
from model.base.limits import MAX_CHIPS
from model.disaggregation.links import KV_LINKS
from model.disaggregation.replicas import SAME
from ui.widgets import UrlParam

RATE = UrlParam(Field("dg_rate", float, 0.01, 100_000, unit="requests/s"), 10.0, "Request rate (requests/s)",
                 "requests per second the whole fleet serves (Poisson arrivals)")
PREFILL_HW = UrlParam(Field("dg_hw", str, choices=(SAME, *load_catalog().hardware)), SAME, "Prefill hardware",
                       "hardware of the prefill pool; same = the sidebar's (decode) hardware")
PREFILL_CHIPS = UrlParam(Field("dg_chips", int, 0, MAX_CHIPS, unit="chips"), 0, "Prefill chips per replica",
                          "tensor-parallel chips per prefill replica; 0 = as many as the decode replica")
LINK = UrlParam(Field("dg_link", str, choices=tuple(KV_LINKS)), "scale-up", "KV-cache link",
                 "what carries each prompt's KV cache from the prefill to the decode replica")
AXIS = UrlParam(Field("dg_axis", str, choices=("rate", "prompt")), "rate", "Sweep against",
                 "x axis of the sweep charts: request rate or prompt length")

FIELDS = {p.field.name: p for p in (RATE, PREFILL_HW, PREFILL_CHIPS, LINK, AXIS)}
