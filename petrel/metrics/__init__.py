"""The metrics registry shared by every Lua state of a process, and its reporters.

Reporters read the registry on their own schedule: :mod:`.log_reporter` (``metrics.log``),
:mod:`.graphite` (``metrics.graphite``) and :mod:`.prometheus` (``metrics.prometheus``).
"""

from .registry import Counter, Gauge, Meter, MetricsRegistry, Timer
from .report import Sample, samples
from .shared import new_registry

__all__ = ["Counter", "Gauge", "Meter", "MetricsRegistry", "Sample", "Timer", "new_registry", "samples"]
