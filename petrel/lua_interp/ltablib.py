"""The table library (the ltablib of this interpreter)."""
from __future__ import annotations

import random as _random

from .lauxlib import (NOVALUE, arg_error, check_integer, needs_runtime, new_lib, opt_integer, opt_string,
                      type_error)
from .lobject import MAXINT, LuaError, LuaTable, tointeger, tostr_number, type_name, wrap
from .lvm import call, register_intrinsics


def _is_raw(t):
    return type(t) is LuaTable and t.meta is None


def _len(rt, t):
    if _is_raw(t):
        return t.length()
    n = rt.len(t)
    if type(n) is not int:
        n = tointeger(n)  # luaL_len: any value convertible to an integer
        if n is None:
            raise LuaError("object length is not an integer")
    return n


TAB_R, TAB_W, TAB_L = 1, 2, 4
TAB_RW = TAB_R | TAB_W


def checktab(rt, t, n, fname, what):
    """A table, or a value whose metatable has every metamethod 'what' needs (ltablib's checktab)."""
    if type(t) is LuaTable:
        return t
    mt = rt.getmeta(t)
    if mt is not None:
        h = mt.hash
        if ((not what & TAB_R or h.get("__index") is not None)
                and (not what & TAB_W or h.get("__newindex") is not None)
                and (not what & TAB_L or h.get("__len") is not None)):
            return t
    type_error(n, fname, "table", t)


def _check_tab(rt, t, n, fname):
    return checktab(rt, t, n, fname, TAB_RW | TAB_L)


def _seti_raw(t, i, v):
    h = t.hash
    if v is None:
        h.pop(i, None)
    else:
        if i not in h:
            t.keys = None
        h[i] = v


@needs_runtime
def tab_insert(rt, *args):
    if len(args) == 2:
        t, v = args
        if type(t) is LuaTable and t.meta is None and v is not None:
            h = t.hash
            n = len(h)
            if (n == 0 or n in h) and n + 1 not in h:
                h[n + 1] = v
                t.keys = None
                return ()
    t = checktab(rt, args[0] if args else NOVALUE, 1, "insert", TAB_RW | TAB_L)
    e = wrap(_len(rt, t) + 1)
    raw = _is_raw(t)
    if len(args) == 2:
        pos, v = e, args[1]
    elif len(args) == 3:
        pos = check_integer(args[1], 2, "insert")
        if not (pos - 1) & 0xFFFFFFFFFFFFFFFF < e & 0xFFFFFFFFFFFFFFFF:
            arg_error(2, "insert", "position out of bounds")
        v = args[2]
        if raw:
            h = t.hash
            for i in range(e, pos, -1):
                _seti_raw(t, i, h.get(i - 1))
        else:
            for i in range(e, pos, -1):
                rt.setindex(t, i, rt.index(t, i - 1))
    else:
        raise LuaError("wrong number of arguments to 'insert'")
    if raw:
        _seti_raw(t, pos, v)
    else:
        rt.setindex(t, pos, v)
    return ()


@needs_runtime
def tab_remove(rt, t=NOVALUE, pos=None, *_):
    t = checktab(rt, t, 1, "remove", TAB_RW | TAB_L)
    size = _len(rt, t)
    p = opt_integer(pos, 2, "remove", size)
    if p != size and not (p - 1) & 0xFFFFFFFFFFFFFFFF <= size & 0xFFFFFFFFFFFFFFFF:
        arg_error(2, "remove", "position out of bounds")
    if _is_raw(t):
        h = t.hash
        v = h.get(p)
        while p < size:
            _seti_raw(t, p, h.get(p + 1))
            p += 1
        h.pop(p, None)
        return (v,)
    v = rt.index(t, p)
    while p < size:
        rt.setindex(t, p, rt.index(t, p + 1))
        p += 1
    rt.setindex(t, p, None)
    return (v,)


_STR_ONLY = {str}


def _concat_part(v, k):
    """table.concat's string for the value at index k: a string, or a number converted."""
    tv = type(v)
    if tv is str:
        return v
    if tv is int or tv is float:
        return tostr_number(v)
    raise LuaError("invalid value (%s) at index %d in table for 'concat'" % (type_name(v), k))


@needs_runtime
def tab_concat(rt, t=NOVALUE, sep=None, i=None, j=None, *_):
    t = checktab(rt, t, 1, "concat", TAB_R | TAB_L)
    last = _len(rt, t)
    sep = opt_string(sep, 2, "concat", "")
    i = opt_integer(i, 3, "concat", 1)
    last = opt_integer(j, 4, "concat", last)
    every = rt.every
    if _is_raw(t) and last - i < len(t.hash):  # (more would hold a nil: the loop reports it)
        # the values read at once; strings only (the usual case) need no conversion
        parts = list(map(t.hash.get, range(i, last + 1)))
        if parts and set(map(type, parts)) != _STR_ONLY:
            parts = [_concat_part(v, k) for k, v in enumerate(parts, i)]
        for _ in range(len(parts) // every):  # the check-ins of the values' loop
            rt.tick()
    else:
        get = t.hash.get if _is_raw(t) else (lambda k: rt.index(t, k))
        parts = []
        for k in range(i, last + 1):
            parts.append(_concat_part(get(k), k))
            if len(parts) % every == 0:
                rt.tick()
    if len(parts) > 16 or len(sep) > 1024:
        total = sum(map(len, parts)) + len(sep) * max(0, len(parts) - 1)
        if total >= rt.mem_big:
            rt.account(total)   # before joining: the limit refuses a huge result unmade
    elif rt.mem_limit is not None:
        rt.account(sum(map(len, parts)) + len(sep) * len(parts))
    return (sep.join(parts),)


def tab_pack(*args):
    t = LuaTable(dict(zip(range(1, len(args) + 1), args)))
    if None in args:
        t.hash = {k: v for k, v in t.hash.items() if v is not None}
    t.hash["n"] = len(args)
    return (t,)


@needs_runtime
def tab_unpack(rt, t=None, i=None, j=None, *_):
    i = opt_integer(i, 2, "unpack", 1)
    j = check_integer(j, 3, "unpack") if j is not None else _len(rt, t)
    if i > j:
        return ()
    if j - i >= 0x7FFFFFFF or j - i >= 1000000:
        raise LuaError("too many results to unpack")
    if (j - i) * 8 >= rt.mem_big:
        rt.account((j - i + 1) * 8)
    if _is_raw(t):
        g = t.hash.get
        return tuple([g(k) for k in range(i, j + 1)])
    return tuple(rt.index(t, k) for k in range(i, j + 1))


RANLIMIT = 100


@needs_runtime
def tab_sort(rt, t=NOVALUE, comp=None, *_):
    t = checktab(rt, t, 1, "sort", TAB_RW | TAB_L)
    n = _len(rt, t)
    if n > 1:
        if n >= 0x7FFFFFFF:
            arg_error(1, "sort", "array too big")
        if comp is not None and not callable(comp):
            type_error(2, "sort", "function", comp)
        if _is_raw(t):
            h = t.hash

            def geti(i):
                return h.get(i)

            def seti(i, v):
                if v is None:
                    h.pop(i, None)
                else:
                    if i not in h:
                        t.keys = None
                    h[i] = v
        else:
            def geti(i):
                return rt.index(t, i)

            def seti(i, v):
                rt.setindex(t, i, v)
        if comp is None:
            lt = rt.lt
        else:
            def lt(a, b):
                r = call(comp, a, b)
                return bool(r) and r[0] is not None and r[0] is not False
        _auxsort(rt, geti, seti, lt, 1, n, 0)
    return ()


def _auxsort(rt, geti, seti, lt, lo, up, rnd):
    """ltablib.c's quicksort, step for step: the same comparisons in the same order, so a
    comparator that is not a strict order fails (or not) exactly as in Lua."""
    while lo < up:
        a_lo, a_up = geti(lo), geti(up)
        if lt(a_up, a_lo):
            seti(lo, a_up)
            seti(up, a_lo)
        if up - lo == 1:
            return
        if up - lo < RANLIMIT or rnd == 0:
            p = (lo + up) // 2
        else:
            r4 = (up - lo) // 4
            p = rnd % (r4 * 2) + (lo + r4)
        a_p, a_lo = geti(p), geti(lo)
        if lt(a_p, a_lo):
            seti(p, a_lo)
            seti(lo, a_p)
        else:
            a_up = geti(up)
            if lt(a_up, a_p):
                seti(p, a_up)
                seti(up, a_p)
        if up - lo == 2:
            return
        pivot = geti(p)
        seti(p, geti(up - 1))
        seti(up - 1, pivot)
        # partition: a[lo] <= P == a[up - 1] <= a[up]
        i, j = lo, up - 1
        while True:
            i += 1
            a_i = geti(i)
            while lt(a_i, pivot):
                if i == up - 1:
                    raise LuaError("invalid order function for sorting")
                i += 1
                a_i = geti(i)
            j -= 1
            a_j = geti(j)
            while lt(pivot, a_j):
                if j < i:
                    raise LuaError("invalid order function for sorting")
                j -= 1
                a_j = geti(j)
            if j < i:
                seti(up - 1, a_i)
                seti(i, pivot)
                break
            seti(i, a_j)
            seti(j, a_i)
        p = i
        if rt.interrupt is not None:
            rt.tick()
        if p - lo < up - p:
            _auxsort(rt, geti, seti, lt, lo, p - 1, rnd)
            n = p - lo
            lo = p + 1
        else:
            _auxsort(rt, geti, seti, lt, p + 1, up, rnd)
            n = up - p
            up = p - 1
        if (up - lo) // 128 > n:
            rnd = _random.getrandbits(32) or 1


@needs_runtime
def tab_move(rt, a1=NOVALUE, f=NOVALUE, e=NOVALUE, t=NOVALUE, a2=None, *_):
    f = check_integer(f, 2, "move")
    e = check_integer(e, 3, "move")
    t = check_integer(t, 4, "move")
    tt = 5 if a2 is not None else 1
    if a2 is None:
        a2 = a1
    checktab(rt, a1, 1, "move", TAB_R)
    checktab(rt, a2, tt, "move", TAB_W)
    if e >= f:
        if not (f > 0 or e < MAXINT + f):
            arg_error(3, "move", "too many elements to move")
        n = e - f + 1
        if not t <= MAXINT - n + 1:
            arg_error(4, "move", "destination wrap around")
        every = rt.every
        if t > e or t <= f or (tt != 1 and not rt.eq(a1, a2)):
            order = range(n)
        else:
            order = range(n - 1, -1, -1)
        # a huge range runs in segments with a check-in between (the interrupt can stop it)
        for start in range(0, n, every):
            for i in order[start:start + every]:
                rt.setindex(a2, t + i, rt.index(a1, f + i))
            rt.tick()
    return (a2,)


TABLE_FUNCS = {
    "concat": tab_concat,
    "insert": tab_insert,
    "move": tab_move,
    "pack": tab_pack,
    "remove": tab_remove,
    "sort": tab_sort,
    "unpack": tab_unpack,
}


def open_table(rt) -> LuaTable:
    register_intrinsics("table", TABLE_FUNCS)
    return new_lib(rt, TABLE_FUNCS, "table")
