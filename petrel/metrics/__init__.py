"""The metrics registry shared by every Lua state of a process, and its reporters."""

from .registry import Counter, Meter, MetricsRegistry, Timer

__all__ = ["Counter", "Meter", "MetricsRegistry", "Timer"]
