"""Conversions between Python values and Lua values at the facade boundary."""
from __future__ import annotations

from .lobject import MAXINT, MININT, LuaTable, to_lua_string


def _is_lua_value(f) -> bool:
    """Already a Lua function: compiled Lua code, a library function or a wrapper."""
    import functools
    from .ldebug import LIB_CODES
    if isinstance(f, functools.partial):
        f = f.func
    code = getattr(f, "__code__", None)
    if code is None:
        return False
    return code in LIB_CODES or "__luachunk__" in getattr(f, "__globals__", {})


class Converter:
    """to_lua / to_python for one state (Python callables become Lua functions)."""

    def __init__(self, state):
        self.state = state

    def to_lua(self, v, _memo=None):
        t = type(v)
        if v is None or t is bool or t is float or t is LuaTable:
            return v
        if t is int:
            return v if MININT <= v <= MAXINT else float(v)
        if t is str:
            return to_lua_string(v)
        if t in (bytes, bytearray, memoryview):
            return bytes(v).decode("latin-1")
        if isinstance(v, dict):
            memo = {} if _memo is None else _memo
            if id(v) in memo:
                return memo[id(v)]
            tab = memo[id(v)] = LuaTable()
            for k, x in v.items():
                lk = self.to_lua(k, memo)
                if lk is not None:
                    tab.rawset(lk, self.to_lua(x, memo))
            return tab
        if isinstance(v, (list, tuple)):
            memo = {} if _memo is None else _memo
            if id(v) in memo:
                return memo[id(v)]
            tab = memo[id(v)] = LuaTable()
            for i, x in enumerate(v, 1):
                tab.rawset(i, self.to_lua(x, memo))
            return tab
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            return float(v)
        if callable(v):
            if _is_lua_value(v):
                return v
            from .interpreter import make_function
            return make_function(v, self)
        return v

    def from_python_result(self, v):
        """Results of wrapped Python callables: str stays a raw Lua string."""
        t = type(v)
        if t is str or v is None or t is bool or t is float or t is LuaTable:
            return v
        if t is int:
            return v if MININT <= v <= MAXINT else float(v)
        if t in (bytes, bytearray, memoryview):
            return bytes(v).decode("latin-1")
        if isinstance(v, (dict, list)):
            return self.to_lua(v)
        return v

    def to_python(self, v, _memo=None):
        t = type(v)
        if t is str:
            return v.encode("latin-1")
        if t is LuaTable:
            memo = {} if _memo is None else _memo
            if id(v) in memo:
                return memo[id(v)]
            d = memo[id(v)] = {}
            for k, x in v.items():
                d[self.to_python(k, memo)] = self.to_python(x, memo)
            return d
        return v


_DEFAULT = Converter(None)
to_lua = _DEFAULT.to_lua
to_python = _DEFAULT.to_python
