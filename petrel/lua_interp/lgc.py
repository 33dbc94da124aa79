"""Weak tables on top of Python's reference counting (what lgc.c's weak tables do for Lua).

Python frees an object when its last reference goes, and a weak table's own references are
ordinary ones; so a table whose metatable has ``__mode`` is registered here, and a sweep
drops each entry whose weak key or weak value nothing but this table refers to (counted with
``sys.getrefcount``).  An object kept alive only by a cycle through the weak table itself is
not seen as garbage.  Sweeps run at ``collectgarbage()`` and from the runtime's periodic
tick, at a rate that keeps their cost a small fraction of the running code's.

The registry is per thread (each Lua state runs on one thread at a time), so a sweep never
touches a table another thread is using.

Finalizers (``__gc``, Lua 5.4 manual 2.5.3): a table given a metatable with a ``__gc`` field is
marked for finalization: its ``fin`` slot holds a ``Finalizer`` that refers back to it.  The two
make a cycle, so the table is never freed by reference counting: Python's cycle collector finds
it garbage, and the Finalizer's ``__del__`` (PEP 442) then queues the table on its state's
``gc_pending`` list, which resurrects it with all it refers to.  The state calls the queued
tables' ``__gc`` at ``collectgarbage()`` and from its periodic tick (while the collector is not
stopped), in the reverse order of their marking; after that a table is an ordinary one, freed
when nothing refers to it, unless its finalizer marked it again (``setmetatable``).  An error
in a finalizer is a warning.  When the lua command's state closes, the finalizers of all the
tables still marked run.  A compiler temporary of a running function (the value of an
expression already evaluated, which Lua would keep in a register about to be reused) keeps
its object alive until the function returns or reuses it, so such an object is finalized
later than Lua would.
"""
from __future__ import annotations

import gc
import sys
import threading
import weakref

from .lobject import LuaError, LuaTable

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


class Finalizer:
    """The mark of a table for finalization, in a cycle with it (see the module's text)."""

    __slots__ = ("table", "pending", "seq", "__weakref__")

    def __init__(self, table, pending, seq):
        self.table = table
        self.pending = pending
        self.seq = seq

    def __del__(self):
        t = self.table
        self.table = None
        if t is None:
            return
        try:
            if t.fin is self:
                t.fin = None
                self.pending.append((self.seq, t))
        except AttributeError:   # the table's slots are being cleared (at exit)
            pass


class _FinState:
    __slots__ = ("seq", "marked", "running", "closing")

    def __init__(self):
        self.seq = 0
        self.marked = weakref.WeakValueDictionary()   # seq -> Finalizer of a table not yet queued
        self.running = False    # a finalizer is running: collectgarbage does nothing
        self.closing = False    # the state is closing: no more marks


def _fin_state(rt) -> _FinState:
    st = rt.__dict__.get("gc_fin")
    if st is None:
        st = rt.gc_fin = _FinState()
    return st


def check_finalizer(rt, t: LuaTable, mt):
    """luaC_checkfinalizer: setmetatable(t, mt) marks t when mt has a __gc field."""
    if rt is None or mt is None or mt.hash.get("__gc") is None:
        return
    try:
        if t.fin is not None:
            return      # marked already
    except AttributeError:
        pass
    st = _fin_state(rt)
    if st.closing:
        return
    st.seq += 1
    f = t.fin = Finalizer(t, rt.gc_pending, st.seq)
    st.marked[st.seq] = f


def caller_runtime(frame):
    """The Runtime of the nearest Lua function at or above frame (every compiled function refers
    to its state's as RT), or None."""
    f = frame
    while f is not None:
        if "__luachunk__" in f.f_globals and "RT" in f.f_code.co_freevars + f.f_code.co_varnames:
            snapshot = f.f_locals
            rt = snapshot.get("RT")
            snapshot.clear()   # the frame's cached copy of its variables would keep them alive
            if rt is not None:
                return rt
        f = f.f_back
    return None


def in_finalizer(rt) -> bool:
    st = rt.__dict__.get("gc_fin")
    return st is not None and st.running


def run_finalizers(rt):
    """Call the __gc of the tables the collector found garbage, last marked first."""
    pending = rt.gc_pending
    st = _fin_state(rt)
    if st.running:
        return
    while pending:
        batch = sorted(pending, key=_seq, reverse=True)
        del pending[:len(batch)]
        while batch:
            _call_gc(rt, st, batch.pop(0)[1])


def _seq(entry):
    return entry[0]


def _call_gc(rt, st, t):
    from .lvm import call, error_value
    mt = t.meta
    h = mt.hash.get("__gc") if mt is not None else None
    if h is None:
        return
    st.running = True
    try:
        call(h, t)
    except Exception as e:  # noqa: BLE001 - an error in a finalizer is a warning (luaE_warnerror)
        if isinstance(e, LuaError) and not e.catchable:
            raise
        v = error_value(e)
        warning(rt, "error in __gc (%s)" % (v if type(v) is str else "error object is not a string"))
    finally:
        st.running = False


def close_state(rt):
    """lua_close: the finalizers of every table still marked, last marked first."""
    st = _fin_state(rt)
    st.closing = True
    left = [(seq, f.table) for seq, f in list(st.marked.items()) if f.table is not None]
    for _, t in left:
        t.fin = None
    rt.gc_pending.extend(left)
    run_finalizers(rt)


def warning(rt, msg: str, tocont: bool = False):
    """lua_warning with lauxlib's warning function: off until "@on"; a message is written
    to standard error as "Lua warning: ..." once its last piece has come."""
    mode = rt.__dict__.get("warn_mode", "off")
    if mode != "cont" and not tocont and msg[:1] == "@":   # a control message
        if msg == "@on":
            rt.warn_mode = "on"
        elif msg == "@off":
            rt.warn_mode = "off"
        return
    if mode == "off":
        return
    out = sys.stderr
    if mode == "on":
        out.write("Lua warning: ")
    out.write(msg)
    if tocont:
        rt.warn_mode = "cont"
    else:
        out.write("\n")
        rt.warn_mode = "on"
    out.flush()

