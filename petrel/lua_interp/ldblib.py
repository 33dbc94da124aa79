"""The debug library, as far as this interpreter's frames can show it (opened by the standalone only)."""
from __future__ import annotations

import sys
from types import FunctionType

from .lauxlib import NOVALUE, arg_error, check_integer, check_table, needs_runtime, new_lib, type_error
from . import lgc, lhook
from .ldebug import (HANDLED_ERRORS, LIB_CODES, _info, at_tail_call, call_site_at, is_block_frame,
                     metamethod_event, traceback_from_frames)
from .lobject import LuaError, LuaTable, tostr_number, type_name


def _lua_frames(start, blocks=None):
    """Lua-visible frames from start outwards: Lua functions and library functions.

    A __close metamethod run for an error is called, in Lua, by the protected call that
    caught it, the functions in between being gone: so are they here.  xpcall's message
    handler runs on top of the frames of the error it handles: they come between the
    handler's and xpcall's.  A Lua function may run some of its blocks as nested Python
    functions: given a dict, blocks maps each Lua function's frame to those running, innermost
    first."""
    from .lvm import Runtime
    close_code = Runtime.close.__code__
    f = start
    unwound = False
    jumps = {}
    pending = []
    while f is not None:
        if HANDLED_ERRORS and f in HANDLED_ERRORS:
            done = jumps.get(f, 0)
            raised = HANDLED_ERRORS[f]
            if done < len(raised):
                jumps[f] = done + 1
                f = raised[-1 - done]
                unwound = False
                pending = []
                continue
        if f.f_code is close_code and f.f_locals.get("exc") is not None:
            unwound = True
        elif unwound:
            if f.f_code in LIB_CODES:
                unwound = False
                yield f
        elif _info(f) is not None and not is_block_frame(f):
            if at_tail_call(f):  # gone, for Lua (a direct call at a tail-call site)
                f = f.f_back
                continue
            if blocks is not None:
                blocks[f] = pending
                pending = []
            yield f
        elif f.f_code in LIB_CODES:
            pending = []
            yield f
        elif blocks is not None and _info(f) is not None:
            pending.append(f)
        f = f.f_back


def db_traceback(*args):
    msg = args[0] if args else None
    level = args[1] if len(args) > 1 else 1
    if msg is not None and type(msg) is not str and type(msg) not in (int, float):
        return (msg,)
    if type(msg) in (int, float):
        msg = tostr_number(msg)
    if type(level) is not int:
        level = 1
    frames = list(_lua_frames(sys._getframe(1)))
    if level <= 0:
        level = 1
    tb = traceback_from_frames(frames[level - 1:])
    return (tb if msg is None else msg + "\n" + tb,)


def _frame_name(f):
    """How the caller named the function running in frame f (getinfo's name and namewhat),
    read from the calling instruction as Lua does; nothing for a function called from a
    library function or by a tail call."""
    caller = f.f_back
    if caller is not None and at_tail_call(caller):
        return None, ""
    if caller is None or _info(caller) is None:
        event = metamethod_event(f)
        if event is not None:
            return event, "metamethod"
        return None, ""
    desc = call_site_at(caller, caller.f_lasti)
    if not desc:
        return None, ""
    kind, _, quoted = desc.partition(" ")
    if kind not in ("global", "local", "method", "field", "upvalue", "constant"):
        return None, ""
    return quoted.strip("'"), kind


def db_getinfo(*args):
    what = args[0] if args else NOVALUE
    opts = args[1] if len(args) > 1 and type(args[1]) is str else "flnSrtu"
    t = LuaTable()
    if type(what) is int:
        frames = list(_lua_frames(sys._getframe(1)))
        # level 0 is getinfo itself, level 1 its caller
        if what < 0 or what > len(frames):
            return (None,)
        if what == 0:
            t.rawset("what", "C")
            t.rawset("source", "=[C]")
            t.rawset("short_src", "[C]")
            t.rawset("currentline", -1)
            t.rawset("func", db_getinfo)
            return (t,)
        f = frames[what - 1]
        info = _info(f)
        if info is None:
            t.rawset("what", "C")
            t.rawset("source", "=[C]")
            t.rawset("short_src", "[C]")
            t.rawset("currentline", -1)
        else:
            t.rawset("what", "main" if f.f_code.co_name.startswith("main") else "Lua")
            t.rawset("source", info.chunkname)
            t.rawset("short_src", info.short_src)
            t.rawset("currentline", info.lua_line(f.f_lineno))
            desc = info.funcs.get(f.f_code.co_name)
            t.rawset("linedefined", desc[1] if desc else 0)
        name, namewhat = _frame_name(f)
        if name is not None:
            t.rawset("name", name)
        t.rawset("namewhat", namewhat)
        t.rawset("istailcall", False)
        return (t,)
    if callable(what) and type(what) is not LuaTable:
        code = getattr(what, "__code__", None)
        g = getattr(what, "__globals__", None)
        info = g.get("__luachunk__") if g else None
        if info is None or code is None:
            t.rawset("what", "C")
            t.rawset("source", "=[C]")
            t.rawset("short_src", "[C]")
            t.rawset("linedefined", -1)
            t.rawset("lastlinedefined", -1)
        else:
            t.rawset("what", "Lua")
            t.rawset("source", info.chunkname)
            t.rawset("short_src", info.short_src)
            desc = info.funcs.get(code.co_name)
            t.rawset("linedefined", desc[1] if desc else 0)
        t.rawset("currentline", -1)
        t.rawset("func", what)
        t.rawset("nups", 0)
        t.rawset("isvararg", bool(code and code.co_flags & 0x04))
        return (t,)
    arg_error(1, "getinfo", "function or level expected")


def _level(co, level, fname, argn):
    """The frames of the function at a level of the running code (or of coroutine co): the
    Lua function's frame and those of its blocks running, outermost first; None for a library
    function; an error when there is no such level.  As debug.getinfo counts, level 1 is the
    function calling the debug function (of a suspended coroutine: level 0 is its yield)."""
    from .lcorolib import running_coroutine
    blocks = {}
    if co is None or co is running_coroutine():
        frames = list(_lua_frames(sys._getframe(3), blocks))
        index = level - 1
    else:
        top = sys._current_frames().get(co.thread.ident) if co.thread is not None else None
        frames = list(_lua_frames(top, blocks)) if top is not None else []
        index = level
    if level < 0 or index >= len(frames):
        arg_error(argn, fname, "level out of range")
    if index < 0:
        return None
    f = frames[index]
    if _info(f) is None:
        return None
    return [f] + blocks.get(f, [])[::-1]


def _active_locals(frames):
    """(lua name, frame, python name or None, isint) of each active local, in Lua's order."""
    out = []
    for f in frames:
        line = f.f_lineno or 0
        for name, pyname, first, end, isint in _info(f).locvars.get(f.f_code.co_name, ()):
            if first <= line < end:
                out.append((name, f, pyname, isint))
    return out


def _vararg(frames):
    """The frame and the extra arguments of a vararg Lua function (None if not vararg)."""
    f = frames[0]
    if not f.f_code.co_flags & 0x04 or "VA" not in f.f_code.co_varnames + f.f_code.co_cellvars:
        return None, None
    va = f.f_locals.get("VA")
    return f, va if type(va) is tuple else ()


_UNSET = object()


def _local_slot(args, fname):
    """(name, frame, python name, vararg index, isint) of getlocal/setlocal's local, or None."""
    co, args = _thread_arg(args)
    argn = 1 if co is None else 2
    level = args[0] if args else NOVALUE
    level = check_integer(level, argn, fname)
    n = check_integer(args[1] if len(args) > 1 else NOVALUE, argn + 1, fname)
    frames = _level(co, level, fname, argn)
    if frames is None:
        return None
    if n < 0:
        f, va = _vararg(frames)
        if f is None or -n > len(va):
            return None
        return "(vararg)", f, "VA", -n - 1, False
    locs = _active_locals(frames)
    if not 1 <= n <= len(locs):
        return None
    name, f, pyname, isint = locs[n - 1]
    return name, f, pyname, None, isint


def db_getlocal(*args):
    co, rest = _thread_arg(args)
    fn = rest[0] if rest else NOVALUE
    if type(fn) is FunctionType or callable(fn) and type(fn) is not LuaTable and type(fn) is not UpvalueId:
        argn = 1 if co is None else 2
        n = check_integer(rest[1] if len(rest) > 1 else NOVALUE, argn + 1, "getlocal")
        return (_param_name(fn, n),)
    slot = _local_slot(args, "getlocal")
    if slot is None:
        return (None,)
    name, f, pyname, va_index, _ = slot
    if pyname is None:
        return (name, None)
    value = f.f_locals.get(pyname)
    if va_index is not None:
        value = value[va_index]
    return (name, value)


def _param_name(fn, n):
    """The name of the n-th parameter of a Lua function (None for a library function)."""
    g = getattr(fn, "__globals__", None)
    info = g.get("__luachunk__") if g else None
    code = getattr(fn, "__code__", None)
    if info is None or code is None or not 1 <= n <= code.co_argcount:
        return None
    pyname = code.co_varnames[n - 1]
    for name, py, _, _, _ in info.locvars.get(code.co_name, ()):
        if py == pyname:
            return name
    return None


def db_setlocal(*args):
    co, rest = _thread_arg(args)
    if len(rest) < 3:
        check_integer(rest[0] if rest else NOVALUE, 1 if co is None else 2, "setlocal")
        check_integer(rest[1] if len(rest) > 1 else NOVALUE, 2 if co is None else 3, "setlocal")
        arg_error(3 if co is None else 4, "setlocal", "value expected")
    value = rest[2]
    slot = _local_slot(args, "setlocal")
    if slot is None:
        return (None,)
    name, f, pyname, va_index, isint = slot
    if isint and type(value) is not int:
        # the compiled code there does integer arithmetic on it with no type test
        arg_error(3 if co is None else 4, "setlocal", "integer expected: local '%s' holds only integers" % name)
    if pyname is not None:
        if va_index is not None:
            va = list(f.f_locals.get(pyname))
            va[va_index] = value
            value = tuple(va)
        _set_frame_local(f, pyname, value)
    return (name,)


def _set_frame_local(f, pyname, value):
    """Assign a variable of a running (suspended) Python frame, a cell's content if a closure
    shares it: before 3.13, f_locals is a copy written back with PyFrame_LocalsToFast; since,
    a proxy writing through (PEP 667)."""
    if sys.version_info >= (3, 13):
        f.f_locals[pyname] = value
        return
    import ctypes
    f.f_locals[pyname] = value
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(f), ctypes.c_int(0))


@needs_runtime
def db_getmetatable(rt, v=NOVALUE, *_):
    if v is NOVALUE:
        arg_error(1, "getmetatable", "value expected")
    return (rt.getmeta(v),)


@needs_runtime
def db_setmetatable(rt, v=NOVALUE, mt=NOVALUE, *_):
    if mt is not None and type(mt) is not LuaTable:
        type_error(2, "setmetatable", "nil or table", mt)
    if type(v) is LuaTable:
        v.meta = mt
        lgc.check_finalizer(rt, v, mt)
    elif type(v) is str:
        rt.string_meta = mt
    elif hasattr(type(v), "lua_meta") and type_name(v) == "userdata":
        v.lua_meta = mt
    elif mt is None:
        rt.type_metas.pop(type_name(v), None)
    else:
        rt.type_metas[type_name(v)] = mt
    return (v,)


class UpvalueId:
    """What debug.upvalueid returns: a light userdata naming one upvalue (a Python cell)."""

    lua_type = "userdata"
    __slots__ = ("cell",)

    def __init__(self, cell):
        self.cell = cell

    def __eq__(self, other):
        return type(other) is UpvalueId and other.cell is self.cell

    def __hash__(self):
        return id(self.cell)


def _upvalues(f):
    """(lua name, cell or None) for each upvalue of a Lua function, in Lua's order; None for a
    library function (its upvalues, if any, are not visible)."""
    if type(f) is not FunctionType:
        return None
    info = f.__globals__.get("__luachunk__")
    code = f.__code__
    if info is None:
        # a library function's own state (its closure cells) is what a C closure's upvalues
        # are: nameless, and seen only by identity
        return [("", cell) for cell in f.__closure__ or ()] if code in LIB_CODES else None
    names = info.upvals.get(code.co_name, ())
    cells = dict(zip(code.co_freevars, f.__closure__ or ()))
    return [(lname, cells.get(pyname)) for lname, pyname in names]


def _check_function(f, n, fname):
    if type(f) is not FunctionType and not callable(f) or type(f) is LuaTable:
        type_error(n, fname, "function", f)


def _upvalue_at(f, n, fname, argf=1):
    _check_function(f, argf, fname)
    i = check_integer(n, argf + 1, fname)
    ups = _upvalues(f)
    if ups is None or not 1 <= i <= len(ups):
        return None
    return ups[i - 1]


def db_getupvalue(f=NOVALUE, n=NOVALUE, *_):
    up = _upvalue_at(f, n, "getupvalue")
    if up is None:
        return ()
    name, cell = up
    try:
        value = cell.cell_contents if cell is not None else None
    except ValueError:
        value = None
    if name == "" and not _is_lua_value(value):
        value = None
    return (name, value)


def _is_lua_value(v) -> bool:
    return v is None or type(v) in (bool, int, float, str, LuaTable, FunctionType)


def db_setupvalue(f=NOVALUE, n=NOVALUE, v=NOVALUE, *_):
    if v is NOVALUE:
        arg_error(3, "setupvalue", "value expected")
    up = _upvalue_at(f, n, "setupvalue")
    if up is None:
        return ()
    name, cell = up
    if cell is not None and name:
        cell.cell_contents = v
    return (name,)


def db_upvalueid(f=NOVALUE, n=NOVALUE, *_):
    up = _upvalue_at(f, n, "upvalueid")
    if up is None or up[1] is None:
        return (None,)
    return (UpvalueId(up[1]),)


def _join_cells(f, i, cell):
    """Make the i-th cell of f's closure tuple `cell` (CPython: the tuple is f's own, built
    when the function was made; its slot is checked to hold the old cell before it is set)."""
    import ctypes
    tup = f.__closure__
    old = tup[i]
    addr = id(tup) + tuple.__basicsize__ + i * tuple.__itemsize__
    slot = ctypes.c_void_p.from_address(addr)
    if sys.implementation.name != "cpython" or slot.value != id(old):
        raise LuaError("upvaluejoin is not supported on this Python")
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(cell))
    slot.value = id(cell)
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(old))


def db_upvaluejoin(f1=NOVALUE, n1=NOVALUE, f2=NOVALUE, n2=NOVALUE, *_):
    _joinable_index(f1, n1, 1)
    _joinable_index(f2, n2, 3)
    for f, n in ((f1, 1), (f2, 3)):
        if "__luachunk__" not in f.__globals__:
            arg_error(n, "upvaluejoin", "Lua function expected")
    names1 = f1.__globals__["__luachunk__"].upvals.get(f1.__code__.co_name, ())
    pyname1 = names1[n1 - 1][1]
    cell2 = _upvalues(f2)[n2 - 1][1]
    code = f1.__code__
    if pyname1 not in code.co_freevars or cell2 is None:
        raise LuaError("upvaluejoin: upvalue not joinable")
    _join_cells(f1, code.co_freevars.index(pyname1), cell2)
    return ()


def _joinable_index(f, n, argf):
    _check_function(f, argf, "upvaluejoin")
    i = check_integer(n, argf + 1, "upvaluejoin")
    ups = _upvalues(f)
    if ups is None or not 1 <= i <= len(ups):
        arg_error(argf + 1, "upvaluejoin", "invalid upvalue index")


def _thread_arg(args):
    """debug's optional first argument, a coroutine: (the coroutine or None, the rest)."""
    from .lcorolib import Coroutine
    if args and type(args[0]) is Coroutine:
        return args[0], args[1:]
    return None, args


def db_sethook(*args):
    from .lcorolib import MAIN, running_coroutine
    co, args = _thread_arg(args)
    fn = args[0] if args else None
    if fn is None or fn is NOVALUE:
        spec = None
    else:
        _check_function(fn, 1 if co is None else 2, "sethook")
        mask = args[1] if len(args) > 1 else ""
        mask = mask if type(mask) is str else ""
        count = check_integer(args[2], 3, "sethook") if len(args) > 2 and args[2] is not None else 0
        if not count and not any(c in mask for c in "crl"):
            spec = None
        else:
            spec = lhook.HookSpec(fn, mask, max(count, 0))
    here = running_coroutine()
    if co is None or co is here or (co is MAIN and here is None):
        if here is not None:
            here.hook = here.hook_live = spec
        lhook.install(spec, sys._getframe())
    else:
        co.hook = spec
    return ()


def db_gethook(*args):
    from .lcorolib import running_coroutine
    co, _ = _thread_arg(args)
    spec = co.hook if co is not None and co is not running_coroutine() else lhook.current()
    if spec is None:
        return (None,)
    return (spec.fn, spec.mask, spec.count)


def db_getregistry(*_):
    return (_REGISTRY,)


_REGISTRY = LuaTable()

DB_FUNCS = {
    "traceback": db_traceback,
    "getinfo": db_getinfo,
    "getmetatable": db_getmetatable,
    "setmetatable": db_setmetatable,
    "getregistry": db_getregistry,
    "getlocal": db_getlocal,
    "setlocal": db_setlocal,
    "getupvalue": db_getupvalue,
    "setupvalue": db_setupvalue,
    "upvalueid": db_upvalueid,
    "upvaluejoin": db_upvaluejoin,
    "sethook": db_sethook,
    "gethook": db_gethook,
}


def open_debug(rt) -> LuaTable:
    return new_lib(rt, DB_FUNCS, "debug")
