"""Page-local URL parameters of "Model size & lifetime cost" (see ui/params/__init__.py)."""

from model.base.fields import Field
from ui.widgets import UrlParam

REFERENCE_GRID = [1, 3, 7, 8, 13, 30, 34, 70, 175, 405, 1000, 3000]  # billion parameters
DEMAND_GRID = [0, 100, 300, 1000, 2000, 3000, 10_000, 30_000, 100_000, 300_000, 10**6, 3 * 10**6, 10**7,
               10**8, 10**9]  # billion tokens

FIELDS = {
    "sc_fit": UrlParam(Field("sc_fit", str, choices=("besiroglu", "hoffmann")), "besiroglu", "Loss fit L(N, D)",
                        "besiroglu: Besiroglu et al. 2024's refit; hoffmann: Hoffmann et al. 2022's rounded Approach-3 "
                        "constants (inconsistent with Chinchilla's own 70B / 1.4T)"),
    "sc_ref_b": UrlParam(Field("sc_ref_b", int, 1, 10_000, unit="billion parameters"), 70,
                          "Target quality, B params",
                          "the target loss is that of a model of this many billion parameters trained "
                          "compute-optimally (Chinchilla) under the chosen fit"),
    "sc_demand_b": UrlParam(Field("sc_demand_b", int, 0, 10**9, unit="billion tokens"), 100_000,
                             "Lifetime demand, billion tokens",
                             "inference tokens the model processes over its life (prompt and output, 2·N FLOPs each); "
                             "an assumption about the deployment"),
    "sc_objective": UrlParam(Field("sc_objective", str, choices=("flops", "usd")), "flops", "Minimise lifetime",
                              "flops: lifetime FLOPs (Sardana et al.); usd: lifetime USD at the sidebar deployment's prices per FLOP"),
    "sc_train_mfu": UrlParam(Field("sc_train_mfu", float, 0.05, 1.0), 0.4, "Training MFU (assumption)",
                              "achieved fraction of peak FLOP/s in training; large dense runs report roughly 0.35-0.45"),
}
