"""``metrics.prometheus=/path``: the registry as a Prometheus text-format page on that path.

prometheus_client does the exposition format; :class:`RegistryCollector` is a custom collector that
reads our registry at scrape time (nothing is copied between scrapes). With several workers the
registry is the cross-worker one (:mod:`.shared`), so the one scrape that reaches any worker sees
the whole server. Mapping, names prefixed ``petrel_`` with every character Prometheus does not
allow made ``_``:

- counter -> counter ``<name>_total``. Counters named ``<base>.<N>xx`` (the server's
  ``server.responses.2xx`` ... ``5xx``) are one counter ``<base>_total{code="2xx"}``. (A Lua
  counter that is decremented or reset looks like a counter reset to Prometheus.)
- gauge   -> gauge
- meter   -> counter ``<name>_total`` and gauge ``<name>_rate{window="m1|m5|m15|h1"}`` (per second)
- timer   -> histogram ``<name>_seconds`` (``_bucket{le=...}``, ``_sum``, ``_count``): timer values
  are milliseconds (what the duration methods measure) and are exposed in seconds; also gauges
  ``<name>_seconds_quantile{quantile="0.5|0.75|0.95|0.99|0.999"}``, ``<name>_seconds_min`` and
  ``<name>_seconds_max`` from the timer's reservoir.

The page also carries prometheus_client's process collector (CPU, memory, open file descriptors)
of the process that answers the scrape.
"""

from __future__ import annotations

import re
from typing import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import (CounterMetricFamily, GaugeMetricFamily,
                                            HistogramMetricFamily, Metric)
from prometheus_client.registry import Collector

from .registry import TIMER_BUCKETS_MS, Counter, Gauge, Meter, MetricsRegistry, Timer

NAMESPACE = "petrel"
_INVALID = re.compile(r"[^a-zA-Z0-9_:]")
_STATUS_CLASS = re.compile(r"^(.+)\.([1-5]xx)$")

__all__ = ["CONTENT_TYPE_LATEST", "PrometheusPage", "RegistryCollector", "metric_name"]


def metric_name(name: str, namespace: str = NAMESPACE) -> str:
    return _INVALID.sub("_", f"{namespace}_{name}" if namespace else name)


def _bound(ms: float) -> str:
    return repr(ms / 1000.0)


class RegistryCollector(Collector):
    def __init__(self, registry: MetricsRegistry, namespace: str = NAMESPACE) -> None:
        self.registry = registry
        self.namespace = namespace

    def collect(self) -> Iterator[Metric]:
        by_code: dict[str, CounterMetricFamily] = {}
        for name, metric in self.registry.items():
            prom = metric_name(name, self.namespace)
            if isinstance(metric, Counter):
                status = _STATUS_CLASS.match(name)
                if status is None:
                    yield CounterMetricFamily(prom, f"counter {name}", value=metric.total())
                    continue
                base = metric_name(status.group(1), self.namespace)
                family = by_code.get(base)
                if family is None:
                    family = by_code[base] = CounterMetricFamily(
                        base, f"counters {status.group(1)}.<code class>", labels=["code"])
                family.add_metric([status.group(2)], metric.total())
            elif isinstance(metric, Gauge):
                yield GaugeMetricFamily(prom, f"gauge {name}", value=metric.value())
            elif isinstance(metric, Meter):
                rates = metric.rates()
                yield CounterMetricFamily(prom, f"events of meter {name}", value=metric.total())
                family = GaugeMetricFamily(f"{prom}_rate", f"events per second of meter {name}, "
                                           "exponentially weighted over the window", labels=["window"])
                for window, _minutes in Meter.WINDOWS:
                    family.add_metric([window], rates[window])
                yield family
            elif isinstance(metric, Timer):
                count, total, snapshot, buckets = metric.reported()
                seconds = f"{prom}_seconds"
                cumulative, running = [], 0
                for bound, in_bucket in zip(TIMER_BUCKETS_MS + (float("inf"),), buckets):
                    running += in_bucket
                    cumulative.append((_bound(bound) if bound != float("inf") else "+Inf", running))
                yield HistogramMetricFamily(seconds, f"timer {name} (milliseconds, exposed in seconds)",
                                            buckets=cumulative, sum_value=total / 1000.0)
                quantiles = GaugeMetricFamily(f"{seconds}_quantile", f"percentiles of timer {name} "
                                              "from its reservoir, in seconds", labels=["quantile"])
                for key, q in Timer.PERCENTILES:
                    quantiles.add_metric([repr(q)], snapshot[key] / 1000.0)
                yield quantiles
                yield GaugeMetricFamily(f"{seconds}_min", f"smallest value of timer {name}, in seconds",
                                        value=snapshot["min"] / 1000.0)
                yield GaugeMetricFamily(f"{seconds}_max", f"largest value of timer {name}, in seconds",
                                        value=snapshot["max"] / 1000.0)
        yield from by_code.values()


class PrometheusPage:
    """The page's body and content type, generated per scrape."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: MetricsRegistry, process_metrics: bool = True) -> None:
        self.collectors = CollectorRegistry(auto_describe=False)
        self.collectors.register(RegistryCollector(registry))
        if process_metrics:
            ProcessCollector(registry=self.collectors)

    def render(self) -> bytes:
        return generate_latest(self.collectors)
