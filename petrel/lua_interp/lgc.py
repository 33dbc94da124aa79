"""Weak tables on top of Python's reference counting (what lgc.c's weak tables do for Lua).

Python frees an object when its last reference goes, and a weak table's own references are
ordinary ones; so a table whose metatable has ``__mode`` is registered here, and a sweep
drops each entry whose weak key or weak value nothing but this table refers to (counted with
``sys.getrefcount``).  An object kept alive only by a cycle through the weak table itself is
not seen as garbage.  Sweeps run at ``collectgarbage()`` and from the runtime's periodic
tick, at a rate that keeps their cost a small fraction of the running code's.

The registry is per thread (each Lua state runs on one thread at a time), so a sweep never
touches a table another thread is using.
"""
from __future__ import annotations

import gc
import sys
import threading
import weakref

from .lobject import LuaTable

_local = threading.local()
_PLAIN = (str, int, float, bool, type(None))


def register(t: LuaTable):
    reg = getattr(_local, "tables", None)
    if reg is None:
        reg = _local.tables = weakref.WeakSet()
        _local.skip = 0
    reg.add(t)


def _collectable(v) -> bool:
    return type(v) not in _PLAIN


def sweep_table(t: LuaTable) -> int:
    """Drop the dead entries of weak table t; returns the entries examined (-1: not weak)."""
    mt = t.meta
    mode = mt.hash.get("__mode") if mt is not None else None
    if type(mode) is not str:
        return -1
    weak_k, weak_v = "k" in mode, "v" in mode
    if not (weak_k or weak_v):
        return -1
    h = t.hash
    t.keys = None           # the key-order cache of next() would count as a reference
    getrc = sys.getrefcount
    dead = []
    keys = list(h)
    for k in keys:
        v = h.get(k)
        if v is None:
            continue
        # references while looking: the dict's slot, `keys`, the loop variable, the argument
        if weak_k and _collectable(k) and k is not v and getrc(k) - temps.get(id(k), 0) <= 4:
            dead.append(k)
        # the dict's slot, the variable v, the argument
        elif weak_v and _collectable(v) and k is not v and getrc(v) - temps.get(id(v), 0) <= 3:
            dead.append(k)
        v = None
    for k in dead:
        h.pop(k, None)
    return len(keys)


def _is_temp(name: str) -> bool:
    """A compiler temporary (_12, _c3) or the name a nested def binds (F4): it holds the value
    of an expression already evaluated, which Lua would keep in a register about to be
    reused; it does not keep a value alive."""
    c = name[:1]
    if c == "_":
        return name[1:].isdigit() or name[1:2] == "c" and name[2:].isdigit()
    return c == "F" and name[1:].isdigit()


def _temporaries() -> dict:
    """id(value) -> references to it from the temporaries of this thread's running Lua code."""
    counts: dict = {}
    f = sys._getframe(2)
    while f is not None:
        if "__luachunk__" in f.f_globals:
            snapshot = f.f_locals
            for name, v in snapshot.items():
                if _is_temp(name) and _collectable(v):
                    counts[id(v)] = counts.get(id(v), 0) + 1
            snapshot.clear()  # a cache of the frame's variables: it would hold them too
        f = f.f_back
    return counts


temps: dict = {}


def sweep() -> int:
    global temps
    reg = getattr(_local, "tables", None)
    if not reg:
        return 0
    examined = 0
    temps = _temporaries()
    try:
        for t in list(reg):
            n = sweep_table(t)
            if n < 0:
                reg.discard(t)
            else:
                examined += n
    finally:
        temps = {}
    return examined


def tick():
    """From the runtime's periodic tick: sweep now and then, less often the more there is."""
    reg = getattr(_local, "tables", None)
    if not reg:
        return
    if _local.skip > 0:
        _local.skip -= 1
        return
    _local.skip = sweep() // 10


def full_collect():
    """collectgarbage("collect"): Python's cycle collector, then the weak tables."""
    gc.collect()
    sweep()

