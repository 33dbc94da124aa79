"""``metrics.prometheus=/path``: the registry as a Prometheus text-format page on that path.

prometheus_client does the exposition format; :class:`RegistryCollector` is a custom collector that
reads our registry at scrape time (nothing is copied between scrapes). Mapping, names prefixed
``petrel_`` with every character Prometheus does not allow made ``_``:

- counter -> gauge (a Lua counter can be decremented and reset, so it is not a Prometheus counter)
- gauge   -> gauge
- meter   -> counter ``<name>_total`` and gauge ``<name>_rate{window="m1|m5|m15|h1"}`` (per second)
- timer   -> summary ``<name>{quantile=...}``, ``<name>_count``, ``<name>_sum``, and gauges
  ``<name>_min``, ``<name>_max``

The page also carries prometheus_client's process collector (CPU, memory, open file descriptors).
"""

from __future__ import annotations

import re
from typing import Iterator

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .registry import Counter, Gauge, Meter, MetricsRegistry, Timer

NAMESPACE = "petrel"
_INVALID = re.compile(r"[^a-zA-Z0-9_:]")

__all__ = ["CONTENT_TYPE_LATEST", "PrometheusPage", "RegistryCollector", "metric_name"]


def metric_name(name: str, namespace: str = NAMESPACE) -> str:
    return _INVALID.sub("_", f"{namespace}_{name}" if namespace else name)


class RegistryCollector(Collector):
    def __init__(self, registry: MetricsRegistry, namespace: str = NAMESPACE) -> None:
        self.registry = registry
        self.namespace = namespace

    def collect(self) -> Iterator[Metric]:
        for name, metric in self.registry.items():
            prom = metric_name(name, self.namespace)
            if isinstance(metric, Counter):
                yield GaugeMetricFamily(prom, f"counter {name}", value=metric.total())
            elif isinstance(metric, Gauge):
                yield GaugeMetricFamily(prom, f"gauge {name}", value=metric.value())
            elif isinstance(metric, Meter):
                yield CounterMetricFamily(prom, f"events of meter {name}", value=metric.total())
                rates = GaugeMetricFamily(f"{prom}_rate", f"events per second of meter {name}, "
                                          "exponentially weighted over the window", labels=["window"])
                meter_rates = metric.rates()
                for window, _minutes in Meter.WINDOWS:
                    rates.add_metric([window], meter_rates[window])
                yield rates
            elif isinstance(metric, Timer):
                snapshot = metric.snapshot()
                summary = Metric(prom, f"timer {name}", "summary")
                for key, q in Timer.PERCENTILES:
                    summary.add_sample(prom, {"quantile": repr(q)}, snapshot[key])
                summary.add_sample(f"{prom}_count", {}, metric.count)
                summary.add_sample(f"{prom}_sum", {}, metric.sum)
                yield summary
                yield GaugeMetricFamily(f"{prom}_min", f"smallest value of timer {name}",
                                        value=snapshot["min"])
                yield GaugeMetricFamily(f"{prom}_max", f"largest value of timer {name}",
                                        value=snapshot["max"])


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
