"""The debug library, as far as this interpreter's frames can show it (opened by the standalone only)."""
from __future__ import annotations

import sys
from types import FunctionType

from .lauxlib import NOVALUE, arg_error, check_integer, check_table, needs_runtime, new_lib, type_error
from .ldebug import LIB_CODES, _info, call_site_at, is_block_frame, traceback_from_frame
from .lobject import LuaTable, tostr_number, type_name


def _lua_frames(start):
    """Lua-visible frames from start outwards: Lua functions and library functions."""
    f = start
    while f is not None:
        if _info(f) is not None and not is_block_frame(f):
            yield f
        elif f.f_code in LIB_CODES:
            yield f
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
    start = frames[level - 1] if 0 < level <= len(frames) else (frames[0] if level <= 0 and frames else None)
    tb = traceback_from_frame(start) if start is not None else "stack traceback:\n\t[C]: in ?"
    return (tb if msg is None else msg + "\n" + tb,)


def _frame_name(f):
    """How the caller named the function running in frame f (getinfo's name and namewhat),
    read from the calling instruction as Lua does; nothing for a function called from a
    library function or by a tail call."""
    caller = f.f_back
    if caller is None or _info(caller) is None:
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
    if info is None:
        return None
    code = f.__code__
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
    return (name, value)


def db_setupvalue(f=NOVALUE, n=NOVALUE, v=NOVALUE, *_):
    if v is NOVALUE:
        arg_error(3, "setupvalue", "value expected")
    up = _upvalue_at(f, n, "setupvalue")
    if up is None:
        return ()
    name, cell = up
    if cell is not None:
        cell.cell_contents = v
    return (name,)


def db_upvalueid(f=NOVALUE, n=NOVALUE, *_):
    up = _upvalue_at(f, n, "upvalueid")
    if up is None or up[1] is None:
        return (None,)
    return (UpvalueId(up[1]),)


def db_gethook(*_):
    return (None,)


def db_sethook(*_):
    return ()


def db_getregistry(*_):
    return (_REGISTRY,)


_REGISTRY = LuaTable()

DB_FUNCS = {
    "traceback": db_traceback,
    "getinfo": db_getinfo,
    "getmetatable": db_getmetatable,
    "setmetatable": db_setmetatable,
    "getregistry": db_getregistry,
    "getupvalue": db_getupvalue,
    "setupvalue": db_setupvalue,
    "upvalueid": db_upvalueid,
}


def open_debug(rt) -> LuaTable:
    return new_lib(rt, DB_FUNCS, "debug")
