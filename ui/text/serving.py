"""Names of the continuous-batching page's policies (pages/serving.py), shared by its figures and tables."""

LABELS = {"static": "static batching", "continuous": "continuous + PagedAttention",
          "chunked": "continuous + chunked prefill"}
