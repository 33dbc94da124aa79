"""The table library (the ltablib of this interpreter)."""
from __future__ import annotations

import functools

from .lauxlib import arg_error, check_integer, check_table, needs_runtime, new_lib, opt_integer, type_error
from .lobject import LuaError, LuaTable, tostr_number, type_name
from .lvm import call


def _is_raw(t):
    return type(t) is LuaTable and t.meta is None


def _len(rt, t):
    if _is_raw(t):
        return t.length()
    n = rt.len(t)
    if type(n) is not int:
        raise LuaError("object length is not an integer")
    return n


def _check_tab(rt, t, n, fname):
    if type(t) is LuaTable:
        return t
    mt = rt.getmeta(t)
    if mt is not None and (mt.hash.get("__index") is not None or mt.hash.get("__newindex") is not None
                           or mt.hash.get("__len") is not None):
        return t
    type_error(n, fname, "table", t)


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
    t = _check_tab(rt, args[0] if args else None, 1, "insert")
    e = _len(rt, t) + 1
    raw = _is_raw(t)
    if len(args) == 2:
        pos, v = e, args[1]
    elif len(args) == 3:
        pos = check_integer(args[1], 2, "insert")
        if not 1 <= pos <= e:
            arg_error(2, "insert", "position out of bounds")
        v = args[2]
        if raw:
            h = t.hash
            for i in range(e, pos, -1):
                h[i] = h[i - 1]
            if e not in h:
                t.keys = None
        else:
            for i in range(e, pos, -1):
                rt.setindex(t, i, rt.index(t, i - 1))
    else:
        raise LuaError("wrong number of arguments to 'insert'")
    if raw and v is not None:
        h = t.hash
        if pos not in h:
            t.keys = None
        h[pos] = v
    else:
        rt.setindex(t, pos, v)
    return ()


@needs_runtime
def tab_remove(rt, t=None, pos=None, *_):
    t = _check_tab(rt, t, 1, "remove")
    size = _len(rt, t)
    p = opt_integer(pos, 2, "remove", size)
    if pos is not None and p != size and not 1 <= p <= size + 1:
        arg_error(2, "remove", "position out of bounds")
    if _is_raw(t):
        h = t.hash
        v = h.get(p)
        while p < size:
            nv = h.get(p + 1)
            if nv is None:
                h.pop(p, None)
            else:
                h[p] = nv
            p += 1
        h.pop(p, None)
        return (v,)
    v = rt.index(t, p)
    while p < size:
        rt.setindex(t, p, rt.index(t, p + 1))
        p += 1
    rt.setindex(t, p, None)
    return (v,)


@needs_runtime
def tab_concat(rt, t=None, sep=None, i=None, j=None, *_):
    t = _check_tab(rt, t, 1, "concat")
    if sep is None:
        sep = ""
    elif type(sep) is not str:
        if type(sep) in (int, float):
            sep = tostr_number(sep)
        else:
            type_error(2, "concat", "string", sep)
    i = opt_integer(i, 3, "concat", 1)
    j = opt_integer(j, 4, "concat", None) if j is not None else _len(rt, t)
    get = t.hash.get if _is_raw(t) else (lambda k: rt.index(t, k))
    parts = []
    for k in range(i, j + 1):
        v = get(k)
        tv = type(v)
        if tv is str:
            parts.append(v)
        elif tv is int or tv is float:
            parts.append(tostr_number(v))
        else:
            raise LuaError("invalid value (%s) at index %d in table for 'concat'" % (type_name(v), k))
    r = sep.join(parts)
    if len(r) >= 65536:
        rt.account(len(r))
    return (r,)


def tab_pack(*args):
    t = LuaTable(dict(zip(range(1, len(args) + 1), args)))
    if None in args:
        t.hash = {k: v for k, v in t.hash.items() if v is not None}
    t.hash["n"] = len(args)
    return (t,)


@needs_runtime
def tab_unpack(rt, t=None, i=None, j=None, *_):
    i = opt_integer(i, 2, "unpack", 1)
    j = opt_integer(j, 3, "unpack", None) if j is not None else _len(rt, t)
    if i > j:
        return ()
    if j - i >= 1000000:
        raise LuaError("too many results to unpack")
    if _is_raw(t):
        g = t.hash.get
        return tuple([g(k) for k in range(i, j + 1)])
    return tuple(rt.index(t, k) for k in range(i, j + 1))


@needs_runtime
def tab_sort(rt, t=None, comp=None, *_):
    t = _check_tab(rt, t, 1, "sort")
    n = _len(rt, t)
    if n <= 1:
        return ()
    raw = _is_raw(t)
    vals = t.array(n) if raw else [rt.index(t, k) for k in range(1, n + 1)]
    if comp is not None:
        if not callable(comp):
            type_error(2, "sort", "function", comp)

        def cmp(a, b):
            r = call(comp, a, b)
            if r and r[0] is not None and r[0] is not False:
                return -1
            r = call(comp, b, a)
            if r and r[0] is not None and r[0] is not False:
                return 1
            return 0
    else:
        lt = rt.lt

        def cmp(a, b):
            if lt(a, b):
                return -1
            if lt(b, a):
                return 1
            return 0
    vals.sort(key=functools.cmp_to_key(cmp))
    if raw:
        h = t.hash
        for k, v in enumerate(vals, 1):
            h[k] = v
    else:
        for k, v in enumerate(vals, 1):
            rt.setindex(t, k, v)
    return ()


@needs_runtime
def tab_move(rt, a1=None, f=None, e=None, t=None, a2=None, *_):
    if a2 is None:
        a2 = a1
    _check_tab(rt, a1, 1, "move")
    _check_tab(rt, a2, 5, "move")
    f = check_integer(f, 2, "move")
    e = check_integer(e, 3, "move")
    t = check_integer(t, 4, "move")
    if e >= f:
        if not (f > 0 or e < 0x7FFFFFFFFFFFFFFF + f):
            arg_error(3, "move", "too many elements to move")
        if t > e or t <= f or a1 is not a2:
            for i in range(0, e - f + 1):
                rt.setindex(a2, t + i, rt.index(a1, f + i))
        else:
            for i in range(e - f, -1, -1):
                rt.setindex(a2, t + i, rt.index(a1, f + i))
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
    return new_lib(rt, TABLE_FUNCS, "table")
