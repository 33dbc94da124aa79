"""The registry as flat samples: what every reporter sends, in one place.

Counters report their total, gauges their value, meters their count and m1/m5/m15/h1 rates (events
per second), timers their count, min, max, mean and p50/p75/p95/p99/p999.
"""

from __future__ import annotations

from dataclasses import dataclass

from .registry import Counter, Gauge, Meter, MetricsRegistry, Timer

METER_FIELDS = ("count", "m1", "m5", "m15", "h1")
TIMER_FIELDS = ("count", "min", "max", "mean", "p50", "p75", "p95", "p99", "p999")


@dataclass(frozen=True, slots=True)
class Sample:
    metric: str          # the registry name ("req_counter", "server.requests")
    kind: str            # counter, gauge, meter or timer
    field: str | None    # None for counters and gauges
    value: float


def samples(registry: MetricsRegistry) -> list[Sample]:
    result: list[Sample] = []
    for name, metric in registry.items():
        if isinstance(metric, Counter):
            result.append(Sample(name, metric.kind, None, metric.total()))
        elif isinstance(metric, Gauge):
            result.append(Sample(name, metric.kind, None, metric.value()))
        elif isinstance(metric, Meter):
            rates = metric.rates()
            result.append(Sample(name, metric.kind, "count", metric.total()))
            result.extend(Sample(name, metric.kind, key, rates[key]) for key in METER_FIELDS[1:])
        elif isinstance(metric, Timer):
            snapshot = metric.snapshot()
            result.extend(Sample(name, metric.kind, key, snapshot[key]) for key in TIMER_FIELDS)
    return result


def format_value(value: float) -> str:
    """A number as plain text: integers without a fraction, others with up to 6 decimals."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
