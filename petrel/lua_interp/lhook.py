"""debug.sethook: call, return, line and count hooks, on Python's tracing.

Nothing of this runs until a hook is set: then the thread running that Lua coroutine (or the
main one) gets a ``sys.settrace`` function that turns the events of Lua functions and of
library functions into Lua's (a "line" event when a Lua function reaches a new line of its
chunk, "count" every N Python instructions, "call" and "return" for Lua and library
functions) and calls the hook with them.  As in Lua, a hook does not fire inside a hook.
"""
from __future__ import annotations

import sys
import threading

from .ldebug import LIB_CODES, _info, at_tail_call, is_block_frame
from .lvm import call

_local = threading.local()


class HookSpec:
    __slots__ = ("fn", "mask", "count", "left")

    def __init__(self, fn, mask, count):
        self.fn = fn
        self.mask = mask
        self.count = count
        self.left = count


def _relevant(frame):
    code = frame.f_code
    if code in LIB_CODES:
        return "C"
    info = _info(frame)
    if info is not None and not is_block_frame(frame):
        return info
    return None


def _is_tick(info, pyline) -> bool:
    """The interrupt check a function or loop starts with: no Lua instruction of its own."""
    try:
        return info.source_lines[pyline - 1].lstrip().startswith("if not (tick := tick - 1)")
    except IndexError:
        return False


def _make_tracer(spec: HookSpec):
    """The global trace function for spec, and the way to trace a frame already running."""
    want_call = "c" in spec.mask
    want_ret = "r" in spec.mask
    want_line = "l" in spec.mask
    count = spec.count

    def local_for(frame, info):
        last = [0]

        def local_trace(frame, event, arg):
            if event == "line":
                if info is not None and want_line:
                    pyline = frame.f_lineno
                    line = info.lua_line(pyline)
                    if line and line != last[0] and not _is_tick(info, pyline):
                        last[0] = line
                        call(spec.fn, "line", line)
            elif event == "opcode":
                spec.left -= 1
                if spec.left <= 0:
                    spec.left = count
                    call(spec.fn, "count")
            elif event == "return":
                if want_ret and not (info is not None and at_tail_call(frame)):
                    call(spec.fn, "return")
            return local_trace
        return local_trace

    def global_trace(frame, event, arg):
        if event != "call":
            return None
        what = _relevant(frame)
        if what is None:
            return None
        if count:
            frame.f_trace_opcodes = True
        if want_call:
            back = frame.f_back
            call(spec.fn, "tail call" if back is not None and at_tail_call(back) else "call")
        info = what if what != "C" else None
        if info is None and not want_ret and not count:
            return None
        return local_for(frame, info)

    return global_trace, local_for


def current() -> HookSpec | None:
    return getattr(_local, "spec", None)


def install(spec: HookSpec | None, start_frame=None):
    """Set (or with None remove) the hook of the calling thread, including its running frames."""
    _local.spec = spec
    if spec is None:
        sys.settrace(None)
        f = start_frame
        while f is not None:
            if f.f_trace is not None:
                f.f_trace = None
            f = f.f_back
        return
    global_trace, local_for = _make_tracer(spec)
    sys.settrace(global_trace)
    f = start_frame
    want_ret = "r" in spec.mask
    while f is not None:
        what = _relevant(f)
        if what == "C":
            if want_ret:   # a library function running (sethook itself) gets its return event
                f.f_trace = local_for(f, None)
        elif what is not None:
            if spec.count:
                f.f_trace_opcodes = True
            f.f_trace = local_for(f, what)
        f = f.f_back
