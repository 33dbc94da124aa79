"""How Python values stand for Lua values, below every layer that handles them: the error a
library raises to give Lua code an ordinary Lua error, the Lua type of a value, and a number's text
as Lua 5.4 writes it. The libraries (:mod:`petrel.libs.base` re-exports these) and the shared
stores use them."""

from __future__ import annotations

from typing import Any


class LuaRuntimeError(Exception):
    """Raise this from library code to give the calling Lua code an ordinary Lua error."""


def lua_type_name(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (bytes, str)):
        return "string"
    if isinstance(value, (dict, list)):
        return "table"
    if callable(value):
        return "function"
    return "userdata"


def number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value:
        return "nan" if str(value)[0] != "-" else "-nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = "%.14g" % value
    if "." not in text and "e" not in text and "n" not in text and "i" not in text:
        text += ".0"
    return text
