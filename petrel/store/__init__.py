"""Stores behind the ``shared`` library: data every worker of a server (and, on Redis, every server)
sees.

A store holds named dictionaries of encoded values (:mod:`.codec`) with optional expiry. Two
backends implement :class:`Store`:

- :mod:`.sqlite_store`, the embedded default: one SQLite database in WAL mode on a local file,
  shared by every worker process of one server, no service to run;
- :mod:`.redis_store` (``shared.backend=redis://host:port/db``): Redis through redis-py's asyncio
  client, shared by every server that points at it.

Every method is ``async`` and suspends only the calling request. A store that cannot be reached is a
:class:`StoreError` (the library makes it a Lua error); the next call tries again.
"""

from __future__ import annotations

from typing import Any

from ..luavalues import LuaRuntimeError


class StoreError(LuaRuntimeError):
    """The store failed or cannot be reached; worded for the handler's author."""


class Store:
    """The operations of ``shared.dict``. ``ttl`` is in seconds; 0 or None means no expiry.

    Methods return what the Lua method returns, as Python values (see petrel.libs.shared_lib).
    """

    async def get(self, space: str, key: bytes) -> bytes | None: ...
    async def set(self, space: str, key: bytes, value: bytes, ttl: float | None) -> None: ...
    async def add(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool: ...
    async def replace(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool: ...

    async def incr(self, space: str, key: bytes, n: int | float, init: int | float | None,
                   ttl: float | None) -> tuple[int | float | None, str | None]:
        """The new value, or (None, "not found") / (None, "not a number")."""
        ...

    async def delete(self, space: str, key: bytes) -> None: ...
    async def expire(self, space: str, key: bytes, ttl: float | None) -> bool: ...

    async def ttl(self, space: str, key: bytes) -> float | None:
        """Seconds left, 0 for no expiry, None when the key does not exist."""
        ...

    async def keys(self, space: str, limit: int) -> list[bytes]: ...
    async def flush_all(self, space: str) -> None: ...
    async def aclose(self) -> None: ...
    def close_now(self) -> None: ...
    describe = "store"


def open_store(config: Any, run_dir: str) -> Store:
    """The store ``config.shared_backend`` names; ``run_dir`` holds the embedded one's file."""
    backend = config.shared_backend
    if backend.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisStore
        return RedisStore(backend, config.shared_prefix, config.shared_timeout / 1000.0)
    import os

    from .rundir import EMBEDDED_FILE
    from .sqlite_store import SQLiteStore
    path = config.shared_path or os.path.join(run_dir, EMBEDDED_FILE)
    return SQLiteStore(path, config.shared_timeout / 1000.0)


__all__ = ["Store", "StoreError", "open_store"]
