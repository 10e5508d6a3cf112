"""Set the model beside measurements: predict the quantity a measurement row states, and compare.

A measurement row is the scenario keys (README "Scenario keys") plus `phase` and one measured
column. The phase says what was timed:

| phase     | the timed work (seconds)                                                          |
|-----------|-----------------------------------------------------------------------------------|
| `decode`  | one decode step: `batch` sequences each generate one token at context `ctx`        |
| `prefill` | one prefill of `batch` prompts of `prompt` tokens (nothing cached; `ctx` unused)   |
| `request` | a whole static-batch run: the prefill of `batch` prompts of `prompt` tokens, then  |
|           | out − 1 decode steps as the context grows from `prompt` to prompt + out − 2 (the   |
|           | first output token comes from the prefill), as TensorRT-LLM's gptSessionBenchmark  |
|           | times it; `ctx` unused                                                             |
| `hbm_read`| micro-benchmark on one chip: one kernel reading `bytes` bytes of HBM once (a large |
|           | read-only reduction, a stream test); `measured_ms` only                            |
| `gemm`    | micro-benchmark on one chip: one (m × k) · (k × n) matrix product, the k × n matrix |
|           | the weights at `wbits`, activations at the compute precision (`abits`);            |
|           | `measured_ms` only                                                                 |

| measured column         | unit     | definition                                                        |
|-------------------------|----------|-------------------------------------------------------------------|
| `measured_ms`           | ms       | the phase's time                                                  |
| `tokens_per_s`          | tokens/s | tokens the phase yields per second on the replica: decode batch / |
|                         |          | step; prefill batch·prompt / time; request batch·out / time       |
| `tokens_per_s_per_chip` | tokens/s | tokens_per_s ÷ chips (the "per GPU" tables of TensorRT-LLM)       |

The prediction is the same column computed from the model's time for the phase, and
error_pct = 100 · (predicted − measured) / measured. Rows with `excluded` true are carried with
their `exclude_reason` and not predicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from model.base.fields import Field, FieldError
from model.catalog.csv_rows import read_user_csv
from model.catalog.presets import Catalog
from model.schema.parse import parse_scenario_strict
from model.schema.resolve import ScenarioError
from model.schema.scenario import SCENARIO_FIELDS, Scenario

MODEL_PHASES = ("decode", "prefill", "request")
MICRO_PHASES = {"hbm_read": ("bytes",), "gemm": ("m", "k", "n")}  # micro-benchmarks and their columns
PHASES = MODEL_PHASES + tuple(MICRO_PHASES)
QUANTITIES = ("measured_ms", "tokens_per_s", "tokens_per_s_per_chip")
MEASURED_FIELDS = {
    "measured_ms": Field("measured_ms", float, 1e-6, 1e9, unit="ms"),
    "tokens_per_s": Field("tokens_per_s", float, 1e-6, 1e12, unit="tokens/s"),
    "tokens_per_s_per_chip": Field("tokens_per_s_per_chip", float, 1e-6, 1e12, unit="tokens/s"),
}
WORK_FIELDS = {
    "bytes": Field("bytes", float, 1e3, 1e13, unit="B"),
    "m": Field("m", int, 1, 10_000_000),
    "k": Field("k", int, 1, 10_000_000),
    "n": Field("n", int, 1, 10_000_000),
}
PHASE_FIELD = Field("phase", str, choices=PHASES)
EXCLUDED_FIELD = Field("excluded", bool)
INFO_COLUMNS = ("framework", "trust", "source", "metric")
CARRIED_COLUMNS = ("reference", "conversion")  # read with the row (Measurement.raw), not used
MEASUREMENT_COLUMNS = frozenset(("id", "phase", "excluded", "exclude_reason") + QUANTITIES + INFO_COLUMNS
                                + CARRIED_COLUMNS)


class MeasurementError(ValueError):
    """A measurement row that cannot be used; the message names the row and the field."""


@dataclass(frozen=True)
class Measurement:
    """One measured phase of one scenario, in the unit of `quantity` (see module docstring)."""

    id: str
    scenario: Scenario | None  # None when excluded
    phase: str = ""
    quantity: str = ""
    measured: float = float("nan")
    excluded: bool = False
    exclude_reason: str = ""
    info: dict = field(default_factory=dict)  # framework, trust, source, metric (text)
    raw: dict = field(default_factory=dict)  # the row as read
    work: dict = field(default_factory=dict)  # micro-benchmark size: bytes (hbm_read) or m, k, n (gemm)

    @property
    def is_micro(self) -> bool:
        return self.phase in MICRO_PHASES

    def tokens(self) -> float:
        """Tokens the phase yields on the replica: decode batch, prefill batch·prompt, request batch·out."""
        s = self.scenario
        return float(s.batch * {"decode": 1, "prefill": s.prompt, "request": s.out}[self.phase])

    def value_from_time_s(self, time_s: float) -> float:
        """The measured column's value for a phase that takes `time_s` seconds."""
        if self.quantity == "measured_ms":
            return time_s * 1e3
        per_s = self.tokens() / time_s
        return per_s / self.scenario.chips if self.quantity == "tokens_per_s_per_chip" else per_s

    @property
    def measured_s(self) -> float:
        """The measured phase time in seconds (the inverse of value_from_time_s)."""
        if self.quantity == "measured_ms":
            return self.measured / 1e3
        chips = self.scenario.chips if self.quantity == "tokens_per_s_per_chip" else 1
        return self.tokens() / (self.measured * chips)


def _row_error(index: int, exc: Exception, line: int | None = None) -> MeasurementError:
    return MeasurementError(f"row {index} (line {index + 1 if line is None else line}): {exc}")


def _measured_value(row: Mapping[str, str]) -> tuple[str, float]:
    """The single filled measured column and its value; FieldError if none, several, or bad."""
    given = [name for name in QUANTITIES if str(row.get(name, "") or "").strip()]
    if len(given) != 1:
        what = "none" if not given else ", ".join(given)
        raise FieldError("measured_ms", "required" if not given else "cross_field", f"give exactly one of {', '.join(QUANTITIES)}; got {what}")
    return given[0], MEASURED_FIELDS[given[0]].parse(row[given[0]])


def parse_measurement(row: Mapping[str, str], catalog: Catalog, index: int = 1, line: int | None = None) -> Measurement:
    """A measurement from a CSV row (scenario keys, phase, one measured column, optional
    id, excluded, exclude_reason, framework, trust, source, metric); MeasurementError naming
    the row and the field when it cannot be used."""
    text = {k: str(v or "").strip() for k, v in row.items()}
    ident = text.get("id") or str(index)
    info = {k: text.get(k, "") for k in INFO_COLUMNS}
    try:
        excluded = EXCLUDED_FIELD.parse(text["excluded"]) if text.get("excluded") else False
        if excluded:
            reason = text.get("exclude_reason") or "excluded (no reason given)"
            return Measurement(ident, None, text.get("phase", ""), excluded=True, exclude_reason=reason,
                               info=info, raw=dict(row))
        phase = PHASE_FIELD.parse(text.get("phase", ""))
        quantity, measured = _measured_value(text)
        work = _work(phase, quantity, text)
        scenario = parse_scenario_strict(text, catalog)
    except (FieldError, ScenarioError) as exc:
        raise _row_error(index, exc, line) from None
    return Measurement(ident, scenario, phase, quantity, measured, info=info, raw=dict(row), work=work)


def _work(phase: str, quantity: str, text: Mapping[str, str]) -> dict:
    """The size columns a micro-benchmark phase needs (FieldError naming the missing one)."""
    if phase not in MICRO_PHASES:
        return {}
    if quantity != "measured_ms":
        raise FieldError(quantity, "cross_field", f"phase {phase} is timed: give measured_ms, not {quantity}")
    work = {}
    for name in MICRO_PHASES[phase]:
        if not text.get(name):
            raise WORK_FIELDS[name].missing(f"required when phase={phase}")
        work[name] = WORK_FIELDS[name].parse(text[name])
    return work


def read_measurements(path: str, catalog: Catalog, notes: list | None = None) -> tuple[list[Measurement], list[str]]:
    """Every usable or excluded row of a measurements CSV, and one message per bad row; a note per
    column that is not read is appended to `notes` when given."""
    table = read_user_csv(path, MEASUREMENT_COLUMNS | set(SCENARIO_FIELDS))
    if notes is not None:
        notes.extend(table.notes)
    measurements, messages = [], []
    for record in table.records:
        try:
            if record.error:
                raise MeasurementError(f"{record.where}: {record.error}")
            measurements.append(parse_measurement(record.values, catalog, record.number, record.line))
        except MeasurementError as exc:
            messages.append(str(exc))
    return measurements, messages


def select(measurements: Iterable[Measurement], framework: str | None = None) -> list[Measurement]:
    """Rows not excluded (and, when `framework` is given, whose framework contains it)."""
    wanted = (framework or "").lower()
    return [m for m in measurements if not m.excluded and wanted in m.info.get("framework", "").lower()]
