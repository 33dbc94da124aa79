"""``redis``: direct Redis commands from Lua, in the manner of OpenResty's lua-resty-redis.

::

    local r = redis()
    r:connect("127.0.0.1", 6379, {db = 2, password = "secret", timeout = 500})
    r:set("greeting", "hello")                  -- "OK"
    local v = r:get("greeting")                  -- "hello"; nil for a missing key
    local n = r:command("INCRBY", "hits", 5)     -- any command: integers come back as integers
    local p = r:pipeline()                       -- commands queued, sent in one round trip
    p:incr("a"); p:get("a")
    local replies = p:execute()                  -- {1, "1"}

redis-py's asyncio client speaks the protocol (hiredis parses replies when it is installed); this
module only maps values between Lua and Redis and holds connections. Every call is an ``async def``
that suspends only the calling request.

Connections: one pool per worker process for every (host, port, db, password, ssl) target. An
object takes one connection from its pool at its first command and keeps it (so MULTI/EXEC and
WATCH work as in lua-resty-redis) until the request ends, ``set_keepalive()`` or ``close()``; it
then goes back to the pool, or is closed when its state is unknown (after a failure, a timeout, or
a command that changes the connection's state such as MULTI without EXEC or SELECT).

Failures: an error reply is a Lua error with Redis's message (``redis: ERR wrong number of
arguments for 'get' command``); a server that cannot be reached or does not answer within the
timeout is a Lua error ``redis: 127.0.0.1:6379 unavailable: ...``. Commands are never retried (an
INCR whose reply was lost may have been applied); the next command takes a fresh connection, so
service resumes as soon as Redis is back.
"""

from __future__ import annotations

import math
import ssl as ssl_module
from typing import Any

import anyio

from ..net.reason import socket_reason
from .base import Library, LibraryContext, LuaRuntimeError, lua_type_name, _number_text

library = Library("redis", "direct Redis commands with pooled connections, like lua-resty-redis")

DEFAULT_PORT = 6379
DEFAULT_TIMEOUT_MS = 2000.0
POOL_SIZE = 64                     # connections per target and worker
MAX_PIPELINE = 10000               # commands one pipeline may queue
_EXTRA = "redis_pools"

# Commands that turn the connection into a stream of pushed messages: a request cannot use them.
REFUSED = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC", "QUIT", "RESET"}
# Commands after which the connection holds a state the next user must not inherit.
DIRTY = {"SELECT", "CLIENT", "AUTH", "HELLO", "READONLY", "READWRITE"}
# MULTI and WATCH hold it until EXEC, DISCARD or UNWATCH.
OPENS = {"MULTI", "WATCH"}
CLOSES = {"EXEC", "DISCARD", "UNWATCH"}

# The shorthand methods: r:get(...) is r:command("GET", ...). hgetall answers a table of
# field = value (command("HGETALL") keeps Redis's flat list).
SHORTHANDS = (
    "get", "set", "setex", "setnx", "getset", "mget", "mset", "del", "exists", "expire", "pexpire",
    "ttl", "pttl", "persist", "incr", "incrby", "incrbyfloat", "decr", "decrby", "append", "strlen",
    "keys", "type", "hget", "hset", "hsetnx", "hmget", "hdel", "hexists", "hincrby", "hkeys",
    "hvals", "hlen", "lpush", "rpush", "lpop", "rpop", "lrange", "llen", "lindex", "ltrim", "lrem",
    "sadd", "srem", "smembers", "sismember", "scard", "zadd", "zrem", "zscore", "zincrby", "zcard",
    "zrange", "zrangebyscore", "zrank", "publish", "eval", "evalsha", "ping", "echo", "time",
    "multi", "exec", "discard", "watch", "unwatch", "flushdb", "dbsize",
)


def _reason(exc: BaseException) -> str:
    """The cause in a few words: the system's words for a socket error ("connection refused")."""
    found = socket_reason(exc)
    if found is not None:
        return found
    text = str(exc) or type(exc).__name__
    return text.rstrip(".")


class _Pools:
    """The connection pools of one worker process, by target; dropped when the library unloads."""

    def __init__(self) -> None:
        self.pools: dict[tuple, Any] = {}

    def get(self, host: str, port: int, db: int, password: str | None, use_ssl: bool,
            verify: bool) -> Any:
        key = (host, port, db, password, use_ssl, verify)
        pool = self.pools.get(key)
        if pool is None:
            import redis.asyncio.connection as connection
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            options: dict[str, Any] = dict(host=host, port=port, db=db, password=password,
                                           retry=Retry(NoBackoff(), 0), max_connections=POOL_SIZE,
                                           timeout=None, protocol=2)
            if use_ssl:
                options["connection_class"] = connection.SSLConnection
                options["ssl_cert_reqs"] = "required" if verify else "none"
                options["ssl_check_hostname"] = verify
            pool = connection.BlockingConnectionPool(**options)
            self.pools[key] = pool
        return pool


@library.load
def _on_load(ctx: LibraryContext) -> None:
    ctx.extra[_EXTRA] = _Pools()


@library.unload
def _on_unload(ctx: LibraryContext) -> None:
    ctx.extra.pop(_EXTRA, None)   # the sockets close with the process


def _argument(method: str, index: int, value: Any) -> bytes | int | float:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LuaRuntimeError(f"bad argument #{index} to '{method}' (string or number expected, "
                              f"got {lua_type_name(value)})")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _number_text(value).encode()
        return repr(value).encode() if not value.is_integer() else str(int(value)).encode()
    return value


def _to_lua(reply: Any, top: bool = True) -> Any:
    """A reply as the Lua value: nil (top level) or false (inside a list) for a null, lists as
    arrays, an error inside a list (EXEC) as {err = message}."""
    import redis.exceptions as errors
    if reply is None:
        return None if top else False
    if isinstance(reply, list):
        return [_to_lua(item, False) for item in reply]
    if isinstance(reply, errors.ResponseError):
        return {"err": str(reply)}
    if isinstance(reply, (dict, set)):   # RESP3 shapes, should a server send them
        return ({_to_lua(k, False): _to_lua(v, False) for k, v in reply.items()}
                if isinstance(reply, dict) else [_to_lua(item, False) for item in reply])
    if isinstance(reply, bool):
        return 1 if reply else 0
    return reply


def _command_name(method: str, name: Any) -> str:
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    if not isinstance(name, str) or not name.strip():
        raise LuaRuntimeError(f"bad argument #1 to '{method}' (command name expected, got "
                              f"{lua_type_name(name) if not isinstance(name, str) else 'empty string'})")
    return name.strip().upper()


def _check_command(name: str) -> None:
    if name in REFUSED:
        raise LuaRuntimeError(f"redis: '{name}' cannot be used from a handler (it takes the "
                              "connection over)")


class _Lease:
    """One pooled connection held by a client; given back (or closed) exactly once."""

    __slots__ = ("pool", "conn", "dirty", "open", "done")

    def __init__(self, pool: Any, conn: Any) -> None:
        self.pool = pool
        self.conn = conn
        self.dirty = False   # its state is not that of a fresh connection: close it, do not pool it
        self.open = False    # inside MULTI or WATCH
        self.done = False

    async def finish(self, close: bool = False) -> None:
        if self.done:
            return
        self.done = True
        with anyio.CancelScope(shield=True):
            if close or self.dirty or self.open:
                try:
                    with anyio.move_on_after(1):
                        await self.conn.disconnect()
                except Exception:
                    pass
            await self.pool.release(self.conn)


class RedisClient:
    """One connection to one Redis target at a time; see the module docstring."""

    def __init__(self, ctx: LibraryContext) -> None:
        self._ctx = ctx
        self._pools: _Pools = ctx.extra[_EXTRA]
        self._where = ""
        self._timeout = DEFAULT_TIMEOUT_MS
        self._pool: Any = None
        self._lease: _Lease | None = None
        self._per_call = False   # outside a request: the connection goes back after each call

    # -- set-up -------------------------------------------------------------------------------
    async def connect(self, host: str, port: Any = None, options: dict | None = None) -> bool:
        """Choose the target and take a connection to it now (within the timeout)."""
        if not host:
            raise LuaRuntimeError("bad argument #1 to 'connect' (host name expected)")
        number = DEFAULT_PORT if port is None else _port(port)
        values = {_text(k): v for k, v in (options or {}).items()}
        unknown = sorted(k for k in values if k not in ("password", "db", "ssl", "ssl_verify", "timeout"))
        if unknown:
            raise LuaRuntimeError(f"bad argument #3 to 'connect' (unknown option '{unknown[0]}'; "
                                  "known: password, db, ssl, ssl_verify, timeout)")
        password = values.get("password")
        if password is not None:
            if not isinstance(password, (bytes, str)):
                raise LuaRuntimeError("bad argument #3 to 'connect' (password must be a string)")
            password = _text(password)
        db = values.get("db", 0)
        if isinstance(db, bool) or not isinstance(db, (int, float)) or db != int(db) or db < 0:
            raise LuaRuntimeError("bad argument #3 to 'connect' (db must be a non-negative integer)")
        if "timeout" in values:
            self.set_timeout(values["timeout"])
        use_ssl = values.get("ssl") not in (None, False)
        verify = values.get("ssl_verify") is not False
        await self._release()
        self._where = f"{'rediss' if use_ssl else 'redis'} {host}:{number}" + (f"/{int(db)}" if db else "")
        self._pool = self._pools.get(host, number, int(db), password, use_ssl, verify)
        await self._connection()
        await self._done()
        return True

    def set_timeout(self, ms: Any) -> None:
        """Milliseconds every later call may take (connect, send, reply); default 2000."""
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not ms > 0 or math.isinf(ms):
            raise LuaRuntimeError("bad argument #1 to 'set_timeout' (positive number of milliseconds "
                                  "expected)")
        self._timeout = float(ms)

    async def set_keepalive(self) -> bool:
        """Give the connection back to the pool now (the next command takes one again)."""
        await self._release()
        return True

    async def close(self) -> bool:
        """Close the connection (it is not kept in the pool)."""
        lease, self._lease = self._lease, None
        if lease is not None:
            await lease.finish(close=True)
        return True

    # -- connections ----------------------------------------------------------------------------
    async def _connection(self) -> _Lease:
        lease = self._lease
        if lease is not None and not lease.done:
            return lease
        if self._pool is None:
            raise LuaRuntimeError("redis: command sent before 'connect'")
        pool = self._pool
        try:
            with anyio.fail_after(self._timeout / 1000.0):
                conn = await pool.get_connection()
        except TimeoutError:
            raise LuaRuntimeError(f"redis: {self._where} unavailable: timeout connecting "
                                  f"(after {self._timeout:g} ms)") from None
        except Exception as exc:
            raise self._failure(exc) from None
        lease = self._lease = _Lease(pool, conn)
        # Held strongly by the request's cleanups: given back even if Lua drops the object.
        self._per_call = not self._ctx.at_request_end(lease.finish)
        return lease

    async def _release(self) -> None:
        lease, self._lease = self._lease, None
        if lease is not None:
            await lease.finish()

    async def _done(self) -> None:
        if self._per_call and self._lease is not None and not self._lease.open:
            await self._release()

    def _failure(self, exc: BaseException) -> LuaRuntimeError:
        import redis.exceptions as errors
        if isinstance(exc, errors.AuthenticationError):
            return LuaRuntimeError(f"redis: {self._where}: authentication failed: {_reason(exc)}")
        if isinstance(exc, errors.ResponseError):
            return LuaRuntimeError(f"redis: {_reason(exc)}")
        if isinstance(exc, (errors.ConnectionError, errors.TimeoutError, OSError, ssl_module.SSLError)):
            return LuaRuntimeError(f"redis: {self._where} unavailable: {_reason(exc)}")
        if isinstance(exc, errors.InvalidResponse):
            return LuaRuntimeError(f"redis: {self._where} does not answer in the Redis protocol "
                                   f"({_reason(exc)})")
        if isinstance(exc, RuntimeError) and "closed" in str(exc):
            # asyncio refusing to write to a transport the peer closed meanwhile
            return LuaRuntimeError(f"redis: {self._where} unavailable: connection closed by the server")
        return LuaRuntimeError(f"redis: {self._where}: {_reason(exc)}")

    async def _exchange(self, commands: list[tuple]) -> list[Any]:
        """Send ``commands`` in one write and read their replies (error replies as exceptions in
        the list); any failure on the way drops the connection."""
        import redis.exceptions as errors
        lease = await self._connection()
        conn = lease.conn
        replies: list[Any] = []
        try:
            with anyio.fail_after(self._timeout / 1000.0):
                await conn.send_packed_command(conn.pack_commands(commands), check_health=False)
                for _ in commands:
                    try:
                        replies.append(await conn.read_response(disconnect_on_error=True))
                    except errors.ResponseError as exc:
                        replies.append(exc)
        except BaseException as exc:
            self._lease = None
            await lease.finish(close=True)
            if isinstance(exc, TimeoutError):
                raise LuaRuntimeError(f"redis: {self._where} unavailable: timeout (no reply within "
                                      f"{self._timeout:g} ms)") from None
            if isinstance(exc, Exception):
                raise self._failure(exc) from None
            raise
        for command, _reply in zip(commands, replies):
            name = command[0].decode() if isinstance(command[0], bytes) else str(command[0])
            if name in DIRTY:
                lease.dirty = True
            elif name in OPENS:
                lease.open = True
            elif name in CLOSES:
                lease.open = False
        await self._done()
        return replies

    # -- commands -------------------------------------------------------------------------------
    async def command(self, name: Any = None, *args: Any) -> tuple:
        """Any Redis command: ``r:command("HINCRBY", "h", "f", 2)``."""
        command = _command_name("command", name)
        _check_command(command)
        converted = [_argument("command", index + 2, value) for index, value in enumerate(args)]
        return await self._one(command, converted)

    async def _one(self, command: str, args: list) -> tuple:
        reply = (await self._exchange([(command.encode(), *args)]))[0]
        import redis.exceptions as errors
        if isinstance(reply, errors.ResponseError):
            raise LuaRuntimeError(f"redis: {_reason(reply)}")
        return (_to_lua(reply),)

    def pipeline(self) -> "RedisPipeline":
        """A pipeline: its command methods queue, ``execute()`` sends them in one round trip."""
        if self._pool is None:
            raise LuaRuntimeError("redis: 'pipeline' called before 'connect'")
        return RedisPipeline(self)


def _pairs(reply: Any) -> Any:
    if isinstance(reply, list):
        return {reply[i]: reply[i + 1] for i in range(0, len(reply) - 1, 2)}
    return reply


def _port(port: Any) -> int:
    try:
        number = int(str(port.decode() if isinstance(port, bytes) else port).strip(), 10)
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise LuaRuntimeError(f"bad argument #2 to 'connect' (invalid port '{_text(port)}')")
    return number


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class RedisPipeline:
    """Queued commands of one client; ``execute()`` sends them and returns their replies."""

    def __init__(self, client: RedisClient) -> None:
        self._client = client
        self._commands: list[tuple] = []

    def command(self, name: Any = None, *args: Any) -> int:
        """Queue any command; returns how many are queued."""
        command = _command_name("command", name)
        return self._queue("command", command, args, 2)

    def _queue(self, method: str, command: str, args: tuple, first: int) -> int:
        _check_command(command)
        if len(self._commands) >= MAX_PIPELINE:
            raise LuaRuntimeError(f"redis: a pipeline holds at most {MAX_PIPELINE} commands")
        converted = [_argument(method, index + first, value) for index, value in enumerate(args)]
        self._commands.append((command.encode(), *converted))
        return len(self._commands)

    async def execute(self) -> list:
        """Send every queued command in one write; the list of their replies, in order. An error
        reply is a Lua error naming the command (after every reply was read: the connection stays
        usable); the queue is empty afterwards either way."""
        commands, self._commands = self._commands, []
        if not commands:
            return []
        replies = await self._client._exchange(commands)
        import redis.exceptions as errors
        for index, reply in enumerate(replies):
            if isinstance(reply, errors.ResponseError):
                raise LuaRuntimeError(f"redis: command {index + 1} of the pipeline "
                                      f"({commands[index][0].decode()}) failed: {_reason(reply)}")
        result = []
        for command, reply in zip(commands, replies):
            value = _to_lua(reply)
            if command[0] == b"HGETALL":
                value = _pairs(value)
            result.append(False if value is None else value)
        return result

    def cancel(self) -> None:
        """Forget the queued commands."""
        self._commands = []


def _client_shorthand(name: str):
    command = name.upper()

    async def shorthand(self: RedisClient, *args: Any) -> Any:
        _check_command(command)
        converted = [_argument(name, index + 1, value) for index, value in enumerate(args)]
        result = await self._one(command, converted)
        if command == "HGETALL":
            return (_pairs(result[0]),)
        return result
    shorthand.__name__ = name
    return shorthand


def _pipeline_shorthand(name: str):
    command = name.upper()

    def shorthand(self: RedisPipeline, *args: Any) -> int:
        return self._queue(name, command, args, 1)
    shorthand.__name__ = name
    return shorthand


for _name in SHORTHANDS + ("hgetall",):
    setattr(RedisClient, _name, _client_shorthand(_name))
    setattr(RedisPipeline, _name, _pipeline_shorthand(_name))
# r:pipeline(function(p) ... end): the function queues commands on p, then they are sent in one
# round trip and the replies returned (as p:execute() does). A handler's function is called from
# Lua, in the request's own coroutine, so this part is written in Lua.
PIPELINE_WITH_FUNCTION = """
local methods = ...
local queue = methods.pipeline
methods.pipeline = function(self, fn, ...)
    if fn == nil then return queue(self) end
    if type(fn) ~= "function" then
        error("bad argument #1 to 'pipeline' (function expected, got " .. type(fn) .. ")", 2)
    end
    local p = queue(self)
    fn(p, ...)
    return p:execute()
end
"""
library.object(RedisClient, name="redis", lua_methods=PIPELINE_WITH_FUNCTION)
library.object(RedisPipeline, name="redis_pipeline")


@library.construct
def new_redis(ctx: LibraryContext) -> RedisClient:
    return RedisClient(ctx)
