"""The request and response tables of a lark handler call, made and read in Python.

On lark a Lua table is a Python object (:class:`LuaTable`, a dict and a metatable), so the
request table is made here directly from the Request and the response table read here with raw
access, where interpreting the sandbox's start_handler and read_response (the lupa engine's way,
which saves crossings into C Lua) took about 30 us of a request. The sandbox still starts the
handler (start_prepared: the overlay, the request table's metatable, the time limits), and what is
read here is what read_response reads: status, content and headers raw, a list value's items 1..n
where n counts its entries.
"""

from __future__ import annotations

from typing import Any, Callable

from ..lua_interp import LuaTable
from ..lua_interp.lobject import BoolKey
from ..messages import Request
from .base import HandlerError, header_list_error, request_args

MAX_RESPONSE_FIELDS = 1000   # as the sandbox's read_response


def request_tables(request: Request) -> tuple[LuaTable, LuaTable]:
    """The handler's request table (without its metatable: start_prepared sets it) and a fresh
    response table. Strings are Latin-1 text, as lark's strings are."""
    headers = request.headers_dict()
    fields = {
        "path": request.path, "method": request.method, "proto": request.proto, "host": request.host,
        "timestamp": request.timestamp, "content": request.content.decode("latin-1"),
        "remote_addr_str": request.remote_addr, "remote_addr_ip_ver": request.remote_addr_ip_ver,
        "remote_port": request.remote_port, "query": request.query,
        "http_version": request.http_version, "id": request.id,
        "headers": LuaTable(headers),
        "cookies": LuaTable(request.cookies() if "cookie" in headers else {}),
        "args": LuaTable(request_args(request) if request.query else {}),
    }
    response = LuaTable({"status": 200, "headers": LuaTable(), "content": ""})
    return LuaTable(fields), response


def read_response(handler: str, response: Any, type_name: Callable[[Any], str]) -> tuple[Any, Any, Any]:
    """status, content and headers (a list of name, value pairs, or the value itself when it is no
    table) of what the handler returned; a HandlerError when it is not a response table or a list
    value of headers holds something other than strings and numbers."""
    if type(response) is not LuaTable:
        raise HandlerError(handler, f"the handler returned {type_name(response)}, not the response table")
    raw = response.hash
    status, content, headers = raw.get("status"), raw.get("content"), raw.get("headers")
    if type(headers) is not LuaTable:
        return status, content, headers
    pairs: list[tuple[Any, Any]] = []
    for key, value in list(headers.hash.items()):
        if type(key) is BoolKey:
            key = key.value
        if type(value) is LuaTable:
            items = value.hash
            for index in range(1, len(items) + 1):
                item = items.get(index)
                kind = type(item)
                if kind is not str and kind is not int and kind is not float:
                    if item is None:
                        raise header_list_error(handler, key, None, "table")
                    raise header_list_error(handler, key, index, type_name(item))
                pairs.append((key, item))
        else:
            pairs.append((key, value))
        if len(pairs) > MAX_RESPONSE_FIELDS:
            raise header_list_error(handler, MAX_RESPONSE_FIELDS)
    return status, content, pairs
