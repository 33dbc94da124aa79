"""``shared``: named dictionaries every worker of a server sees (and, on Redis, every server).

::

    local cache = shared.dict("cache")
    cache:set("user:1", {name = "ann"}, 60)     -- true; expires after 60 s
    local user = cache:get("user:1")           -- the table, or nil
    local n = cache:incr("hits", 1, 0)         -- atomic; 1, 2, 3, ... across every worker

Modelled on OpenResty's ``ngx.shared.DICT``: what is an answer (a missing key, a key that exists)
is returned as ``nil``/``false`` plus a message; what is a failure (the store unreachable) is a Lua
error. Values are strings, numbers (integers stay integers), booleans and tables (stored as JSON).
The store is ``shared.backend`` (:mod:`petrel.store`); every call suspends only its request.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..store import Store, open_store
from ..store import codec
from ..store.rundir import make_run_dir, remove_run_dir
from .base import Library, LibraryContext, LuaRuntimeError, lua_type_name

library = Library("shared", "dictionaries shared by every worker of the server (or every server, on Redis)")

DICT_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,200}\Z")
MAX_KEY_BYTES = 65535
DEFAULT_KEYS = 1024
_EXTRA = "shared"


class _Stores:
    """The store of one server process, opened at its first use and closed at unload."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.store: Store | None = None
        self.own_run_dir: str | None = None

    def get(self) -> Store:
        if self.store is None:
            config = self.ctx.config
            run_dir = ""
            if not config.shared_path and not config.shared_backend.startswith(("redis", "unix")):
                self.own_run_dir = run_dir = make_run_dir()
            self.store = open_store(config, run_dir)
        return self.store

    def close(self) -> None:
        store, self.store = self.store, None
        if store is not None:
            store.close_now()
        if self.own_run_dir is not None:
            remove_run_dir(self.own_run_dir)
            self.own_run_dir = None


@library.load
def _on_load(ctx: LibraryContext) -> None:
    ctx.extra[_EXTRA] = _Stores(ctx)


@library.unload
def _on_unload(ctx: LibraryContext) -> None:
    stores = ctx.extra.pop(_EXTRA, None)
    if stores is not None:
        stores.close()


def _check_key(method: str, key: bytes) -> bytes:
    if not key:
        raise LuaRuntimeError(f"bad argument #1 to '{method}' (key must not be empty)")
    if len(key) > MAX_KEY_BYTES:
        raise LuaRuntimeError(f"bad argument #1 to '{method}' (key longer than {MAX_KEY_BYTES} bytes)")
    return key


def _check_ttl(method: str, index: int, ttl: float | None) -> float | None:
    if ttl is None:
        return None
    if not ttl >= 0 or math.isinf(ttl):   # also NaN
        raise LuaRuntimeError(f"bad argument #{index} to '{method}' "
                              "(ttl must be a non-negative number of seconds)")
    return ttl or None


def _check_number(method: str, index: int, value: Any, what: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LuaRuntimeError(f"bad argument #{index} to '{method}' "
                              f"({what} expected, got {lua_type_name(value)})")
    return value


@library.object(name="shared_dict")
class SharedDict:
    def __init__(self, stores: _Stores, name: str) -> None:
        self._stores = stores
        self._name = name

    def _store(self) -> Store:
        return self._stores.get()

    async def get(self, key: bytes) -> tuple[Any]:
        # A one-element tuple: a missing key is one nil, not no value at all.
        return (codec.decode(await self._store().get(self._name, _check_key("get", key))),)

    async def set(self, key: bytes, value: Any = None, ttl: float | None = None) -> bool:
        key = _check_key("set", key)
        ttl = _check_ttl("set", 3, ttl)
        if value is None:
            await self._store().delete(self._name, key)
        else:
            await self._store().set(self._name, key, codec.encode(value), ttl)
        return True

    async def add(self, key: bytes, value: Any = None, ttl: float | None = None) -> tuple[bool, Any]:
        key = _check_key("add", key)
        ttl = _check_ttl("add", 3, ttl)
        if value is None:
            raise LuaRuntimeError("bad argument #2 to 'add' (value expected, got nil)")
        if await self._store().add(self._name, key, codec.encode(value), ttl):
            return True, None
        return False, "exists"

    async def replace(self, key: bytes, value: Any = None, ttl: float | None = None) -> tuple[bool, Any]:
        key = _check_key("replace", key)
        ttl = _check_ttl("replace", 3, ttl)
        if value is None:
            raise LuaRuntimeError("bad argument #2 to 'replace' (value expected, got nil)")
        if await self._store().replace(self._name, key, codec.encode(value), ttl):
            return True, None
        return False, "not found"

    async def incr(self, key: bytes, n: Any = None, init: Any = None, ttl: float | None = None) -> tuple:
        key = _check_key("incr", key)
        step = _check_number("incr", 2, n, "number")
        start = None if init is None else _check_number("incr", 3, init, "number or nil")
        ttl = _check_ttl("incr", 4, ttl)
        value, err = await self._store().incr(self._name, key, step, start, ttl)
        return (value, None) if err is None else (None, err)

    async def delete(self, key: bytes) -> bool:
        await self._store().delete(self._name, _check_key("delete", key))
        return True

    async def expire(self, key: bytes, ttl: float | None = None) -> tuple[Any, Any]:
        key = _check_key("expire", key)
        if ttl is None:
            raise LuaRuntimeError("bad argument #2 to 'expire' (number expected, got nil)")
        ttl = _check_ttl("expire", 2, ttl)
        if await self._store().expire(self._name, key, ttl):
            return True, None
        return None, "not found"

    async def ttl(self, key: bytes) -> tuple[Any, Any]:
        left = await self._store().ttl(self._name, _check_key("ttl", key))
        return (left, None) if left is not None else (None, "not found")

    async def keys(self, max_count: int | None = None) -> list[bytes]:
        limit = DEFAULT_KEYS if max_count is None else max_count
        if limit < 0:
            raise LuaRuntimeError("bad argument #1 to 'keys' (non-negative number expected)")
        return await self._store().keys(self._name, limit)

    async def flush_all(self) -> bool:
        await self._store().flush_all(self._name)
        return True

    def name(self) -> str:
        return self._name


@library.function(name="dict")
def shared_dict(ctx: LibraryContext, name: str) -> SharedDict:
    if not DICT_NAME.match(name):
        raise LuaRuntimeError(f"bad argument #1 to 'dict' (dictionary name '{name}' must be 1 to 200 "
                              "letters, digits, '_', '.' or '-')")
    return SharedDict(ctx.extra[_EXTRA], name)
