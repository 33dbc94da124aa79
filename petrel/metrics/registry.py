"""Counters, meters (EWMA rates) and timers (histograms), kept in one registry per process.

The meter follows the classic exponentially weighted moving average of load averages (as in
Dropwizard metrics, which the original server's metrics resembled): events are counted, and every
5 seconds the count since the last tick is folded into the 1, 5, 15 and 60 minute averages. Ticks are
applied lazily when the meter is touched or read, so no background task is needed.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
import time
from typing import Callable

TICK_SECONDS = 5.0
# Upper bounds (milliseconds) of a timer's histogram buckets, the last one open: Prometheus's
# default buckets, 5 ms to 10 s, with 0.5, 1 and 2.5 ms in front for fast handlers.
TIMER_BUCKETS_MS = (0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0,
                    2500.0, 5000.0, 7500.0, 10000.0)


class Counter:
    kind = "counter"

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def increment(self, n: int = 1) -> None:
        self.count += n

    def decrement(self, n: int = 1) -> None:
        self.count -= n

    def total(self) -> int:
        return self.count

    def reset(self) -> None:
        self.count = 0


class _EWMA:
    __slots__ = ("alpha", "rate", "initialised")

    def __init__(self, minutes: float) -> None:
        self.alpha = 1.0 - math.exp(-TICK_SECONDS / 60.0 / minutes)
        self.rate = 0.0          # events per second
        self.initialised = False

    def tick(self, count: int) -> None:
        instant = count / TICK_SECONDS
        if self.initialised:
            self.rate += self.alpha * (instant - self.rate)
        else:
            self.rate = instant
            self.initialised = True


class Meter:
    kind = "meter"
    WINDOWS = (("m1", 1.0), ("m5", 5.0), ("m15", 15.0), ("h1", 60.0))

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.count = 0
        self._clock = clock
        self._uncounted = 0
        self._last_tick = clock()
        self._start = self._last_tick
        self._ewma = {key: _EWMA(minutes) for key, minutes in self.WINDOWS}

    def _tick_if_needed(self) -> None:
        now = self._clock()
        elapsed = now - self._last_tick
        if elapsed < TICK_SECONDS:
            return
        ticks = int(elapsed // TICK_SECONDS)
        self._last_tick += ticks * TICK_SECONDS
        for ewma in self._ewma.values():
            ewma.tick(self._uncounted)
            if ticks > 1:   # the ticks without events, in closed form: each one keeps 1 - alpha
                ewma.rate *= (1.0 - ewma.alpha) ** (ticks - 1)
        self._uncounted = 0

    def increment(self, n: int = 1) -> None:
        self._tick_if_needed()
        self.count += n
        self._uncounted += n

    mark = increment

    def total(self) -> int:
        return self.count

    def rates(self) -> dict[str, float]:
        """Events per second over each window (m1, m5, m15, h1) and since creation (mean)."""
        self._tick_if_needed()
        rates = {key: ewma.rate for key, ewma in self._ewma.items()}
        elapsed = self._clock() - self._start
        rates["mean"] = self.count / elapsed if elapsed > 0 else 0.0
        return rates


class Timer:
    """A histogram of values (durations in milliseconds when measured with the duration methods).

    Keeps exact count, min, max and mean, and a uniform reservoir (Vitter's algorithm R) of
    RESERVOIR values for the percentiles, so memory stays bounded however many values arrive.
    """

    kind = "timer"
    RESERVOIR = 1028
    PERCENTILES = (("p50", 0.50), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999))

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._clock = clock
        self.count = 0
        self.sum = 0.0
        self.min: float | None = None
        self.max: float | None = None
        self._samples: list[float] = []
        self._random = random.Random()
        self._buckets = [0] * (len(TIMER_BUCKETS_MS) + 1)

    def update(self, value: float) -> None:
        self._buckets[bisect.bisect_left(TIMER_BUCKETS_MS, value)] += 1
        self.count += 1
        self.sum += value
        self.min = value if self.min is None or value < self.min else self.min
        self.max = value if self.max is None or value > self.max else self.max
        if len(self._samples) < self.RESERVOIR:
            self._samples.append(value)
        else:
            # (random() * count rather than randrange(count): a C call instead of a Python
            # loop over getrandbits, on every request the server times; uniform enough below 2**53)
            slot = int(self._random.random() * self.count)
            if slot < self.RESERVOIR:
                self._samples[slot] = value

    def snapshot(self) -> dict[str, int | float]:
        """count (an integer: Lua 5.3 and later would show a float count as 1.0, LuaJIT as 1),
        min, max, mean and the percentiles (floats)."""
        values = sorted(self._samples)
        result: dict[str, int | float] = {
            "count": self.count,
            "min": self.min if self.min is not None else 0.0,
            "max": self.max if self.max is not None else 0.0,
            "mean": self.sum / self.count if self.count else 0.0,
        }
        for key, q in self.PERCENTILES:
            result[key] = _quantile(values, q)
        return result

    def bucket_counts(self) -> list[int]:
        """Values per histogram bucket (not cumulative), the last for those above every bound."""
        return list(self._buckets)

    def reported(self) -> tuple[int, float, dict[str, float], list[int]]:
        """Count, sum, snapshot and buckets from one reading (what the outputs send)."""
        return self.count, self.sum, self.snapshot(), self.bucket_counts()


class Gauge:
    """A value read when reported (open connections, ready Lua states); the server's, not Lua's."""

    kind = "gauge"

    def __init__(self, name: str, read: Callable[[], float] = lambda: 0) -> None:
        self.name = name
        self.read = read

    def value(self) -> float:
        try:
            return self.read()
        except Exception:   # a gauge must never break a report
            return 0


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between closest ranks (0.0 for no values)."""
    if not values:
        return 0.0
    position = q * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


class MetricsRegistry:
    """Name -> metric. One per process, shared by all Lua states and the server's own metrics.

    In a worker of several, :func:`petrel.metrics.new_registry` makes the cross-worker registry
    instead (:mod:`.shared`), whose metrics count for the whole server.
    """

    def __init__(self) -> None:
        self._metrics: dict[str, Counter | Meter | Timer | Gauge] = {}
        self._lock = threading.Lock()   # library calls may come from engine threads

    def _register(self, name: str, cls: type) -> Counter | Meter | Timer | Gauge:
        with self._lock:
            metric = self._metrics.get(name)
            if metric is None:
                metric = cls(name)
                self._metrics[name] = metric
            elif not isinstance(metric, cls):
                raise KeyError(f"metric '{name}' is a {metric.kind}, not a {cls.kind}")
            return metric

    def _get(self, name: str, cls: type) -> Counter | Meter | Timer | Gauge:
        metric = self._metrics.get(name)
        if metric is None:
            raise KeyError(f"no {cls.kind} named '{name}'")
        if not isinstance(metric, cls):
            raise KeyError(f"metric '{name}' is a {metric.kind}, not a {cls.kind}")
        return metric

    def counter(self, name: str) -> Counter:
        return self._register(name, Counter)  # type: ignore[return-value]

    def meter(self, name: str) -> Meter:
        return self._register(name, Meter)  # type: ignore[return-value]

    def timer(self, name: str) -> Timer:
        return self._register(name, Timer)  # type: ignore[return-value]

    def gauge(self, name: str, read: Callable[[], float]) -> Gauge:
        """The gauge ``name``, reading its value from ``read`` (replacing an earlier reader)."""
        gauge = self._register(name, Gauge)
        gauge.read = read   # type: ignore[union-attr]
        return gauge  # type: ignore[return-value]

    def get_counter(self, name: str) -> Counter:
        return self._get(name, Counter)  # type: ignore[return-value]

    def get_meter(self, name: str) -> Meter:
        return self._get(name, Meter)  # type: ignore[return-value]

    def get_timer(self, name: str) -> Timer:
        return self._get(name, Timer)  # type: ignore[return-value]

    def items(self) -> list[tuple[str, Counter | Meter | Timer | Gauge]]:
        with self._lock:
            return sorted(self._metrics.items())

    def holds_report_turn(self) -> bool:
        """Whether this process sends the periodic reports (one worker of several does)."""
        return True
