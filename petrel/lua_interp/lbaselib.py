"""The basic library (the lbaselib of this interpreter)."""
from __future__ import annotations

import functools
import sys

from .lauxlib import (NOVALUE, arg_error, check_integer, check_table, needs_runtime, new_lib, opt_integer,
                      type_error, typename_for_error)
from .ldebug import AUXLIB_CODES, HANDLED_ERRORS, lib_function, where_level
from .lobject import LuaError, LuaTable, TailCall, str2number, tostr_number, type_name, wrap
from . import lgc
from .lvm import FAST_ITERATORS, Runtime, call, error_value, register_intrinsics

AUXLIB_CODES.add(Runtime.tostring.__code__)  # luaL_tolstring's "'__tostring' must return a string"


@needs_runtime
def luaB_print(rt, *args):
    out = "\t".join([rt.tostring(a) for a in args]) + "\n"
    rt.write(out)
    return ()


def luaB_type(*args):
    if not args:
        arg_error(1, "type", "value expected")
    return (type_name(args[0]),)


@needs_runtime
def luaB_tostring(rt, *args):
    if not args:
        arg_error(1, "tostring", "value expected")
    return (rt.tostring(args[0]),)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def luaB_tonumber(v=NOVALUE, base=None, *rest):
    if base is None:
        t = type(v)
        if t is int or t is float:
            return (v,)
        if t is str:
            return (str2number(v),)
        if v is NOVALUE:
            arg_error(1, "tonumber", "value expected")
        return (None,)
    b = check_integer(base, 2, "tonumber")
    if type(v) is not str:
        type_error(1, "tonumber", "string", v)
    if not 2 <= b <= 36:
        arg_error(2, "tonumber", "base out of range")
    return (_str2int(v, b),)


def _str2int(s, base):
    """lbaselib.c's l_str2int: optional spaces and sign, alphanumeric digits below base."""
    i, n = 0, len(s)
    while i < n and s[i] in " \t\n\v\f\r":
        i += 1
    neg = False
    if i < n and s[i] in "+-":
        neg = s[i] == "-"
        i += 1
    if i >= n or not s[i].isascii() or not s[i].isalnum():
        return None
    acc = 0
    while i < n and s[i].isascii() and s[i].isalnum():
        d = _DIGITS.find(s[i].lower())
        if d >= base:
            return None
        acc = (acc * base + d) & 0xFFFFFFFFFFFFFFFF
        i += 1
    while i < n and s[i] in " \t\n\v\f\r":
        i += 1
    if i != n:
        return None
    return wrap(-acc if neg else acc)


@needs_runtime
def luaB_ipairs(rt, *args):
    if not args:
        arg_error(1, "ipairs", "value expected")
    t = args[0]
    if type(t) is LuaTable and t.meta is None:
        return (ipairs_aux, t, 0)
    return (functools.partial(_ipairs_aux_rt, rt), t, 0)


@needs_runtime
def _ipairs_aux_rt(rt, t, i):
    i += 1
    if i > 0x7FFFFFFFFFFFFFFF:  # integer arithmetic wraps around
        i = -0x8000000000000000
    v = rt.index(t, i) if type(t) is not LuaTable or t.meta is not None else t.hash.get(i)
    if v is None:
        return (None,)
    return (i, v)


def ipairs_aux(t=None, i=0, *_):
    i += 1
    if i > 0x7FFFFFFFFFFFFFFF:  # integer arithmetic wraps around
        i = -0x8000000000000000
    v = t.hash.get(i) if type(t) is LuaTable else None
    if v is None:
        return (None,)
    return (i, v)


def luaB_next(t=NOVALUE, k=None, *_):
    check_table(t, 1, "next")
    r = t.next(k)
    if r is None:
        return (None,)
    return r


@needs_runtime
def luaB_pairs(rt, *args):
    if not args:
        arg_error(1, "pairs", "value expected")
    t = args[0]
    h = rt.metamethod(t, "__pairs")
    if h is not None:
        r = call(h, t)
        return (tuple(r) + (None, None, None))[:3]
    check_table(t, 1, "pairs")
    return (luaB_next, t, None)


lib_function(ipairs_aux)
lib_function(_ipairs_aux_rt)


def _pairs_fast(rt, t, ctl, n):
    if type(t) is not LuaTable or ctl is not None:
        return None
    return _iter_table(rt, t, n)


def _iter_table(rt, t, n):
    h = t.hash
    every = rt.every
    k = 0
    from .lobject import BoolKey
    for key in list(h):
        v = h.get(key)
        if v is None:
            continue
        if type(key) is BoolKey:
            key = key.value
        if n == 2:
            yield (key, v)
        elif n == 1:
            yield key
        else:
            yield (key, v) + (None,) * (n - 2)
        k += 1
        if k >= every:
            k = 0
            rt.tick()


def _ipairs_fast(rt, t, ctl, n):
    if type(t) is not LuaTable or t.meta is not None or type(ctl) is not int:
        return None
    return _iter_array(rt, t, ctl, n)


def _iter_array(rt, t, i, n):
    get = t.hash.get
    every = rt.every
    k = 0
    while True:
        i += 1
        v = get(i)
        if v is None:
            return
        if n == 2:
            yield (i, v)
        elif n == 1:
            yield i
        else:
            yield (i, v) + (None,) * (n - 2)
        k += 1
        if k >= every:
            k = 0
            rt.tick()


FAST_ITERATORS[luaB_next] = _pairs_fast
FAST_ITERATORS[ipairs_aux] = _ipairs_fast


def luaB_rawget(t=NOVALUE, k=None, *_):
    check_table(t, 1, "rawget")
    return (t.rawget(k),)


def luaB_rawset(t=NOVALUE, k=None, v=None, *_):
    check_table(t, 1, "rawset")
    t.rawset(k, v)
    return (t,)


def luaB_rawequal(a=NOVALUE, b=NOVALUE, *_):
    if a is NOVALUE:
        arg_error(1, "rawequal", "value expected")
    if b is NOVALUE:
        arg_error(2, "rawequal", "value expected")
    if a is b:
        return (True,)
    ta, tb = type(a), type(b)
    if (ta in (int, float) and tb in (int, float)) or (ta is tb and ta is not LuaTable):
        return (a == b,)
    return (False,)


def luaB_rawlen(v=NOVALUE, *_):
    if type(v) is LuaTable:
        return (v.length(),)
    if type(v) is str:
        return (len(v),)
    type_error(1, "rawlen", "table or string", v)


def luaB_setmetatable(*args):
    t = args[0] if args else None
    mt = args[1] if len(args) > 1 else None
    if type(t) is not LuaTable:
        type_error(1, "setmetatable", "table", t if args else _novalue())
    if len(args) < 2 or (mt is not None and type(mt) is not LuaTable):
        type_error(2, "setmetatable", "nil or table", mt if len(args) > 1 else _novalue())
    if t.meta is not None and t.meta.hash.get("__metatable") is not None:
        raise LuaError("cannot change a protected metatable")
    t.meta = mt
    if mt is not None:
        h = mt.hash
        if "__mode" in h:
            lgc.register(t)
        if "__gc" in h:
            lgc.check_finalizer(lgc.caller_runtime(sys._getframe(1)), t, mt)
    return (t,)


def _novalue():
    from .lauxlib import NOVALUE
    return NOVALUE


@needs_runtime
def luaB_getmetatable(rt, v=NOVALUE, *_):
    if v is NOVALUE:
        arg_error(1, "getmetatable", "value expected")
    mt = rt.getmeta(v)
    if mt is None:
        return (None,)
    protected = mt.hash.get("__metatable")
    if protected is not None:
        return (protected,)
    return (mt,)


def luaB_assert(*args):
    if not args:
        arg_error(1, "assert", "value expected")
    v = args[0]
    if v is None or v is False:
        # luaB_assert hands its message to 'error' at level 1: strings get the caller's position
        msg = args[1] if len(args) > 1 else "assertion failed!"
        if type(msg) is str:
            msg = where_level(sys._getframe(1), 1) + msg
        raise LuaError(msg, level=0)
    return args


def luaB_error(msg=None, level=None, *_):
    lvl = 1 if level is None else check_integer(level, 2, "error")
    if type(msg) is str and lvl > 0:
        msg = where_level(sys._getframe(1), lvl) + msg
    raise LuaError(msg, level=0)


def luaB_pcall(*args):
    if not args:
        arg_error(1, "pcall", "value expected")
    try:
        r = call(*args)
    except Exception as e:  # every failure inside but a LuaInterrupt becomes (false, error value)
        if isinstance(e, LuaError) and not e.catchable:
            raise
        return (False, error_value(e))
    return (True,) + tuple(r)


def luaB_xpcall(f=NOVALUE, handler=NOVALUE, *args):
    if not callable(handler) or type(handler) is LuaTable:
        type_error(2, "xpcall", "function", handler)
    try:
        r = call(f, *args)
    except Exception as e:
        if isinstance(e, LuaError) and not e.catchable:
            raise
        v = error_value(e)
        # Lua runs the handler on top of the failed call's frames: the debug library sees
        # them above this frame while the handler runs
        me = sys._getframe()
        raised = HANDLED_ERRORS[me] = [_raise_frame(e)]
        try:
            # an error inside the handler is handled by the handler again, until Lua's C stack
            # limit turns it into "error in error handling"
            for _ in range(XPCALL_HANDLER_DEPTH):
                try:
                    hr = call(handler, v)
                except RecursionError:
                    break
                except Exception as e2:
                    if isinstance(e2, LuaError) and not e2.catchable:
                        raise
                    v = error_value(e2)
                    raised.append(_raise_frame(e2))
                    continue
                return (False,) + tuple(hr)
        finally:
            del HANDLED_ERRORS[me]
        return (False, "error in error handling")
    return (True,) + tuple(r)


def _raise_frame(e):
    tb = e.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame


XPCALL_HANDLER_DEPTH = 200


@needs_runtime
def luaB_warn(rt, *args):
    """warn(msg1, ...): a warning of the pieces' concatenation (the lua command's base library)."""
    if not args:
        type_error(1, "warn", "string", _novalue())
    pieces = []
    for i, a in enumerate(args, 1):
        if type(a) is str:
            pieces.append(a)
        elif type(a) in (int, float):
            pieces.append(tostr_number(a))
        else:
            type_error(i, "warn", "string", a)
    for p in pieces[:-1]:
        lgc.warning(rt, p, True)
    lgc.warning(rt, pieces[-1], False)
    return ()


def luaB_select(n=NOVALUE, *args):
    if n == "#":
        return (len(args),)
    i = check_integer(n, 1, "select")
    if i < 0:
        i = len(args) + i
        if i < 0:
            arg_error(1, "select", "index out of range")
        return args[i:]
    if i == 0:
        arg_error(1, "select", "index out of range")
    return args[i - 1:]


@needs_runtime
def luaB_load(rt, chunk=NOVALUE, chunkname=None, mode=None, *rest):
    env_given = len(rest) > 0
    env = rest[0] if rest else None
    if type(chunk) in (int, float):
        chunk = tostr_number(chunk)
    if type(chunk) is str:
        src = chunk
        name = chunkname if chunkname is not None else chunk
    elif type(chunk) is not LuaTable and chunk is not NOVALUE and chunk is not None and callable(chunk):
        parts = []
        k = 0
        while True:
            k += 1
            if k >= rt.every:  # the reader may never return nil, and need not tick itself
                k = 0
                rt.tick()
            try:
                r = call(chunk)
            except LuaError as e:  # lua_load reports an error of the reader as its own
                if not e.catchable:
                    raise
                return (None, e.value)
            piece = r[0] if r else None
            if piece is None or piece == "":
                break
            if type(piece) is not str:
                return (None, "reader function must return a string")
            parts.append(piece)
        src = "".join(parts)
        name = chunkname if chunkname is not None else "=(load)"
    else:
        type_error(1, "load", "function", chunk)
    if type(name) is not str:
        name = str(name)
    m = "bt" if mode is None else mode
    if src.startswith("\x1b"):
        if "b" not in m:
            return (None, "attempt to load a binary chunk (mode is '%s')" % m)
        return _load_binary(rt, src, name, env, env_given)
    if "t" not in m:
        return (None, "attempt to load a text chunk (mode is '%s')" % m)
    try:
        f = rt.loader(src, name, env, env_given)
    except LuaError as e:
        if not e.catchable:
            raise
        return (None, e.value)
    return (f,)


def _load_binary(rt, src, name, env, env_given):
    """A chunk of string.dump: its function, with fresh upvalues, the first one the environment."""
    from .ldblib import _upvalues
    from .ldump import DumpError, undump
    try:
        text, source_name, nups = undump(src, name)
    except DumpError as e:
        return (None, str(e))
    try:
        chunk = rt.loader(text, source_name, None, False)
    except LuaError as e:
        if not e.catchable:
            raise
        return (None, e.value)
    r = call(chunk)
    f = r[0] if r else None
    if nups:
        ups = _upvalues(f)
        if ups and ups[0][1] is not None:
            ups[0][1].cell_contents = env if env_given else rt.state.globals
    return (f,)


_GC_OPTIONS = ("stop", "restart", "collect", "count", "step", "setpause", "setstepmul",
               "isrunning", "generational", "incremental")


@needs_runtime
def luaB_collectgarbage(rt, opt="collect", *args):
    """Python's collector does the work; the options answer as Lua's would."""
    if opt is None or opt is NOVALUE:
        opt = "collect"
    if type(opt) is not str or opt not in _GC_OPTIONS:
        if type(opt) is str or type(opt) in (int, float):
            arg_error(1, "collectgarbage", "invalid option '%s'" % (opt if type(opt) is str else tostr_number(opt)))
        type_error(1, "collectgarbage", "string", opt)
    st = rt.gc_state
    if lgc.in_finalizer(rt):
        return (None,)      # the collector is running a finalizer: lua_gc does nothing
    if opt == "collect":
        lgc.full_collect()
        lgc.run_finalizers(rt)
        return (0,)
    if opt == "count":
        kb = sys.getallocatedblocks() * 64 / 1024.0
        return (kb,)
    if opt == "step":
        lgc.full_collect()
        lgc.run_finalizers(rt)
        return (True,)
    if opt == "stop":
        st["running"] = False
        return (0,)
    if opt == "restart":
        st["running"] = True
        return (0,)
    if opt == "isrunning":
        return (st["running"],)
    if opt in ("setpause", "setstepmul"):
        key = opt[3:]
        old = st[key]
        st[key] = opt_integer(args[0] if args else None, 2, "collectgarbage", 200 if key == "pause" else 100)
        return (old,)
    old = st["mode"]
    st["mode"] = opt
    return (old,)


BASE_FUNCS = {
    "assert": luaB_assert,
    "collectgarbage": luaB_collectgarbage,
    "error": luaB_error,
    "getmetatable": luaB_getmetatable,
    "ipairs": luaB_ipairs,
    "load": luaB_load,
    "next": luaB_next,
    "pairs": luaB_pairs,
    "pcall": luaB_pcall,
    "print": luaB_print,
    "rawequal": luaB_rawequal,
    "rawget": luaB_rawget,
    "rawlen": luaB_rawlen,
    "rawset": luaB_rawset,
    "select": luaB_select,
    "setmetatable": luaB_setmetatable,
    "tonumber": luaB_tonumber,
    "tostring": luaB_tostring,
    "type": luaB_type,
    "xpcall": luaB_xpcall,
}


def open_base(rt, G: LuaTable) -> LuaTable:
    lib = new_lib(rt, BASE_FUNCS)
    register_intrinsics(None, BASE_FUNCS)
    for k, v in lib.items():
        G.rawset(k, v)
    G.rawset("_G", G)
    G.rawset("_VERSION", "Lua 5.4")
    return G
