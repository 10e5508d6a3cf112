"""Model size & lifetime cost: Chinchilla-optimal vs lifetime-optimal training (docs/formulas.md F62–F69)."""

import streamlit as st

from model.scaling import laws as scaling
from model.scaling import lifetime
from ui import format as fmt
from ui.figures import scaling as figures
from ui.page import card, chart, current, table
from ui.params.scaling import DEMAND_GRID, REFERENCE_GRID
from ui.params.scaling import FIELDS as P
from ui.tables.scaling import plans_table
from ui.text.scaling import CHINCHILLA_RULE, fit_note, sardana_note
from ui.widgets import choice, log_choice, slider

state = current()
s, dep = state.scenario, state.deployment
st.title("Model size & lifetime cost")
st.markdown("The Chinchilla scaling law picks the model size that reaches a loss with the least **training** compute. A "
            "model that is then served pays 2·N FLOPs for every token it processes, so over its life a **smaller model "
            "trained on more data** can be cheaper (Sardana et al. 2024): lifetime FLOPs = 6·N·D_train + 2·N·D_inference, "
            "minimised over N with D_train set by the target loss L(N, D) = E + A/N^α + B/D^β.")
c = st.columns([1.3, 1, 1, 1.1, 1])
with c[0]:
    fit_name = choice(P["sc_fit"])  # labels are the values: a link holds the label
with c[1]:
    reference_b = log_choice(P["sc_ref_b"], REFERENCE_GRID)
with c[2]:
    demand_b = log_choice(P["sc_demand_b"], DEMAND_GRID)
with c[3]:
    objective = choice(P["sc_objective"])
with c[4]:
    train_mfu = slider(P["sc_train_mfu"], step=0.05)
fit = scaling.fit_named(fit_name)
(st.warning if fit.name == "hoffmann" else st.caption)(fit_note(fit))

reference, demand, by_usd = reference_b * 1e9, demand_b * 1e9, objective == "usd"
usd_train = scaling.usd_per_training_flop(dep, train_mfu)
usd_inference = scaling.usd_per_inference_flop(dep, s.batch, s.ctx)
result = lifetime.lifetime_comparison(fit, reference, demand, usd_train, usd_inference, by_usd)
chin, best = result.chinchilla, result.optimal
c = st.columns(4)
card(c[0], "Lifetime-optimal size", fmt.si(best.params, "params"),
     f"{best.params / chin.params:.2g}x the {reference_b:,}B Chinchilla-optimal model, same loss {best.loss:.3f} nats/token")
card(c[1], "Training tokens", fmt.si(best.train_tokens, "tokens"),
     f"{best.train_tokens / chin.train_tokens:.3g}x the Chinchilla-optimal {fmt.si(chin.train_tokens, 'tokens')}")
card(c[2], "Tokens per parameter", f"{best.tokens_per_param:,.0f}",
     f"{best.tokens_per_param / CHINCHILLA_RULE:.3g}x the ~20 of Chinchilla; {chin.tokens_per_param:.0f} is "
     "compute-optimal under this fit", "Chinchilla's rule of thumb: ~20 training tokens per parameter.")
saving = round(result.usd_saving_fraction if by_usd else result.flops_saving_fraction, 4) + 0.0  # no "-0%"
card(c[3], f"Lifetime {'USD' if by_usd else 'FLOPs'} saved", fmt.fraction(saving),
     f"{fmt.usd_big(best.usd)} vs {fmt.usd_big(chin.usd)}" if by_usd else
     f"{fmt.flops(best.total_flops)} vs {fmt.flops(chin.total_flops)} at {fmt.si(demand, 'tokens')} served")
c = st.columns(4)
card(c[0], "Training FLOPs", fmt.flops(best.training_flops), f"Chinchilla-optimal: {fmt.flops(chin.training_flops)} (6·N·D)")
card(c[1], "Inference FLOPs", fmt.flops(best.inference_flops),
     f"Chinchilla-optimal: {fmt.flops(chin.inference_flops)} (2·N per token)")
card(c[2], "Lifetime USD", fmt.usd_big(best.usd), f"training {fmt.usd_big(best.training_flops * usd_train)}, inference "
     f"{fmt.usd_big(best.inference_flops * usd_inference)}; Chinchilla-optimal {fmt.usd_big(chin.usd)}")
card(c[3], "USD per 1e18 FLOPs", f"{fmt.usd(usd_train * 1e18)} / {fmt.usd(usd_inference * 1e18)}",
     f"training at MFU {train_mfu:.2g} / serving at batch {s.batch:,}, context {s.ctx:,} on the sidebar's "
     f"{dep.chips} x {dep.hardware.name}", "Training: chip price / (peak FLOP/s x training MFU). Inference: the sidebar "
     "deployment's cost of one output token / its 2·N_active FLOPs, taken as the same for every model size.")

target = chin.loss
demands = lifetime.demand_levels(demand)
optima = [best if d == demand else scaling.lifetime_optimal(fit, target, d, *((usd_train, usd_inference) if by_usd else ()))
          for d in demands]
sizes = lifetime.size_grid(fit, target, reference)
weights = (usd_train, usd_inference) if by_usd else (1.0, 1.0)
relative = lifetime.lifetime_cost_curves(fit, target, reference, demands, sizes, *weights)
chart(figures.lifetime_figure(sizes, relative, demands, optima, reference, demand, by_usd),
      f"Each curve is one lifetime demand; every model on it is trained until it reaches the loss of a Chinchilla-optimal "
      f"{reference_b:,}B model ({target:.3f} nats/token). With no inference the cheapest is the {reference_b:,}B model "
      f"itself; at {fmt.si(demand, 'tokens')} served it is {fmt.si(best.params, 'params')} trained on "
      f"{best.tokens_per_param:,.0f} tokens per parameter, {fmt.fraction(saving)} cheaper; at "
      f"{fmt.si(demands[-1], 'tokens')} it is {fmt.si(optima[-1].params, 'params')}.", key="sc_lifetime_chart")
chart(figures.split_figure(result, usd_train, usd_inference),
      f"The lifetime-optimal model spends {fmt.fraction(best.training_flops / best.total_flops)} of its lifetime FLOPs on "
      f"training against {fmt.fraction(chin.training_flops / chin.total_flops)} for the Chinchilla-optimal one: a "
      f"{best.training_flops / chin.training_flops:.2g}x training bill buys {fmt.fraction(1 - best.params / chin.params)} "
      "cheaper tokens for the rest of its life.", key="sc_split_chart")
table(plans_table(result, usd_train, usd_inference), "lifetime_plans",
      "Both plans reach the same loss and serve the same demand; 1 ZFLOP = 1e21 FLOPs; USD uses the prices per FLOP "
      "above.")
st.info(sardana_note(fit))
with st.expander("Assumptions"):
    st.markdown(
        "- **Loss fits** are the published constants (Hoffmann et al. 2022, eq. 2; Besiroglu et al. 2024); Besiroglu et al. report standard errors "
        "(A ± 124.6, B ± 1293, α, β ± 0.02), so sizes here are uncertain by tens of percent.\n"
        "- **Inference** costs 2·N FLOPs per token processed (prompt or output); a USD per inference FLOP is taken from "
        "the sidebar deployment's decode and applied to every size (a smaller model's batch and context knees differ).\n"
        "- **Training MFU** and **lifetime demand** are assumptions you set above. Pope's heuristic (frontier models "
        "~100x over-trained against Chinchilla, inference tokens comparable to pre-training tokens) is a talk's claim, "
        f"not computed here; at this demand the optimum is {best.tokens_per_param / CHINCHILLA_RULE:.3g}x over-trained.")
