"""Prefill/decode disaggregation: colocated vs split pools, pool sizes, KV transfer, queueing.

Modules (docs/formulas.md F47-F53): `plan` (the two plans, `compare`, each latency split into its terms), `links` (KV transfer and
the links that carry it), `replicas` (the prefill replica on other hardware, what each replica
must hold), `sweep` (both plans along the request rate or prompt length).

A domain package: may import `model.base`, `model.core`, `model.schema`, `model.catalog`; never
`model.serving` (which may import it).
"""
