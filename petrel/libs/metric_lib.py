"""``metric``: counters, meters and timers in the server's registry.

``m = metric()`` makes an unbound handle; ``m:register_counter(name)`` (or meter/timer) binds it to
the named metric, creating it if needed, and ``m:get_counter(name)`` binds to an existing one.
With several workers the registry is the cross-worker one (:mod:`petrel.metrics.shared`): totals,
rates and snapshots are those of the whole server.

The handle is Lua (``metric.lua``, the same on every engine): a handler makes one and binds it on
every request, and those crossed into Python twice before any counting was done (2 and 3 µs of
a getting-started request on LuaJIT). The functions here are what the Lua handle calls: ``bind``
once per metric and state, then the metric's own methods by its index. They are not fields of the
``metric`` table (the chunk returns none).
"""

from __future__ import annotations

import os
import time
from typing import Any

from .base import Library, LibraryContext

library = Library("metric", "counters, meters and timers shared by every state and every worker")
library.lua_chunk = os.path.join(os.path.dirname(__file__), "metric.lua")


class _Bound:
    """The metrics the states of one context have bound, by index: what the Lua handles hold."""

    def __init__(self, registry: Any) -> None:
        self.makers = {"register_counter": registry.counter, "get_counter": registry.get_counter,
                       "register_meter": registry.meter, "get_meter": registry.get_meter,
                       "register_timer": registry.timer, "get_timer": registry.get_timer}
        self.metrics: dict[int, Any] = {}   # (LuaJIT's numbers are floats: 1.0 finds 1)
        self.index: dict[tuple[str, str], int] = {}

    def bind(self, how: str, name: str) -> tuple:
        key = (how.removeprefix("register_").removeprefix("get_"), name)
        index = self.index.get(key)
        if index is not None:
            return (index,)
        try:
            metric = self.makers[how](name)
        except KeyError as exc:
            return (False, exc.args[0])
        index = self.index[key] = len(self.metrics)
        self.metrics[index] = metric
        return (index,)


def _metrics(ctx: LibraryContext) -> dict[int, Any]:
    # (an index exists only once bind has made the context's _Bound)
    return ctx.extra["metric"].metrics


def _bound(ctx: LibraryContext) -> _Bound:
    bound = ctx.extra.get("metric")
    if bound is None:
        bound = ctx.extra["metric"] = _Bound(ctx.metrics)
    return bound


@library.function
def bind(ctx: LibraryContext, name: str, how: str) -> tuple:
    """The index of the metric ``how`` ("register_counter", "get_meter", ...) binds ``name`` to,
    or (False, why not): the Lua handle raises it at the handler's line."""
    return _bound(ctx).bind(how, name)


@library.function
def increment(ctx: LibraryContext, n: int = 1, index: Any = 0) -> None:
    _metrics(ctx)[index].increment(n)


@library.function
def decrement(ctx: LibraryContext, n: int = 1, index: Any = 0) -> None:
    _metrics(ctx)[index].decrement(n)


@library.function
def total(ctx: LibraryContext, index: Any = 0) -> int:
    return _metrics(ctx)[index].total()


@library.function
def reset(ctx: LibraryContext, index: Any = 0) -> None:
    _metrics(ctx)[index].reset()


@library.function
def rates(ctx: LibraryContext, index: Any = 0) -> dict:
    return _metrics(ctx)[index].rates()


@library.function
def update(ctx: LibraryContext, value: float, index: Any = 0) -> None:
    _metrics(ctx)[index].update(value)


@library.function
def snapshot(ctx: LibraryContext, index: Any = 0) -> dict:
    return _metrics(ctx)[index].snapshot()


@library.function
def now() -> float:
    """The mark start_duration keeps (seconds of a monotonic clock)."""
    return time.monotonic()


@library.function
def update_since(ctx: LibraryContext, mark: float, index: Any = 0) -> tuple[float, float]:
    """Record the milliseconds since ``mark``; returns them and the new mark."""
    current = time.monotonic()
    elapsed = (current - mark) * 1000.0
    _metrics(ctx)[index].update(elapsed)
    return (elapsed, current)
