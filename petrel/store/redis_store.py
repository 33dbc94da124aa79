"""``shared.backend=redis://host:port/db``: the shared dictionaries in Redis, for several servers.

redis-py's asyncio client (with hiredis parsing replies when it is installed), one connection pool
per worker process. Keys are ``<shared.prefix><dict>:<key>``; values are encoded by :mod:`.codec`,
integers as plain decimal text so that Redis's INCRBY works on them. ``incr`` with its ``init`` and
``ttl`` runs as one Lua script inside Redis, so it is atomic across every server.

Failures: a command that cannot reach Redis, or that gets no reply within ``shared.timeout``, is a
:class:`StoreError` naming the server and the cause. Commands are not retried (an ``incr`` whose
reply was lost may have been applied; sending it again could count it twice); the connection is
dropped and the next command connects again, so service resumes as soon as Redis is back. Idle
pooled connections are checked with a PING before reuse once they have been idle for
``HEALTH_CHECK_SECONDS``, so a Redis restart costs few errors.

Durability is Redis's own: a write Redis acknowledged is in its memory, and survives a Redis restart
only as far as its persistence (RDB snapshots, AOF and its fsync policy) is configured to keep it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from . import Store, StoreError
from . import codec

HEALTH_CHECK_SECONDS = 2
SCAN_COUNT = 500

# KEYS[1] the key; ARGV: the increment (encoded), the initial value (encoded, '' for none), the ttl in
# milliseconds ('' for none). Replies {'ok', encoded value}, {'missing'} or {'nan'}.
INCR_SCRIPT = """
local key, n, init, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local value = redis.call('GET', key)
if not value then
  if init == '' then return {'missing'} end
  if ttl ~= '' then redis.call('SET', key, init, 'PX', ttl) else redis.call('SET', key, init) end
  value = init
end
local is_int = string.match(value, '^-?%d+$') ~= nil
if is_int and string.match(n, '^-?%d+$') then
  redis.call('INCRBY', key, n)
  return {'ok', redis.call('GET', key)}
end
local current
if is_int then current = tonumber(value)
elseif string.sub(value, 1, 1) == 'f' then current = tonumber(string.sub(value, 2)) end
if current == nil then return {'nan'} end
local step = tonumber(n) or tonumber(string.sub(n, 2))
local result = 'f' .. string.format('%.17g', current + step)
redis.call('SET', key, result, 'KEEPTTL')
return {'ok', result}
"""

# KEYS[1]; ARGV[1] the ttl in milliseconds, '0' to remove it. 1 when the key exists.
EXPIRE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '0' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
"""

_GLOB = re.compile(rb"([*?\[\]\\])")


def describe_url(url: str) -> str:
    """The Redis server an URL names, without its password: ``redis 127.0.0.1:6379/0``."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"redis {parts.path}"
    host = parts.hostname or "localhost"
    port = parts.port or 6379
    db = parts.path.strip("/") or "0"
    return f"{'rediss' if parts.scheme == 'rediss' else 'redis'} {host}:{port}/{db}"


def redis_error(where: str, exc: BaseException) -> StoreError:
    import redis.exceptions as errors
    if isinstance(exc, (errors.ConnectionError, errors.TimeoutError, OSError)):
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, errors.TimeoutError):
            reason = f"timeout ({reason})"
        return StoreError(f"shared: {where} unavailable: {reason}")
    return StoreError(f"shared: {where}: {exc}")


def _ms(ttl: float | None) -> int | None:
    return max(1, round(ttl * 1000)) if ttl else None


class RedisStore(Store):
    def __init__(self, url: str, prefix: str, timeout: float) -> None:
        self.url = url
        self.prefix = prefix.encode()
        self.timeout = timeout
        self.describe = describe_url(url)
        self._client: Any = None
        self._incr: Any = None
        self._expire: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            self._client = redis.asyncio.Redis.from_url(
                self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0), health_check_interval=HEALTH_CHECK_SECONDS)
            self._incr = self._client.register_script(INCR_SCRIPT)
            self._expire = self._client.register_script(EXPIRE_SCRIPT)
        return self._client

    def _key(self, space: str, key: bytes) -> bytes:
        return self.prefix + space.encode() + b":" + key

    async def _call(self, *args: Any) -> Any:
        client = self._redis()
        try:
            return await client.execute_command(*args)
        except Exception as exc:
            raise redis_error(self.describe, exc) from None

    async def _script(self, name: str, keys: list, args: list) -> Any:
        self._redis()
        try:
            return await getattr(self, name)(keys=keys, args=args)
        except Exception as exc:
            raise redis_error(self.describe, exc) from None

    async def _set(self, space: str, key: bytes, value: bytes, ttl: float | None, *flags: str) -> Any:
        ms = _ms(ttl)
        args: list[Any] = ["SET", self._key(space, key), value]
        if ms:
            args += ["PX", ms]
        return await self._call(*args, *flags)

    async def get(self, space: str, key: bytes) -> bytes | None:
        return await self._call("GET", self._key(space, key))

    async def set(self, space: str, key: bytes, value: bytes, ttl: float | None) -> None:
        await self._set(space, key, value, ttl)

    async def add(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool:
        return bool(await self._set(space, key, value, ttl, "NX"))

    async def replace(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool:
        return bool(await self._set(space, key, value, ttl, "XX"))

    async def incr(self, space: str, key: bytes, n: int | float, init: int | float | None,
                   ttl: float | None) -> tuple[int | float | None, str | None]:
        ms = _ms(ttl)
        reply = await self._script("_incr", [self._key(space, key)],
                                   [codec.encode(n), codec.encode(init) if init is not None else b"",
                                    ms if ms else b""])
        status = reply[0]
        if status == b"missing":
            return None, "not found"
        if status == b"nan":
            return None, "not a number"
        return codec.number(reply[1]), None

    async def delete(self, space: str, key: bytes) -> None:
        await self._call("DEL", self._key(space, key))

    async def expire(self, space: str, key: bytes, ttl: float | None) -> bool:
        return bool(await self._script("_expire", [self._key(space, key)], [_ms(ttl) or 0]))

    async def ttl(self, space: str, key: bytes) -> float | None:
        ms = await self._call("PTTL", self._key(space, key))
        if ms == -2:
            return None
        return 0 if ms == -1 else max(ms, 1) / 1000.0

    async def keys(self, space: str, limit: int) -> list[bytes]:
        start = self._key(space, b"")
        pattern = _GLOB.sub(rb"\\\1", start) + b"*"
        found: list[bytes] = []
        cursor: Any = 0
        while True:
            cursor, batch = await self._call("SCAN", cursor, "MATCH", pattern, "COUNT", SCAN_COUNT)
            for name in batch:
                found.append(name[len(start):])
                if 0 < limit <= len(found):
                    return found
            if int(cursor) == 0:
                return found

    async def flush_all(self, space: str) -> None:
        names = await self.keys(space, 0)
        start = self._key(space, b"")
        for index in range(0, len(names), SCAN_COUNT):
            await self._call("UNLINK", *(start + name for name in names[index:index + SCAN_COUNT]))

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def close_now(self) -> None:
        self._client = None   # its sockets close with the process (no loop to await on here)
