"""`python -m model presets`: hardware, models, ownership costs and named scenarios with their sources."""

from __future__ import annotations

from model.catalog.presets import load_catalog
from model.cli.common import table
from model.core.precision import Precision

BF16 = Precision.from_bits(16, 16)


def cmd_presets(args) -> int:
    catalog = load_catalog(args.presets)
    hw_rows = [
        {"id": h.id, "name": h.name, "bf16_tflops": h.bf16_flops_per_s / 1e12,
         "8bit_tflops": (h.eight_bit_flops_per_s or 0) / 1e12, "hbm_gb": h.hbm_bytes / 1e9,
         "hbm_tbps": h.hbm_bytes_per_s / 1e12, "usd_per_hour": h.usd_per_hour}
        for h in catalog.hardware.values()
    ]
    print("HARDWARE (dense peaks; per chip)")
    print(table(hw_rows, list(hw_rows[0])))
    for h in catalog.hardware.values():
        print(f"  {h.id}: " + "; ".join(f"{what}: {src}" for what, src in h.sources))
    model_rows = [
        {"id": m.id, "name": m.name, "params_b": m.total_params / 1e9, "active_b": m.matmul_params_per_token / 1e9,
         "kv_bytes_per_token_bf16": m.kv_bytes_per_token(BF16), "max_context": m.max_context}
        for m in catalog.models.values()
    ]
    print("\nMODELS (params derived from the config shapes)")
    print(table(model_rows, list(model_rows[0])))
    for m in catalog.models.values():
        print(f"  {m.id}: {m.source}")
    if catalog.ownership:
        own_rows = [{"id": o.hardware_id, "capex_usd": o.capex_usd_per_chip, "server_usd": o.server_network_usd_per_chip,
                     "years": o.depreciation_years, "capital_rate": o.capital_rate, "power_w": o.power_w, "pue": o.pue, "usd_per_kwh": o.usd_per_kwh,
                     "opex_usd_per_kw_month": o.opex_usd_per_kw_month, "trust": o.trust.split(" ")[0]}
                    for o in catalog.ownership.values()]
        print("\nOWNERSHIP (presets/ownership.csv; the price sheet's basis=own)")
        print(table(own_rows, list(own_rows[0])))
        for o in catalog.ownership.values():
            print(f"  {o.hardware_id} (seen {o.date_seen}): " + "; ".join(f"{what}: {src}" for what, src in o.sources))
    print("\nNAMED SCENARIOS (use preset=ID)")
    for s in catalog.scenarios.values():
        keys = " ".join(f"{k}={v}" for k, v in s.values.items())
        print(f"  {s.id}: {s.name}. {s.description}\n    {keys}\n    source: {s.source}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("presets", help="list hardware, models and named scenarios with sources")
    p.set_defaults(handler=cmd_presets)
