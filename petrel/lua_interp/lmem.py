"""Memory accounting for a state's limit (``State.set_memory_limit``).

Python frees objects by reference counting, out of the interpreter's sight, so the state
cannot keep an exact running total of what it holds.  Instead it keeps an estimate made of
two parts:

* ``held``: the size of everything the state can reach, found by *measuring*: a walk from
  the globals, the string metatable and the locals of the running Lua frames (and of the
  library functions they called) through tables, metatables, Lua closures' upvalues, tuples
  and lists, adding up ``sys.getsizeof`` of tables' dicts and the length of strings.
* ``alloc``: bytes allocated since that measurement, counted at the places that can make a
  big object (``Runtime.account``: string.rep, .., table.concat, string.format, gsub,
  table constructors and table.move/unpack ranges) -- *before* they allocate, so one huge
  request is refused without being attempted -- plus a per-check-in allowance for the small
  objects inline code makes.

When ``held + alloc`` would pass the limit the state measures again (frees are only seen
then); if it is still over, ``LuaMemoryError`` ("not enough memory") is raised, which no
pcall can catch.  Measurements are also scheduled at check-ins: the interval (in check-ins)
starts short, at most doubles each time, shrinks when the observed growth per check-in would
use half the remaining room before the next one, and is stretched so that walking a big heap
takes at most a fifth of the run time.  With no limit set none of this runs: a check-in
costs one extra attribute test, and the big-allocation sites the test they already had.
"""
from __future__ import annotations

import sys
from types import FunctionType

from .lobject import LuaTable

_getsizeof = sys.getsizeof
STR_OVERHEAD = 49          # a compact latin-1 str's header
TABLE_OVERHEAD = 72        # a LuaTable with its slots
FUNCTION_OVERHEAD = 160    # a function object and its closure tuple
_PKG = __name__.rsplit(".", 1)[0]


def _frames_roots(frame):
    """Locals of the Lua frames on the current thread's stack (and of this package's library
    frames between them, which may hold lists they are building)."""
    out = []
    while frame is not None:
        g = frame.f_globals
        if "__luachunk__" in g or str(g.get("__name__", "")).startswith(_PKG):
            try:
                out.extend(frame.f_locals.values())
            except Exception:  # pragma: no cover - a frame being torn down
                pass
        frame = frame.f_back
    return out


def measure(roots) -> int:
    """Approximate bytes reachable from ``roots`` through Lua values."""
    seen = set()
    add = seen.add
    stack = list(roots)
    pop, push, extend = stack.pop, stack.append, stack.extend
    total = 0
    while stack:
        o = pop()
        t = type(o)
        if t is str:
            n = len(o)
            if n >= 256:
                i = id(o)
                if i in seen:
                    continue
                add(i)
            total += STR_OVERHEAD + n
        elif t is LuaTable:
            i = id(o)
            if i in seen:
                continue
            add(i)
            h = o.hash
            total += TABLE_OVERHEAD + _getsizeof(h)
            if o.keys is not None:
                total += _getsizeof(o.keys)
            for k, v in h.items():
                tk, tv = type(k), type(v)
                if tk is str or tk is LuaTable or tk is FunctionType:
                    push(k)
                if tv is str or tv is LuaTable or tv is FunctionType or tv is tuple:
                    push(v)
            if o.meta is not None:
                push(o.meta)
        elif t is FunctionType:
            i = id(o)
            if i in seen:
                continue
            add(i)
            total += FUNCTION_OVERHEAD
            if "__luachunk__" in o.__globals__ and o.__closure__:
                for cell in o.__closure__:
                    try:
                        push(cell.cell_contents)
                    except ValueError:  # an empty cell
                        pass
        elif t is tuple or t is list:
            i = id(o)
            if i in seen:
                continue
            add(i)
            total += _getsizeof(o)
            extend(o)
    return total


def state_roots(rt, frame):
    roots = _frames_roots(frame)
    st = rt.state
    if st is not None:
        roots.append(st.globals)
    if rt.string_meta is not None:
        roots.append(rt.string_meta)
    roots.extend(rt.mem_roots)
    return roots
