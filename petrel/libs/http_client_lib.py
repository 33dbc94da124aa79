"""``http_client`` (HTTP/1.1 on h11) and ``http2_client`` (HTTP/2 on h2): outbound requests from Lua.

::

    c = http_client()                     c = http2_client()
    c:connect("backend", "8080")          c:connect("backend", "443", true)   -- ssl, verified
    c:read_timeout(2000)                  status, content = c:get("/path")
    status, content = c:get("/path")
    status, content = c:post("/path", "body")

The protocols are sans-IO (h11, h2); a small anyio loop here moves their bytes over a TCP (or TLS)
stream, so every call is an ``async def`` that suspends only the calling request. Names resolve
through the server's DNS cache (``ctx.dns``).

As in the original server, ``connect`` opens the connection at once (within the connect timeout,
which therefore must be set before it). Later requests reuse it (keep-alive) and open a new one
when the server closed it or ``disable_keepalive()`` was called. Every failure is a Lua error naming
the host and the cause, "timeout" among them; no failure leaves the request waiting beyond its
timeouts. Connections are closed when the request that made the object ends, or earlier when Lua
collects the object.
"""

from __future__ import annotations

import ssl
import threading
import weakref
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import h11
import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from anyio.streams.tls import TLSAttribute, TLSStream

from ..net import DNSCache, DNSError
from ..net.reason import socket_reason
from .base import Library, LibraryContext, LuaRuntimeError

library = Library("http_client", "outbound HTTP/1.1 requests with keep-alive and timeouts")
http2_library = Library("http2_client", "outbound HTTP/2 requests, cleartext or TLS")

DEFAULT_TIMEOUT_MS = 5000.0
RECEIVE_SIZE = 65536
MAX_HEAD_SIZE = 64 * 1024
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
USER_AGENT = "petrel/http_client"
USER_AGENT_H2 = "petrel/http2_client"

_BROKEN = (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)


class _Stale(Exception):
    """A reused connection turned out closed before any response byte: retry on a fresh one."""


# -- connections -------------------------------------------------------------------------------------
class _Connection:
    """One TCP or TLS stream to ``host``:``port``, with the event loop it belongs to (for finalisers)."""

    __slots__ = ("stream", "host", "port", "thread", "token", "closed", "exchanges")

    def __init__(self, stream: Any, host: str, port: int) -> None:
        self.stream = stream
        self.host = host
        self.port = port
        self.thread = threading.get_ident()
        self.token = anyio.lowlevel.current_token()
        self.closed = False
        self.exchanges = 0   # requests completed on it; a reused connection may be stale

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            with anyio.CancelScope(shield=True):
                await self.stream.aclose()

    def close_now(self) -> None:
        """Close without awaiting, for finalisers and cancelled requests.

        anyio's socket streams give the socket up before their first ``await`` (what follows only
        lets the loop run), so the coroutine is run to that point and dropped. TLS is not shut down
        politely here; the peer sees the TCP connection end. A finaliser may run on another thread
        (an engine running Lua on worker threads): the closing is then handed to the loop's thread.
        """
        if self.closed:
            return
        self.closed = True
        if threading.get_ident() != self.thread:
            try:
                anyio.from_thread.run_sync(self._close_on_loop_thread, token=self.token)
            except Exception:   # the loop has ended, and its sockets with it
                pass
            return
        self._close_on_loop_thread()

    def _close_on_loop_thread(self) -> None:
        stream = self.stream
        while isinstance(stream, TLSStream):
            stream = stream.transport_stream
        closing = stream.aclose()
        try:
            closing.send(None)
        except BaseException:   # StopIteration when it finished at once; nothing else matters here
            pass
        finally:
            closing.close()


def _reason(exc: BaseException) -> str:
    """The cause of a network error in a few words ("connection refused")."""
    found = socket_reason(exc)
    if found is not None:
        return found
    if isinstance(exc, (anyio.BrokenResourceError, anyio.ClosedResourceError)):
        return "connection lost"
    return str(exc) or type(exc).__name__


def _check_port(method: str, port: Any) -> int:
    try:
        number = int(str(port).strip(), 10)
    except ValueError:
        number = 0
    if not 0 < number < 65536:
        raise LuaRuntimeError(f"bad argument #2 to '{method}' (invalid port '{port}')")
    return number


def _check_timeout(method: str, ms: float) -> float:
    if not ms > 0:   # also NaN
        raise LuaRuntimeError(f"bad argument #1 to '{method}' (positive number of milliseconds expected)")
    return ms


def _authority(host: str, port: int, default_port: int) -> str:
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return name if port == default_port else f"{name}:{port}"


async def _open(ctx: LibraryContext, lib: str, host: str, port: int, timeout_ms: float,
                tls: ssl.SSLContext | None = None) -> _Connection:
    """Resolve ``host`` through the DNS cache and connect to its addresses in turn (then TLS)."""
    dns: DNSCache = ctx.dns if ctx.dns is not None else DNSCache(0)
    where = f"{host}:{port}"
    last_error: BaseException | None = None
    try:
        with anyio.fail_after(timeout_ms / 1000.0):
            try:
                addresses = await dns.resolve(host, port)
            except DNSError as exc:
                raise LuaRuntimeError(f"{lib}: {exc}") from None
            for _family, sockaddr in addresses:
                try:
                    stream = await anyio.connect_tcp(sockaddr[0], port)
                except OSError as exc:
                    last_error = exc
                    continue
                if tls is None:
                    return _Connection(stream, host, port)
                try:
                    wrapped = await TLSStream.wrap(stream, hostname=host, ssl_context=tls,
                                                   standard_compatible=False)
                except BaseException as exc:
                    await anyio.aclose_forcefully(stream)
                    if isinstance(exc, (ssl.SSLError, *_BROKEN, anyio.EndOfStream)):
                        raise LuaRuntimeError(
                            f"{lib}: TLS handshake with {where} failed: {_reason(exc)}") from None
                    raise
                return _Connection(wrapped, host, port)
    except TimeoutError:
        raise LuaRuntimeError(f"{lib}: timeout connecting to {where} (after {timeout_ms:g} ms)") from None
    reason = _reason(last_error) if last_error is not None else "no address"
    raise LuaRuntimeError(f"{lib}: cannot connect to {where}: {reason}")


async def _receive(lib: str, conn: _Connection, timeout_ms: float, maybe_stale: bool = False) -> bytes:
    """The next bytes from the connection, b"" at its end; a Lua error on timeout or reset.

    ``maybe_stale``: a reset now means the server had closed this reused connection (_Stale).
    """
    try:
        with anyio.fail_after(timeout_ms / 1000.0):
            return await conn.stream.receive(RECEIVE_SIZE)
    except anyio.EndOfStream:
        return b""
    except TimeoutError:
        raise LuaRuntimeError(f"{lib}: timeout reading from {conn.host}:{conn.port} "
                              f"(no data for {timeout_ms:g} ms)") from None
    except (*_BROKEN, ssl.SSLError) as exc:
        if maybe_stale:
            raise _Stale() from None
        raise LuaRuntimeError(f"{lib}: connection to {conn.host}:{conn.port} failed while reading: "
                              f"{_reason(exc)}") from None


async def _send(lib: str, conn: _Connection, data: bytes, timeout_ms: float) -> None:
    try:
        with anyio.fail_after(timeout_ms / 1000.0):
            await conn.stream.send(data)
    except TimeoutError:
        raise LuaRuntimeError(f"{lib}: timeout sending to {conn.host}:{conn.port} "
                              f"(blocked for {timeout_ms:g} ms)") from None
    except (*_BROKEN, ssl.SSLError) as exc:
        if conn.exchanges:
            raise _Stale() from None
        raise LuaRuntimeError(f"{lib}: connection to {conn.host}:{conn.port} failed while sending: "
                              f"{_reason(exc)}") from None


class _ClientBase:
    """What both clients share: the target, the timeouts, one connection and its closing."""

    LIB = ""
    DEFAULT_PORT = 80

    def __init__(self, ctx: LibraryContext) -> None:
        self._ctx = ctx
        self._host: str | None = None
        self._port = self.DEFAULT_PORT
        self._connect_timeout = DEFAULT_TIMEOUT_MS
        self._read_timeout = DEFAULT_TIMEOUT_MS
        self._conn: _Connection | None = None
        self._tls: ssl.SSLContext | None = None
        ref = weakref.ref(self)

        async def close_at_request_end() -> None:
            client = ref()
            if client is not None:
                await client._disconnect()
        ctx.at_request_end(close_at_request_end)

    def __del__(self) -> None:
        conn = self.__dict__.get("_conn")
        if conn is not None:
            conn.close_now()

    def _require_target(self, method: str) -> str:
        if self._host is None:
            raise LuaRuntimeError(f"{self.LIB}: '{method}' called before 'connect'")
        return self._host

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.aclose()

    def _discard(self) -> None:
        """Drop the connection at once: its protocol state is unknown after a failure."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close_now()

    async def _new_connection(self) -> _Connection:
        assert self._host is not None
        return await _open(self._ctx, self.LIB, self._host, self._port, self._connect_timeout, self._tls)

    def _set_connect_timeout(self, ms: float) -> None:
        self._connect_timeout = _check_timeout("connect_timeout", ms)

    def _set_read_timeout(self, ms: float) -> None:
        self._read_timeout = _check_timeout("read_timeout", ms)


# -- HTTP/1.1 ------------------------------------------------------------------------------------------
@library.object(name="http_client")
class HttpClient(_ClientBase):
    LIB = "http_client"

    def __init__(self, ctx: LibraryContext) -> None:
        super().__init__(ctx)
        self._keepalive = True
        self._h11: h11.Connection | None = None

    async def connect(self, host: str, port: str = "80") -> None:
        """Open the connection to ``host``:``port`` (closing one this object had)."""
        port_number = _check_port("connect", port)
        if not host:
            raise LuaRuntimeError("bad argument #1 to 'connect' (host name expected)")
        await self._disconnect()
        self._host, self._port = host, port_number
        self._conn = await self._new_connection()
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_SIZE)

    def connect_timeout(self, ms: float) -> None:
        self._set_connect_timeout(ms)

    def read_timeout(self, ms: float) -> None:
        self._set_read_timeout(ms)

    def disable_keepalive(self) -> None:
        self._keepalive = False

    async def disconnect(self) -> None:
        await self._disconnect()

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self._request("get", "GET", path, None)

    async def post(self, path: str, content: bytes | None = None) -> tuple[int, bytes]:
        return await self._request("post", "POST", path, content if content is not None else b"")

    async def _request(self, method: str, verb: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        host = self._require_target(method)
        if not path.startswith("/"):
            path = "/" + path
        for _attempt in range(2):
            if self._conn is None or self._conn.closed:
                self._conn = await self._new_connection()
                self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_SIZE)
            conn = self._conn
            try:
                return await self._exchange(conn, host, verb, path, body)
            except _Stale:
                self._discard()   # the server closed the idle connection; once more on a new one
            except BaseException:
                self._discard()
                raise
        raise LuaRuntimeError(f"http_client: connection to {host}:{self._port} closed by the server "
                              "before answering")

    async def _exchange(self, conn: _Connection, host: str, verb: str, path: str,
                        body: bytes | None) -> tuple[int, bytes]:
        protocol = self._h11
        assert protocol is not None
        headers = [("host", _authority(host, self._port, 80)), ("accept", "*/*"),
                   ("user-agent", USER_AGENT)]
        if not self._keepalive:
            headers.append(("connection", "close"))
        if body is not None:
            headers.append(("content-length", str(len(body))))
        try:
            out = protocol.send(h11.Request(method=verb, target=path.encode("utf-8", "surrogateescape"),
                                            headers=headers))
            if body:
                out += protocol.send(h11.Data(data=body))
            out += protocol.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise LuaRuntimeError(f"http_client: bad request to {host}:{self._port}: {exc}") from None
        await _send(self.LIB, conn, out, self._read_timeout)
        where = f"{host}:{self._port}"
        status = 0
        location: bytes | None = None
        content = bytearray()
        received_any = False
        at_eof = False
        while True:
            try:
                event = protocol.next_event()
            except h11.RemoteProtocolError as exc:
                if at_eof:
                    raise LuaRuntimeError(f"http_client: connection to {where} closed before the "
                                          "response was complete") from None
                raise LuaRuntimeError(f"http_client: malformed response from {where}: {exc}") from None
            if event is h11.NEED_DATA:
                data = await _receive(self.LIB, conn, self._read_timeout,
                                      maybe_stale=conn.exchanges > 0 and not received_any)
                if not data:
                    if not received_any and conn.exchanges:
                        raise _Stale()
                    at_eof = True
                received_any = True
                protocol.receive_data(data)
            elif isinstance(event, h11.Response):
                status = event.status_code
                location = next((v for k, v in event.headers if k == b"location"), None)
            elif isinstance(event, h11.Data):
                content += event.data
                if len(content) > MAX_RESPONSE_BYTES:
                    raise LuaRuntimeError(f"http_client: response from {where} is larger than "
                                          f"{MAX_RESPONSE_BYTES} bytes")
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise LuaRuntimeError(f"http_client: connection to {where} closed before the response")
            # InformationalResponse (100 Continue and the like): keep reading
        conn.exchanges += 1
        if self._keepalive and protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
        else:
            await self._disconnect()
        if status == 302 and location is not None:
            # The original client answered a redirect with its target; services rely on it.
            return status, location
        return status, bytes(content)


@library.construct
def new_http_client(ctx: LibraryContext) -> HttpClient:
    return HttpClient(ctx)


# -- HTTP/2 --------------------------------------------------------------------------------------------
@http2_library.object(name="http2_client")
class Http2Client(_ClientBase):
    LIB = "http2_client"

    def __init__(self, ctx: LibraryContext) -> None:
        super().__init__(ctx)
        self._h2: h2.connection.H2Connection | None = None
        self._scheme = "http"

    async def connect(self, host: str, port: str | None = None, use_ssl: bool = False,
                      ssl_verify: bool = True) -> None:
        """Open the connection: h2c with prior knowledge, or TLS with ALPN "h2" when ``use_ssl``.

        The port defaults to 80, or 443 with TLS.
        """
        port_number = _check_port("connect", port if port is not None else (443 if use_ssl else 80))
        if not host:
            raise LuaRuntimeError("bad argument #1 to 'connect' (host name expected)")
        await self._disconnect()
        self._host, self._port = host, port_number
        self._scheme = "https" if use_ssl else "http"
        self._tls = _tls_context(ssl_verify) if use_ssl else None
        await self._start()

    async def _start(self) -> None:
        conn = await self._new_connection()
        self._conn = conn
        try:
            if isinstance(conn.stream, TLSStream):
                chosen = conn.stream.extra(TLSAttribute.alpn_protocol)
                if chosen not in (None, "h2"):
                    raise LuaRuntimeError(f"http2_client: {conn.host}:{conn.port} does not speak "
                                          f"HTTP/2 (it chose {chosen})")
            protocol = h2.connection.H2Connection(
                h2.config.H2Configuration(client_side=True, header_encoding=None))
            protocol.initiate_connection()
            self._h2 = protocol
            await _send(self.LIB, conn, protocol.data_to_send(), self._read_timeout)
        except BaseException:
            self._discard()
            raise

    def connect_timeout(self, ms: float) -> None:
        self._set_connect_timeout(ms)

    def read_timeout(self, ms: float) -> None:
        self._set_read_timeout(ms)

    async def disconnect(self) -> None:
        await self._disconnect()

    async def get(self, path: str) -> tuple[int, bytes]:
        host = self._require_target("get")
        if not path.startswith("/"):
            path = "/" + path
        for _attempt in range(2):
            if self._conn is None or self._conn.closed or self._h2 is None:
                await self._start()
            conn = self._conn
            assert conn is not None
            try:
                return await self._exchange(conn, host, path)
            except _Stale:
                self._discard()
            except BaseException:
                self._discard()
                raise
        raise LuaRuntimeError(f"http2_client: connection to {host}:{self._port} closed by the server "
                              "before answering")

    async def _exchange(self, conn: _Connection, host: str, path: str) -> tuple[int, bytes]:
        protocol = self._h2
        assert protocol is not None
        where = f"{host}:{self._port}"
        try:
            stream_id = protocol.get_next_available_stream_id()
            protocol.send_headers(stream_id, [
                (b":method", b"GET"), (b":scheme", self._scheme.encode()),
                (b":authority", _authority(host, self._port, 443 if self._tls else 80).encode()),
                (b":path", path.encode("utf-8", "surrogateescape")),
                (b"accept", b"*/*"), (b"user-agent", USER_AGENT_H2)], end_stream=True)
        except h2.exceptions.ProtocolError as exc:
            # The connection can take no new stream (GOAWAY received, stream ids used up).
            if conn.exchanges:
                raise _Stale() from None
            raise LuaRuntimeError(f"http2_client: cannot send to {where}: {exc}") from None
        await _send(self.LIB, conn, protocol.data_to_send(), self._read_timeout)
        status = 0
        content = bytearray()
        received_any = False
        while True:
            data = await _receive(self.LIB, conn, self._read_timeout,
                                  maybe_stale=conn.exchanges > 0 and not received_any)
            if not data:
                if not received_any and conn.exchanges:
                    raise _Stale()
                raise LuaRuntimeError(f"http2_client: connection to {where} closed before the "
                                      "response was complete")
            received_any = True
            try:
                events = protocol.receive_data(data)
            except h2.exceptions.ProtocolError as exc:
                raise LuaRuntimeError(f"http2_client: malformed response from {where}: "
                                      f"{type(exc).__name__}: {exc}") from None
            finished = False
            for event in events:
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                    status = _h2_status(event.headers, where)
                elif isinstance(event, h2.events.DataReceived):
                    if event.stream_id == stream_id:
                        content += event.data
                        if len(content) > MAX_RESPONSE_BYTES:
                            raise LuaRuntimeError(f"http2_client: response from {where} is larger "
                                                  f"than {MAX_RESPONSE_BYTES} bytes")
                    protocol.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                    finished = True
                elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                    raise LuaRuntimeError(f"http2_client: {where} reset the stream "
                                          f"({_error_name(event.error_code)})")
                elif isinstance(event, h2.events.ConnectionTerminated):
                    self._h2 = None   # no new streams on it; finish this response if it got one
                    if finished:
                        continue
                    unprocessed = event.last_stream_id is not None and event.last_stream_id < stream_id
                    if unprocessed and conn.exchanges:
                        raise _Stale()
                    raise LuaRuntimeError(f"http2_client: {where} ended the connection "
                                          f"({_error_name(event.error_code)})")
            out = protocol.data_to_send()
            if out:
                await _send(self.LIB, conn, out, self._read_timeout)
            if finished:
                break
        conn.exchanges += 1
        if self._h2 is None:
            await self._disconnect()
        return status, bytes(content)


def _h2_status(headers: list[tuple[bytes, bytes]], where: str) -> int:
    for name, value in headers:
        if name == b":status":
            try:
                return int(value)
            except ValueError:
                break
    raise LuaRuntimeError(f"http2_client: malformed response from {where}: no valid :status")


def _error_name(code: Any) -> str:
    return getattr(code, "name", None) or f"error code {code}"


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    return context


@http2_library.construct
def new_http2_client(ctx: LibraryContext) -> Http2Client:
    return Http2Client(ctx)
