"""How shared values are written into a store: one byte string per value, the same for every backend.

Integers are their decimal text, so that Redis's own INCRBY works on them and another Redis client
reads them as numbers. Every other value starts with a tag that cannot begin an integer:

======  ==========================================================
``s``   a string: the bytes follow
``f``   a float: Python's repr (``f1.5``, ``finf``, ``fnan``)
``t``   true; ``F`` false
``j``   a table, as JSON (see :func:`table_to_json`)
======  ==========================================================

A table is JSON: a table whose keys are exactly 1..n is an array; any other table is an object
whose keys are strings (number keys become their text, so ``{[5]="x"}`` comes back as
``{["5"]="x"}``). Strings that are not UTF-8 survive the trip (their bytes travel as
``surrogateescape`` code points).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..luavalues import LuaRuntimeError, lua_type_name
from ..luavalues import number_text as _number_text

MAX_DEPTH = 100
_INTEGER = re.compile(rb"-?[0-9]+\Z")
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


class NotANumber(Exception):
    """The stored value is not a number (incr)."""


def encode(value: Any, what: str = "value") -> bytes:
    if value is True:
        return b"t"
    if value is False:
        return b"F"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return b"f" + repr(value).encode()
    if isinstance(value, bytes):
        return b"s" + value
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogateescape")
    if isinstance(value, (dict, list)):
        return b"j" + table_to_json(value).encode("utf-8", "surrogateescape")
    raise LuaRuntimeError(f"shared: cannot store a {lua_type_name(value)} {what} "
                          "(strings, numbers, booleans and tables only)")


def decode(data: bytes | None) -> Any:
    if data is None:
        return None
    if _INTEGER.match(data):
        return int(data)
    tag, rest = data[:1], data[1:]
    if tag == b"s":
        return rest
    if tag == b"f":
        return float(rest)
    if tag == b"t":
        return True
    if tag == b"F":
        return False
    if tag == b"j":
        return json.loads(rest.decode("utf-8", "surrogateescape"))
    # Written by someone else (another Redis client): a plain string.
    return data


def number(data: bytes) -> int | float:
    """The number stored in ``data`` (for incr), or NotANumber."""
    if _INTEGER.match(data):
        return int(data)
    if data[:1] == b"f":
        return float(data[1:])
    raise NotANumber()


def add(current: int | float, n: int | float) -> int | float:
    """``current + n`` as Lua adds: integers stay integers (wrapping at 64 bits, as Lua 5.4 does)."""
    result = current + n
    if isinstance(result, int) and not INT64_MIN <= result <= INT64_MAX:
        result = (result - INT64_MIN) % 2**64 + INT64_MIN
    return result


# -- tables -----------------------------------------------------------------------------------------
def table_to_json(value: Any) -> str:
    try:
        return json.dumps(_plain(value, 0), ensure_ascii=False, separators=(",", ":"))
    except ValueError as exc:   # a cycle
        raise LuaRuntimeError(f"shared: cannot store a table that contains itself ({exc})") from None


def _plain(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise LuaRuntimeError(f"shared: table nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        keys = list(value)
        if keys and all(type(k) is int for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
            return [_plain(value[i], depth + 1) for i in range(1, len(keys) + 1)]
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, bytes):
                name = key.decode("utf-8", "surrogateescape")
            elif isinstance(key, (int, float)) and not isinstance(key, bool):
                name = _number_text(key)
            else:
                raise LuaRuntimeError(f"shared: cannot store a table with a {lua_type_name(key)} key")
            out[name] = _plain(item, depth + 1)
        return out
    raise LuaRuntimeError(f"shared: cannot store a {lua_type_name(value)} inside a table")
