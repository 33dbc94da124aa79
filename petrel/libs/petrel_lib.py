"""``petrel``: routes, native libraries and request-only sleeps."""

from __future__ import annotations

import os

import anyio

from . import web_lib
from .base import Library, LibraryContext, LuaRuntimeError

library = Library("petrel", "routes, library search path, native libraries, sleeps")


@library.function
def add_route(ctx: LibraryContext, path: str, handler_name: str) -> None:
    ctx.refuse_in_handler("petrel.add_route")
    if not path.startswith("/"):
        raise LuaRuntimeError(f"bad argument #1 to 'add_route' (route '{path}' must start with '/')")
    ctx.router.add_route(path, handler_name)


_DIRECTORY_ROUTE_OPTIONS = ("cache_control",)


def _directory_route_options(options: dict) -> dict[str, str]:
    """The options table of add_directory_route, checked: names as text, values as header text."""
    checked: dict[str, str] = {}
    for key, value in options.items():
        name = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        if name not in _DIRECTORY_ROUTE_OPTIONS:
            raise LuaRuntimeError(f"bad argument #3 to 'add_directory_route' (unknown option '{name}'; "
                                  f"known: {', '.join(_DIRECTORY_ROUTE_OPTIONS)})")
        if not isinstance(value, (bytes, str)):
            raise LuaRuntimeError(f"bad argument #3 to 'add_directory_route' (option '{name}' must be a string)")
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        if any(ord(c) < 32 and c != "\t" or ord(c) == 127 for c in text) or not text.strip():
            raise LuaRuntimeError(f"bad argument #3 to 'add_directory_route' (option '{name}' must be "
                                  "non-empty header text without control characters)")
        checked[name] = text.strip()
    return checked


@library.function
def add_directory_route(ctx: LibraryContext, path: str, root: str, options: dict | None = None) -> None:
    ctx.refuse_in_handler("petrel.add_directory_route")
    settings = _directory_route_options(options or {})
    if not path.startswith("/"):
        raise LuaRuntimeError(
            f"bad argument #1 to 'add_directory_route' (route '{path}' must start with '/')")
    if not os.path.isabs(root):
        raise LuaRuntimeError(
            f"bad argument #2 to 'add_directory_route' (directory '{root}' must be an absolute path)")
    if not os.path.isdir(root):
        raise LuaRuntimeError(f"add_directory_route: '{root}' is not a directory")
    ctx.router.add_directory_route(path, root, cache_control=settings.get("cache_control"))


@library.function
def add_lib_search_path(ctx: LibraryContext, path: str) -> None:
    ctx.refuse_in_handler("petrel.add_lib_search_path")
    if not os.path.isabs(path) and ctx.config.lua_root:
        path = os.path.join(ctx.config.lua_root, path)
    path = os.path.normpath(path)
    if path not in ctx.lib_search_path:
        ctx.lib_search_path.append(path)


@library.function
def lib_search_path(ctx: LibraryContext) -> str:
    return ":".join(ctx.lib_search_path)


@library.function
def load_lib(ctx: LibraryContext, name: str) -> bool:
    ctx.refuse_in_handler("petrel.load_lib")
    ctx.libraries.load_native(name)
    return True


def _check_duration(name: str, value: float) -> float:
    if value != value or value < 0:
        raise LuaRuntimeError(f"bad argument #1 to '{name}' (non-negative number expected)")
    return value


@library.function
async def sleep_nanos(n: float) -> None:
    await anyio.sleep(_check_duration("sleep_nanos", n) / 1e9)


@library.function
async def sleep_micros(n: float) -> None:
    await anyio.sleep(_check_duration("sleep_micros", n) / 1e6)


@library.function
async def sleep_millis(n: float) -> None:
    await anyio.sleep(_check_duration("sleep_millis", n) / 1e3)


# url_encode, url_decode, html_escape and cookie join the petrel table.
for _function in (web_lib.url_encode, web_lib.url_decode, web_lib.html_escape, web_lib.cookie):
    library.function(_function)
