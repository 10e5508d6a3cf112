"""Notes of the "Model size & lifetime cost" page (pages/scaling.py): what a loss fit says, and Sardana et al."""

from __future__ import annotations

from model.scaling import laws as scaling
from model.scaling import lifetime
from ui import format as fmt

CHINCHILLA_FLOPS = 5.76e23  # Chinchilla's training budget (Hoffmann et al. 2022)
CHINCHILLA_RULE = 20  # tokens per parameter, Hoffmann et al. Approaches 1 and 2
FIT_CITATIONS = {"besiroglu": "Besiroglu et al. 2024", "hoffmann": "Hoffmann et al. 2022 (rounded)"}


def fit_note(fit: scaling.LossFit) -> str:
    """What the chosen fit says at Chinchilla's own budget (docs/formulas.md W8's consistency check)."""
    n, d = (float(v) for v in scaling.compute_optimal(fit, CHINCHILLA_FLOPS))
    text = (f"At Chinchilla's budget (5.76e23 FLOPs) this fit puts the compute optimum at {n / 1e9:.1f}B parameters and "
            f"{d / 1e12:.2f}T tokens, {d / n:.0f} tokens per parameter")
    if fit.name == "hoffmann":
        return (text + ": not the 70B / 1.4T (~20 tokens per parameter) Chinchilla was. Hoffmann et al.'s rounded "
                "Approach-3 constants are known to be inconsistent with their own result (Besiroglu et al. 2024 point it "
                "out); 'Chinchilla-optimal' below means optimal under these constants.")
    return text + ", consistent with Chinchilla's 70B / 1.4T."


def sardana_note(fit: scaling.LossFit) -> str:
    rep = lifetime.sardana_reproduction(fit)
    return (f"**Published** (Sardana et al. 2024, Fig. 1): a developer who wants a 13B-quality model and expects 2T "
            f"inference tokens saves 1.7e22 FLOPs ({fmt.fraction(lifetime.SARDANA_PUBLISHED_SAVING)}) by training a 7B model on "
            f"more data. **This model's reproduction is a different number**: with the {FIT_CITATIONS[fit.name]} constants, "
            f"a 13B model trained compute-optimally ({fmt.si(rep.big.train_tokens, 'tokens')}) against a 7B model trained to "
            f"the same loss ({fmt.si(rep.small.train_tokens, 'tokens')}) saves {fmt.fraction(rep.saving_fraction)} of lifetime "
            f"FLOPs, and the optimum ({rep.optimal.params / 1e9:.3g}B) saves {fmt.fraction(rep.optimal_saving_fraction)}. "
            "The fits differ from the paper's, so only the direction (smaller and longer-trained is cheaper; the optimal "
            "size shrinks as demand grows) carries over.")
