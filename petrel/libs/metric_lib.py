"""``metric``: counters, meters and timers in the server's registry.

``m = metric()`` makes an unbound handle; ``m:register_counter(name)`` (or meter/timer) binds it to
the named metric, creating it if needed, and ``m:get_counter(name)`` binds to an existing one.
With several workers the registry is the cross-worker one (:mod:`petrel.metrics.shared`): totals,
rates and snapshots are those of the whole server.
"""

from __future__ import annotations

import time

from ..metrics import Counter, Meter, Timer
from .base import Library, LibraryContext, LuaRuntimeError

library = Library("metric", "counters, meters and timers shared by every state and every worker")


@library.object(name="metric")
class MetricHandle:
    def __init__(self, ctx: LibraryContext) -> None:
        self._registry = ctx.metrics
        self._metric: Counter | Meter | Timer | None = None
        self._mark: float | None = None

    def _bind(self, make, name: str) -> None:
        try:
            self._metric = make(name)
        except KeyError as exc:
            raise LuaRuntimeError(exc.args[0]) from None

    def register_counter(self, name: str) -> None:
        self._bind(self._registry.counter, name)

    def get_counter(self, name: str) -> None:
        self._bind(self._registry.get_counter, name)

    def register_meter(self, name: str) -> None:
        self._bind(self._registry.meter, name)

    def get_meter(self, name: str) -> None:
        self._bind(self._registry.get_meter, name)

    def register_timer(self, name: str) -> None:
        self._bind(self._registry.timer, name)

    def get_timer(self, name: str) -> None:
        self._bind(self._registry.get_timer, name)

    def _as(self, cls: tuple, method: str):
        metric = self._metric
        if not isinstance(metric, cls):
            what = "an unregistered metric" if metric is None else f"a {metric.kind}"
            kinds = " or ".join(c.kind for c in cls)
            raise LuaRuntimeError(f"'{method}' needs a {kinds}, called on {what}")
        return metric

    def increment(self, n: int = 1) -> None:
        self._as((Counter, Meter), "increment").increment(n)

    def decrement(self, n: int = 1) -> None:
        self._as((Counter,), "decrement").decrement(n)

    def total(self) -> int:
        return self._as((Counter, Meter), "total").total()

    def reset(self) -> None:
        self._as((Counter,), "reset").reset()

    def rates(self) -> dict:
        return self._as((Meter,), "rates").rates()

    def update(self, value: float) -> None:
        self._as((Timer,), "update").update(value)

    def start_duration(self) -> None:
        self._as((Timer,), "start_duration")
        self._mark = time.monotonic()

    def update_duration(self) -> float:
        """Record the milliseconds since start_duration() or the last update; returns them."""
        timer = self._as((Timer,), "update_duration")
        if self._mark is None:
            raise LuaRuntimeError("'update_duration' called before 'start_duration'")
        now = time.monotonic()
        elapsed = (now - self._mark) * 1000.0
        timer.update(elapsed)
        self._mark = now
        return elapsed

    def finish_duration(self) -> float:
        elapsed = self.update_duration()
        self._mark = None
        return elapsed

    def snapshot(self) -> dict:
        return self._as((Timer,), "snapshot").snapshot()


@library.construct
def new_metric(ctx: LibraryContext) -> MetricHandle:
    return MetricHandle(ctx)
