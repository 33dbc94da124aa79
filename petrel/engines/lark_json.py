"""The json library's fast path on the lark engine: Python's json module on lua_interp's tables.

petrel/libs/json.lua is the json library on every engine. On lark that Lua runs in the pure-Python
interpreter, about a hundred times slower than Python's own json module (bench/json_codec.py), so
json.lua asks this module first: ``encode(value)`` and ``decode(text)`` return ``(true, result)``,
or ``(false,)`` when they leave the value to json.lua. They leave it whenever json.lua would raise
an error (a cycle, NaN, invalid UTF-8, a lone surrogate, trailing garbage, ...), so every error
and its message come from json.lua, and they produce exactly json.lua's results otherwise (the same
bytes; tests/test_json.py compares the two on every case).

Limits: the walk calls the runtime's interrupt check every CHECK_EVERY values, so the sandbox's
time slices, ``lua.timeout`` and cancellation apply as in Lua. ``json.loads`` is one C call holding
the GIL: texts above FAST_DECODE_BYTES go to json.lua, which checks in as it goes. A decoded value
that may come near ``lua.max-memory`` is measured before Lua gets it (past the limit it is a
memory stop, as in Lua).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

from ..lua_interp import LuaTable

MAX_DEPTH = 1000          # json.lua's MAX_DEPTH
CHECK_EVERY = 256
FAST_DECODE_BYTES = 4 * 1024 * 1024
DECODED_BYTES_PER_INPUT_BYTE = 24   # a generous bound of what a decoded text holds in lua_interp
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1
TWO_63 = 2.0 ** 63

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
for _code in range(32):
    _ESCAPES.setdefault(chr(_code), "\\u%04x" % _code)
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


class _LeaveToLua(Exception):
    """json.lua answers this one (with its error)."""


def number_text(value: int | float) -> str:
    """json.lua's number_text."""
    if type(value) is int:
        return str(value)
    if value != value or value in (math.inf, -math.inf):
        raise _LeaveToLua
    if value.is_integer() and -TWO_63 <= value < TWO_63:
        if value == 0 and math.copysign(1.0, value) < 0:
            return "-0"
        return "%.0f" % value
    text = "%.15g" % value
    if float(text) == value:
        shorter = "%.14g" % value
        return shorter if float(shorter) == value else text
    text = "%.16g" % value
    return text if float(text) == value else "%.17g" % value


def _string_text(text: str) -> str:
    """A Lua string (latin-1 code points for its bytes) as a JSON string, in the same form."""
    if not text.isascii():
        try:
            text.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            raise _LeaveToLua from None
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)
    return '"' + text + '"'


def make(runtime: Any, null: LuaTable, empty_array: LuaTable, array_mt: LuaTable) -> LuaTable:
    """The ``native`` table json.lua gets on this engine: encode and decode for one state."""
    tick = runtime.tick
    counter = [0]

    def check_in() -> None:
        counter[0] += 1
        if counter[0] >= CHECK_EVERY:
            counter[0] = 0
            tick()

    def encode(value: Any = None, *_: Any) -> tuple:
        out: list[str] = []
        visiting: set[int] = set()
        try:
            _encode(value, 1, out, visiting)
        except (_LeaveToLua, RecursionError):
            return (False,)
        return (True, "".join(out))

    def _encode(value: Any, depth: int, out: list[str], visiting: set[int]) -> None:
        check_in()
        kind = type(value)
        if kind is str:
            out.append(_string_text(value))
        elif kind is int or kind is float:
            out.append(number_text(value))
        elif kind is bool:
            out.append("true" if value else "false")
        elif value is None:
            out.append("null")
        elif kind is LuaTable:
            if value is null:
                out.append("null")
                return
            if depth > MAX_DEPTH or id(value) in visiting:
                raise _LeaveToLua
            visiting.add(id(value))
            hash_part = value.hash
            meta = value.meta
            if meta is not None and meta is not array_mt and type(meta.hash.get("__name")) is str:
                raise _LeaveToLua   # a library object: json.lua refuses it
            if value is empty_array or meta is array_mt:
                _encode_array(value, value.length(), depth, out, visiting)
            elif not hash_part:
                out.append("{}")
            else:
                count, largest = 0, 0
                for key in hash_part:
                    if type(key) is int and key > 0:
                        count += 1
                        if key > largest:
                            largest = key
                    else:
                        largest = -1
                        break
                if largest > 0:
                    if largest > 10 and largest > 2 * count:
                        raise _LeaveToLua
                    _encode_array(value, largest, depth, out, visiting)
                else:
                    items: dict[str, Any] = {}
                    for key, item in hash_part.items():
                        key_kind = type(key)
                        if key_kind is str:
                            text = key
                        elif key_kind is int or key_kind is float:
                            text = number_text(key)
                        else:
                            raise _LeaveToLua
                        if text in items:
                            raise _LeaveToLua
                        items[text] = item
                    out.append("{")
                    first = True
                    for text in sorted(items):
                        if not first:
                            out.append(",")
                        first = False
                        out.append(_string_text(text))
                        out.append(":")
                        _encode(items[text], depth + 1, out, visiting)
                    out.append("}")
            visiting.discard(id(value))
        else:
            raise _LeaveToLua

    def _encode_array(table: LuaTable, length: int, depth: int, out: list[str], visiting: set[int]) -> None:
        get = table.hash.get
        out.append("[")
        for index in range(1, length + 1):
            if index > 1:
                out.append(",")
            item = get(index)
            if item is None:
                out.append("null")
            else:
                _encode(item, depth + 1, out, visiting)
        out.append("]")

    def decode(text: Any = None, *_: Any) -> tuple:
        if type(text) is not str or len(text) > FAST_DECODE_BYTES:
            return (False,)
        limit = runtime.mem_limit
        measure = limit is not None and runtime.memory_used() + len(text) * DECODED_BYTES_PER_INPUT_BYTE > limit
        try:
            if text.isascii():
                unicode_text = text
            else:
                unicode_text = text.encode("latin-1").decode("utf-8")
            value = json.loads(unicode_text, parse_int=_parse_int, parse_float=_parse_float,
                               parse_constant=_refuse_constant)
            result = _to_lua(value, 1)
        except (_LeaveToLua, ValueError, RecursionError, UnicodeError):
            return (False,)
        if measure:
            # Near the limit: count the new tables now (LuaMemoryError, a stop, when they pass it).
            del value
            runtime.mem_roots.append(result)
            try:
                runtime.measure_memory()
            finally:
                runtime.mem_roots.remove(result)
        return (True, result)

    def _to_lua(value: Any, depth: int) -> Any:
        check_in()
        kind = type(value)
        if kind is str:
            if value.isascii():
                return value
            return value.encode("utf-8").decode("latin-1")   # a lone surrogate: UnicodeError
        if kind is dict:
            if depth > MAX_DEPTH:
                raise _LeaveToLua
            table = LuaTable()
            fields = table.hash
            for key, item in value.items():
                if not key.isascii():
                    key = key.encode("utf-8").decode("latin-1")
                fields[key] = _to_lua(item, depth + 1)
            return table
        if kind is list:
            if depth > MAX_DEPTH:
                raise _LeaveToLua
            table = LuaTable()
            table.meta = array_mt
            fields = table.hash
            for index, item in enumerate(value, 1):
                fields[index] = _to_lua(item, depth + 1)
            return table
        if value is None:
            return null
        return value   # bool, int, float

    def rawmetatable(value: Any = None, *_: Any) -> tuple:
        # json.lua's debug.getmetatable: lua_interp's states have no debug library
        return (value.meta if type(value) is LuaTable else None,)

    return LuaTable({"encode": encode, "decode": decode, "rawmetatable": rawmetatable})


def _parse_int(text: str) -> int | float:
    value = int(text)
    if INT64_MIN <= value <= INT64_MAX:
        return value if value else 0
    return _parse_float(text)   # Lua reads an integer past 64 bits as a float


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise _LeaveToLua
    return value


def _refuse_constant(text: str) -> Any:
    raise _LeaveToLua


NATIVE: dict[str, Callable[..., LuaTable]] = {"json": make}
