"""Helpers shared by the standard libraries (the lauxlib of this interpreter)."""
from __future__ import annotations

import functools
import sys

from .ldebug import LIB_CODES, QUALIFIED, lib_function
from .lobject import LuaError, LuaTable, float_to_int, str2number, tostr_number, type_name


def needs_runtime(f):
    """Mark a library function whose first parameter is the state's Runtime."""
    f.needs_runtime = True
    return f


def new_lib(rt, registry: dict, name: str | None = None) -> LuaTable:
    """Build a library table from a registration table (name -> function)."""
    t = LuaTable()
    for fname, f in registry.items():
        lib_function(f)
        if name:
            QUALIFIED.setdefault(f.__code__, "%s.%s" % (name, fname))
        if getattr(f, "needs_runtime", False):
            bound = functools.partial(f, rt)
            t.rawset(fname, bound)
        else:
            t.rawset(fname, f)
    return t


def arg_error(n: int, fname: str, extramsg: str):
    raise LuaError("bad argument #%d to '%s' (%s)" % (n, _display_name(fname), extramsg))


def _display_name(fname):
    """Lua names the function as its caller saw it; called from C it uses 'lib.name'."""
    f = sys._getframe(2)
    while f is not None and f.f_code not in LIB_CODES:
        f = f.f_back
    if f is None:
        return fname
    caller = f.f_back
    if caller is not None and "__luachunk__" in caller.f_globals:
        return fname
    return QUALIFIED.get(f.f_code, fname)


def type_error(n: int, fname: str, expected: str, got):
    arg_error(n, fname, "%s expected, got %s" % (expected, typename_for_error(got)))


def typename_for_error(v) -> str:
    if type(v) is LuaTable and v.meta is not None:
        name = v.meta.hash.get("__name")
        if type(name) is str:
            return name
    return "no value" if v is NOVALUE else type_name(v)


class _NoValue:
    """Default of a library function's required parameters: an absent argument, which Lua
    reports as "got no value" where a nil argument is "got nil"."""
    __slots__ = ()

    def __repr__(self):
        return "<no value>"


NOVALUE = _NoValue()


def check_table(v, n, fname) -> LuaTable:
    if type(v) is not LuaTable:
        type_error(n, fname, "table", v)
    return v


def check_integer(v, n, fname) -> int:
    t = type(v)
    if t is int:
        return v
    if t is float:
        i = float_to_int(v)
        if i is None:
            arg_error(n, fname, "number has no integer representation")
        return i
    if t is str:
        x = str2number(v)
        if x is not None:
            return check_integer(x, n, fname)
    type_error(n, fname, "number", v)


def opt_integer(v, n, fname, default) -> int:
    if v is None or v is NOVALUE:
        return default
    return check_integer(v, n, fname)


def check_number(v, n, fname):
    t = type(v)
    if t is int or t is float:
        return v
    if t is str:
        x = str2number(v)
        if x is not None:
            return x
    type_error(n, fname, "number", v)


def opt_number(v, n, fname, default):
    if v is None or v is NOVALUE:
        return default
    return check_number(v, n, fname)


def check_string(v, n, fname) -> str:
    t = type(v)
    if t is str:
        return v
    if t is int or t is float:
        return tostr_number(v)
    type_error(n, fname, "string", v)


def opt_string(v, n, fname, default) -> str:
    if v is None or v is NOVALUE:
        return default
    return check_string(v, n, fname)


def check_any(args, n, fname):
    if len(args) < n:
        arg_error(n, fname, "value expected")
