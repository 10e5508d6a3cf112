"""Transfer tests of a calibration: rows predicted with a fit on OTHER rows of their hardware.

`leave_one_model_out`: each model's rows with a fit on the other models' rows of the same
hardware. `train_test`: rows of the test models with a fit on the train models' rows (a user's
question: "I measured one model; how well does that predict the others?"). Micro-benchmark rows
(hbm_read, gemm) belong to no model and always stay in the training set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from model.calibration.file_format import Calibration
from model.calibration.fit import by_hardware, fit_hardware
from model.calibration.measurements import Measurement
from model.calibration.parameters import PARAMETERS
from model.calibration.validate import ValidationRow, predict
from model.catalog.presets import Catalog


def _model(m: Measurement) -> str | None:
    return None if m.is_micro else m.scenario.model


def _predict_with_fit(hw: str, train: list[Measurement], test: list[Measurement], catalog: Catalog,
                      params: Sequence[str], note: str) -> dict[int, ValidationRow]:
    fit = fit_hardware(train, catalog, params)
    calibration = Calibration({hw: fit.efficiency})
    return {id(m): ValidationRow(m, predict(m, catalog, calibration), note) for m in test}


def leave_one_model_out(measurements: Iterable[Measurement], catalog: Catalog,
                        params: Sequence[str] = PARAMETERS) -> list[ValidationRow]:
    """Each usable row predicted with a calibration fitted on the OTHER models' rows of the
    same hardware (a disjoint subset); rows with no other model on their hardware get a note."""
    measurements = list(measurements)
    results = {}  # id(measurement) -> row: ids in a user's file need not be unique
    for hw, rows in by_hardware(measurements).items():
        models = sorted({_model(m) for m in rows} - {None})
        for model in models:
            held_out = [m for m in rows if _model(m) == model]
            train = [m for m in rows if _model(m) != model]
            if not [m for m in train if not m.is_micro]:
                results.update({id(m): ValidationRow(m, note=f"no other model on {hw} to fit on") for m in held_out})
                continue
            note = f"fitted on {len(train)} rows of {', '.join(x for x in models if x != model)}"
            results.update(_predict_with_fit(hw, train, held_out, catalog, params, note))
    return [results.get(id(m), ValidationRow(m)) for m in measurements]


def train_test(measurements: Iterable[Measurement], catalog: Catalog, train_models: Sequence[str],
               test_models: Sequence[str], params: Sequence[str] = PARAMETERS) -> list[ValidationRow]:
    """Rows of `test_models` predicted with a calibration fitted, per hardware, on the rows of
    `train_models` (plus micro-benchmarks); other rows, and hardware without both, carry a note."""
    measurements = list(measurements)
    results = {}
    for hw, rows in by_hardware(measurements).items():
        train = [m for m in rows if m.is_micro or _model(m) in train_models]
        test = [m for m in rows if _model(m) in test_models]
        if not test:
            continue
        if not [m for m in train if not m.is_micro]:
            results.update({id(m): ValidationRow(m, note=f"no rows of {', '.join(train_models)} on {hw}")
                            for m in test})
            continue
        note = f"fitted on {len(train)} rows of {', '.join(sorted({_model(m) or 'micro' for m in train}))}"
        results.update(_predict_with_fit(hw, train, test, catalog, params, note))
    return [results.get(id(m), ValidationRow(m, note="not a test model")) for m in measurements
            if not m.excluded and _model(m) in test_models]
