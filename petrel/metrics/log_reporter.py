"""``metrics.log=N``: a readable summary of every metric in the log every N seconds.

One line per metric, so a metric is found with grep::

    metrics | info | req_counter: counter 42
    metrics | info | server.requests: meter count=120 m1=1.98/s m5=0.41/s m15=0.14/s h1=0.04/s
    metrics | info | server.request_duration: timer count=120 min=0.4 max=12.1 mean=1.2 p50=0.9 ...
"""

from __future__ import annotations

import logging

import anyio

from .registry import MetricsRegistry
from .report import Sample, format_value, samples

log = logging.getLogger("petrel.metrics")


def summary_lines(registry: MetricsRegistry) -> list[str]:
    lines: list[str] = []
    grouped: dict[str, list[Sample]] = {}
    for sample in samples(registry):
        grouped.setdefault(sample.metric, []).append(sample)
    for name, group in grouped.items():
        kind = group[0].kind
        if kind in ("counter", "gauge"):
            lines.append(f"{name}: {kind} {format_value(group[0].value)}")
        elif kind == "meter":
            parts = [f"count={format_value(group[0].value)}"]
            parts += [f"{s.field}={s.value:.2f}/s" for s in group[1:]]
            lines.append(f"{name}: meter " + " ".join(parts))
        else:
            lines.append(f"{name}: timer " + " ".join(
                f"{s.field}={format_value(round(s.value, 3))}" for s in group))
    return lines


async def run_log_reporter(registry: MetricsRegistry, interval: float) -> None:
    """Log the summary every ``interval`` seconds until cancelled."""
    while True:
        await anyio.sleep(interval)
        if not registry.holds_report_turn():
            continue   # another worker logs the whole server's metrics
        lines = summary_lines(registry)
        if not lines:
            log.info("no metrics yet")
        for line in lines:
            log.info("%s", line)
