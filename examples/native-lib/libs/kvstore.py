"""A native library for petrel: a small in-memory key-value store shared by every Lua state.

Lua sees it after ``petrel.load_lib("kvstore")``:

    kvstore.set("k", "v")            -- static functions
    local v = kvstore.get("k")
    local n = kvstore.size()
    local b = kvstore.bucket("users") -- an object, methods called with ':'
    b:put("ann", "42")
    local value = b:fetch("ann")
    local keys = b:keys()             -- a table
    local v = kvstore.slow_get("k", 10) -- async: suspends only this request for 10 ms
"""

from __future__ import annotations

import anyio

from petrel.libs import Library, LibraryContext, LuaRuntimeError

library = Library("kvstore", "an in-memory key-value store shared by every state of the process")



def _store(ctx: LibraryContext) -> dict[str, bytes]:
    return ctx.extra["kvstore"]


@library.load
def on_load(ctx: LibraryContext) -> None:
    ctx.extra["kvstore"] = {}
    ctx.extra["kvstore_states"] = 0
    ctx.logger.info("kvstore loaded (DNS cache: %s)", "yes" if ctx.dns is not None else "no")


@library.state_init
def on_state_init(ctx: LibraryContext) -> None:
    ctx.extra["kvstore_states"] += 1


@library.unload
def on_unload(ctx: LibraryContext) -> None:
    ctx.logger.info("kvstore unloaded with %d keys", len(_store(ctx)))


@library.function
def set(ctx: LibraryContext, key: str, value: bytes) -> None:  # noqa: A001 - the Lua name
    _store(ctx)[key] = value


@library.function
def get(ctx: LibraryContext, key: str) -> bytes | None:
    return _store(ctx).get(key)


@library.function
def size(ctx: LibraryContext) -> int:
    return len(_store(ctx))


@library.function
def states(ctx: LibraryContext) -> int:
    """How many Lua states have initialised this library."""
    return ctx.extra["kvstore_states"]


@library.function
async def slow_get(ctx: LibraryContext, key: str, millis: int = 10) -> bytes | None:
    await anyio.sleep(millis / 1000)
    return _store(ctx).get(key)


@library.object(name="bucket")
class Bucket:
    def __init__(self, ctx: LibraryContext, name: str) -> None:
        self.prefix = name + "/"
        self.store = _store(ctx)

    def put(self, key: str, value: bytes) -> None:
        self.store[self.prefix + key] = value

    def fetch(self, key: str) -> bytes:
        try:
            return self.store[self.prefix + key]
        except KeyError:
            raise LuaRuntimeError(f"no key '{key}' in bucket '{self.prefix[:-1]}'") from None

    def keys(self) -> list[str]:
        return sorted(k[len(self.prefix):] for k in self.store if k.startswith(self.prefix))


@library.function
def bucket(ctx: LibraryContext, name: str) -> Bucket:
    return Bucket(ctx, name)
