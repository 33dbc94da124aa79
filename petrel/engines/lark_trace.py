"""``lua.trace`` (``--trace``) on the lark engine: every line of the service's Lua code that runs is
logged, with the locals it changed::

    trace handlers/sum.lua:3  total=0
    trace handlers/sum.lua:4  i=1
    trace handlers/sum.lua:5  total=1
    trace handlers/sum.lua:4  i=2

A line is logged once it has run (so the values are those it left), under the logger
``petrel.lua.trace`` at info. lark compiles Lua to Python, so the tracer is Python's own line
tracing, installed only in the worker thread that runs a request's Lua and only while it runs: the
sandbox's code and every other thread run untraced, and with the option off nothing is installed.
A Lua local ``x`` is the Python local ``x_<n>`` of the compiled code (see lcode.Scope); the
compiler's temporaries have no such name and are not shown.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, Callable

from ..lua_interp import LuaTable

log = logging.getLogger("petrel.lua.trace")
_LUA_LOCAL = re.compile(r"([A-Za-z][A-Za-z0-9_]*)_[0-9]+\Z")
MAX_VALUE_CHARS = 80
MAX_TABLE_FIELDS = 5
_SKIPPED_CHUNKS = ("petrel ",)   # the sandbox, the pattern matcher


class LineTracer:
    """Runs a call with line tracing; one per engine, state-free between calls."""

    def __init__(self, logger: logging.Logger = log) -> None:
        self.log = logger

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in this thread, its Lua lines traced."""
        frames: dict[Any, tuple[int, dict[str, Any], Any]] = {}

        def flush(frame: Any) -> None:
            entry = frames.pop(frame, None)
            if entry is not None:
                self._report(entry[2], entry[0], entry[1], _lua_locals(frame))

        def local_trace(frame: Any, event: str, _arg: Any) -> Any:
            info = frame.f_globals.get("__luachunk__")
            if event == "line":
                line = info.lua_line(frame.f_lineno)
                entry = frames.get(frame)
                if entry is None:
                    frames[frame] = (line, _lua_locals(frame), info)
                elif entry[0] != line:
                    now = _lua_locals(frame)
                    self._report(info, entry[0], entry[1], now)
                    frames[frame] = (line, now, info)
            elif event == "return":
                flush(frame)
            return local_trace

        def global_trace(frame: Any, event: str, _arg: Any) -> Any:
            if event != "call":
                return None
            info = frame.f_globals.get("__luachunk__")
            if info is None or info.short_src.startswith(_SKIPPED_CHUNKS):
                return None
            return local_trace

        previous = sys.gettrace()
        sys.settrace(global_trace)
        try:
            return function(*args)
        finally:
            sys.settrace(previous)
            for frame in list(frames):
                flush(frame)

    def _report(self, info: Any, line: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        if line <= 0:
            return
        changed = [f"{name}={_show(value)}" for name, value in after.items()
                   if name not in before or before[name] is not value]
        self.log.info("trace %s:%d%s", info.short_src, line, "  " + " ".join(changed) if changed else "")


def _lua_locals(frame: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pyname, value in frame.f_locals.items():
        match = _LUA_LOCAL.match(pyname)
        if match:
            found[match.group(1)] = value
    return found


def _show(value: Any, nested: bool = False) -> str:
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        text = "%.14g" % value
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, (str, bytes)):
        text = value.encode("latin-1", "replace").decode("utf-8", "replace") if isinstance(value, str) \
            else value.decode("utf-8", "replace")
        shown = repr(text)
        return shown if len(shown) <= MAX_VALUE_CHARS else shown[:MAX_VALUE_CHARS - 4] + "...'"
    if isinstance(value, LuaTable):
        if nested:
            return "{...}"
        items = []
        for index, (key, item) in enumerate(value.items()):
            if index == MAX_TABLE_FIELDS:
                items.append("...")
                break
            key_text = key.encode("latin-1", "replace").decode("utf-8", "replace") if isinstance(key, str) \
                else "[" + _show(key, True) + "]"
            items.append(f"{key_text}={_show(item, True)}")
        return "{" + ", ".join(items) + "}"
    if callable(value):
        return "function"
    return type(value).__name__
