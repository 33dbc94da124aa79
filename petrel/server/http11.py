"""The I/O loop of an HTTP/1.1 connection: moves bytes between the socket and a protocol object.

The protocol object is sans-IO and comes in two kinds behind one interface
(:class:`~.protocol.http11_base.HTTP11Base`): h11 or httptools, chosen by server.http1-parser.
Requests on one connection are answered in order (pipelined requests wait in the protocol
object's buffer), each through :meth:`petrel.server.app.Server.dispatch`, in this connection's task.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import anyio

from .connections import Connection, TrackedStream
from .http2 import new_protocol, serve_http2
from ..messages import Response
from .protocol.common import make_request
from .protocol.errors import ProtocolError
from .protocol.http11 import NEED_DATA, PEER_CLOSED, HTTP11Base, RequestHead, protocol_class

log = logging.getLogger("petrel.server")

RECEIVE_SIZE = 65536
_DISCONNECTS = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream,
                ConnectionError, OSError)


# After an error response the client may still be sending (a huge head, a body we refused):
# closing at once would make the kernel answer those bytes with a reset, which can destroy the
# response before the client reads it. So we shut our side and read (and drop) a bounded amount
# for a bounded time first.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


# The loop's timers may fire a little before their time (uvloop's clock counts milliseconds): a
# deadline this close is taken as reached rather than set again.
_TIMER_SLACK = 0.002


class _Closed(Exception):
    """The connection is over (peer gone, idle timeout, or shutdown)."""


class _Reader:
    """Reads from the socket under the deadline of the current phase of the connection.

    Between requests the idle limit (server.keepalive-timeout) applies per read; once a byte of a
    head has arrived, the whole head must arrive before server.header-timeout from that moment (a
    per-read limit alone lets a client send a byte a minute forever); while a body is read, each
    read gets server.body-timeout. One cancel scope serves the whole connection, and one timer of
    the loop guards it: a read only writes its deadline down, and the timer, when it fires, cancels
    the scope if a read is still waiting past its deadline, or sets itself again for the deadline
    of now. So most reads cost no timer and no clock but the loop's. ``expired`` records which
    limit the deadline was, so the caller can answer 408 after the scope caught it.

    The waits for a next request go through the connection's :meth:`Connection.receive_idle`, so
    that a shutdown ends them at once.
    """

    __slots__ = ("stream", "connection", "protocol", "scope", "idle_timeout", "header_timeout",
                 "body_timeout", "head_deadline", "expired", "_head_expired", "_body_expired",
                 "_loop", "_clock", "_deadline", "_timer", "_timer_at")

    def __init__(self, stream: Any, connection: Connection | None, protocol: HTTP11Base, config: Any,
                 scope: anyio.CancelScope) -> None:
        self.stream = stream
        self.connection = connection
        self.protocol = protocol
        self.scope = scope
        self.idle_timeout = config.server_keepalive_timeout
        self.header_timeout = config.server_header_timeout
        self.body_timeout = config.server_body_timeout
        self.head_deadline = math.inf
        self.expired: str | None = None
        self._head_expired = (f"request head not complete within server.header-timeout "
                              f"({self.header_timeout} s)")
        self._body_expired = f"request body paused longer than server.body-timeout ({self.body_timeout} s)"
        self._loop = asyncio.get_running_loop()
        self._clock = self._loop.time
        self._deadline = math.inf    # of the read waiting now (inf: none waits)
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf    # when the timer fires (at or before any deadline set)

    def start_head_clock(self) -> None:
        """Called when the first byte of a request head is known to be here."""
        if self.head_deadline == math.inf:
            self.head_deadline = self._clock() + self.header_timeout

    async def for_head(self) -> None:
        if self.protocol.reading_head:
            self.start_head_clock()
            self.expired = self._head_expired
            await self._receive(self.head_deadline, False)
        else:
            self.expired = None   # an idle connection is closed without a word
            await self._receive(self._clock() + self.idle_timeout, True)

    async def for_body(self) -> None:
        self.expired = self._body_expired
        await self._receive(self._clock() + self.body_timeout, False)

    async def _receive(self, deadline: float, idle: bool) -> None:
        if deadline < self._timer_at:
            self._set_timer(deadline)
        self._deadline = deadline
        try:
            if idle and self.connection is not None:
                data = await self.connection.receive_idle(self.stream, RECEIVE_SIZE)
            else:
                data = await self.stream.receive(RECEIVE_SIZE)
        except anyio.EndOfStream:
            data = b""
        except _DISCONNECTS:
            raise _Closed() from None
        finally:
            self._deadline = math.inf   # handlers and writes are not bound by these limits
        self.protocol.receive_data(data)

    def _set_timer(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_at(when, self._on_timer)
        self._timer_at = when

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        deadline = self._deadline
        if deadline == math.inf:
            return   # no read waits: the next one sets the timer again
        if self._clock() + _TIMER_SLACK >= deadline:
            self.scope.cancel()
        else:
            self._set_timer(deadline)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._timer_at = math.inf


async def serve_http11(server: Any, stream: Any, first_bytes: bytes, remote: tuple[str, int],
                       proto: str) -> None:
    config = server.config
    protocol = protocol_class(config.server_http1_parser)(
        config.server_max_header_size, config.server_max_body_size,
        config.server_max_headers, config.server_max_request_line)
    protocol.new_request_id = server.front.ids.new   # errors answered before a request exists
    connection = None
    if isinstance(stream, TrackedStream):
        stream, connection = stream.unwrap()   # (this loop knows when it waits between requests)
    with anyio.CancelScope() as scope:
        reader = _Reader(stream, connection, protocol, config, scope)
        reader.start_head_clock()   # the first bytes of this connection are the first of a head
        protocol.receive_data(first_bytes)
        try:
            await _serve(server, stream, protocol, reader, remote, proto)
        except Exception:
            # A bug here must cost this connection, never the server (an exception out of this
            # task would end the task group that holds every connection).
            log.exception("internal error on the HTTP/1.1 connection from %s; closing it", remote[0])
            return
        finally:
            reader.stop()
    if scope.cancelled_caught:
        if reader.expired is None:
            log.debug("closing the idle connection from %s", remote[0])
        else:
            log.debug("timeout from %s: %s", remote[0], reader.expired)
            await _close_after_error(reader, protocol.error_response(408, reader.expired))


async def _serve(server: Any, stream: Any, protocol: HTTP11Base, reader: _Reader,
                 remote: tuple[str, int], proto: str) -> None:
    limit = server.config.server_keepalive_requests
    served = 0
    try:
        while True:
            try:
                head = protocol.next_head()
                while head is NEED_DATA:
                    if server.shutting_down:
                        raise _Closed()
                    await reader.for_head()
                    head = protocol.next_head()
                reader.head_deadline = math.inf
                if head is PEER_CLOSED:
                    return
                assert isinstance(head, RequestHead)
                arrived = time.time()
                if protocol.client_waits_for_continue:
                    await stream.send(protocol.continue_response())
                part = protocol.next_body_part()
                body = b""   # (most requests have none: no buffer to make and copy for them)
                if part is not None:
                    parts = bytearray()
                    while part is not None:
                        if part is NEED_DATA:
                            await reader.for_body()
                        else:
                            parts += part
                        part = protocol.next_body_part()
                    body = bytes(parts)
            except ProtocolError as exc:
                log.debug("bad request from %s: %s", remote[0], exc)
                await _close_after_error(reader, protocol.error_response(exc.status, str(exc)))
                return
            request = make_request(head, body, remote, proto, arrived)
            if proto == "http":
                settings = protocol.h2c_upgrade_settings(head)
                if settings is not None and not server.shutting_down:
                    h2 = new_protocol(server.config)
                    try:
                        h2.initiate_upgrade(settings)
                    except ProtocolError as exc:
                        # The upgrade is the client's offer: refused, the request is answered in HTTP/1.1.
                        log.debug("no upgrade to h2c for %s: %s", remote[0], exc)
                    else:
                        # RFC 7540 3.2: 101, then HTTP/2 with this request answered on stream 1.
                        await stream.send(protocol.switch_protocols("h2c"))
                        reader.stop()
                        await serve_http2(server, stream, protocol.trailing_data, remote, proto,
                                          protocol=h2, upgraded=request)
                        return
            response = await server.dispatch(request)
            served += 1
            at_limit = limit > 0 and served >= limit
            close = server.shutting_down or at_limit
            try:
                if response.stream is None:
                    # (the common case, in one write and without another coroutine)
                    body = response.body
                    length = response.content_length
                    out = protocol.response_head(response, len(body) if length is None else length, close)
                    if body:
                        out += protocol.body(body)
                    out += protocol.end()
                    await stream.send(out)
                else:
                    await _send_stream(stream, protocol, response, close)
            except ProtocolError as exc:
                # The writer refused the response (exc.status is 500); nothing of it was sent if
                # response_head refused it, else error_response is empty and the connection closes.
                log.error("cannot send the answer to %s %s: %s", request.method, request.path, exc)
                await _close_after_error(reader, protocol.error_response(
                    exc.status, "the response could not be written in HTTP/1.1"))
                return
            if at_limit:
                # The client may have pipelined more requests: let it read this answer first.
                await _close_after_error(reader, b"")
                return
            if close or protocol.must_close or not protocol.keep_alive:
                if protocol.has_unread_data:
                    # More was sent after a request that ends the connection (a pipelined one
                    # after "Connection: close"): close gently, as after an error.
                    await _close_after_error(reader, b"")
                return
            protocol.start_next_cycle()
    except _Closed:
        return
    except _DISCONNECTS:
        return


async def _close_after_error(reader: _Reader, reply: bytes) -> None:
    """Send ``reply``, shut our side, and drain what the client still sends (bounded) before the close.

    The answer is complete once sent, so the drain waits like a connection between requests: a
    shutdown ends it at once."""
    stream = reader.stream
    connection = reader.connection
    with anyio.move_on_after(LINGER_SECONDS):
        try:
            if reply:
                await stream.send(reply)
            try:
                await stream.send_eof()
            except NotImplementedError:
                pass   # TLS below 1.3 (and anyio's TLS streams) cannot half-close: just drain
            drained = 0
            while drained < LINGER_BYTES:
                if connection is not None:
                    drained += len(await connection.receive_idle(stream, RECEIVE_SIZE))
                else:
                    drained += len(await stream.receive(RECEIVE_SIZE))
        except _DISCONNECTS:
            pass


async def _send_stream(stream: Any, protocol: HTTP11Base, response: Response, close: bool) -> None:
    """A response whose body comes from ``response.stream`` (content_length announced)."""
    length = response.content_length or 0
    await stream.send(protocol.response_head(response, length, close))
    async for chunk in response.stream:
        data = protocol.body(chunk)
        if data:
            await stream.send(data)
    await stream.send(protocol.end())
