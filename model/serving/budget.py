"""How much one simulation may do: a work budget and a wall-clock deadline, checked inside its loop
(docs/formulas.md F192).

`Budget` states the limits: `work` scheduler units (`workload.SIMULATOR_MAX_WORK`; the same result on
every machine), `wall_s` seconds from the start and an absolute `deadline_s` (time.monotonic()), the
earlier of the two applying. `poll`, when given, is called from inside the loop at most every
POLL_S seconds and may raise to abandon the run: the dashboard passes one that lets Streamlit stop the
script of a session that reran or is gone. A `Meter` spends a budget; a run that reaches a limit stops
where it is, and `Meter.note` says what was cut.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from model.serving.workload import SIMULATOR_MAX_WALL_S, SIMULATOR_MAX_WORK

POLL_S = 0.05  # the cooperative check runs at most this often (s)


@dataclass(frozen=True)
class Budget:
    """Limits of one simulation (or, for `share`, of several run one after the other)."""

    work: int = SIMULATOR_MAX_WORK  # scheduler units (workload.SIMULATOR_MAX_WORK says what counts)
    wall_s: float = SIMULATOR_MAX_WALL_S  # seconds from the start of the run
    deadline_s: float = math.inf  # time.monotonic() value: the latest the run may end
    poll: Callable[[], object] | None = None  # cooperative stop hook: may raise to abandon the run

    def started(self) -> Budget:
        """The same limits with the wall time turned into an absolute deadline from now."""
        return replace(self, deadline_s=min(self.deadline_s, time.monotonic() + self.wall_s), wall_s=math.inf)

    def share(self, parts: int) -> Budget:
        """A started budget's next part when `parts` runs remain: an equal share of the time left
        (a run that finishes early leaves its time to the next ones); the work budget is per run."""
        left = max(self.deadline_s - time.monotonic(), 0.0)
        return replace(self, wall_s=left / max(parts, 1))


class Meter:
    """A budget being spent by one run: `spend` after each scheduler iteration."""

    def __init__(self, budget: Budget):
        start = time.monotonic()
        self.budget = budget
        self.deadline = min(budget.deadline_s, start + budget.wall_s)
        self.wall_s = max(self.deadline - start, 0.0)  # 0 when the deadline had passed already
        self.work = 0
        self.stopped = ""  # "" while within the budget, else "work" or "time"
        self._next_poll = start + POLL_S

    def spend(self, units: int) -> bool:
        """Add `units` of work; True once the run must stop (`stopped` says why)."""
        self.work += units
        if self.work > self.budget.work:
            self.stopped = "work"
            return True
        now = time.monotonic()
        if now >= self.deadline:
            self.stopped = "time"
            return True
        if self.budget.poll is not None and now >= self._next_poll:
            self._next_poll = now + POLL_S
            self.budget.poll()
        return False

    def note(self, finished: int, requests: int, simulated_s: float) -> str:
        """What was cut, how many requests finished and the budget ('' when the run completed)."""
        if not self.stopped:
            return ""
        limit = (f"its work budget of {self.budget.work:,} scheduler units" if self.stopped == "work"
                 else f"its time budget of {self.wall_s:.2g} s of wall time")
        return (f"stopped after {limit}: {finished:,} of {requests:,} requests finished in the first "
                f"{simulated_s:,.4g} s simulated, so its numbers are those of that part of the run")
