"""The I/O loop of an HTTP/2 connection: moves bytes between the socket and HTTP2Protocol.

One task reads frames and feeds them to the protocol; every request runs in a task of its own (its
fiber) through :meth:`petrel.server.app.Server.dispatch`, so a slow handler delays only its stream.
A stream's task is a plain asyncio task with one cancel scope of its own (an anyio task in the
connection's task group would cost a second scope, an event and the group's bookkeeping per
request); the connection cancels and awaits the ones still running when it ends. A client's
RST_STREAM cancels that stream's scope; the handler's Lua state goes back to the state buffer in
``dispatch``'s ``finally``.

Writes: the protocol object queues whole frames, and one writer task sends whatever is queued, so
frames leave in the order they were made and a cancelled stream never tears a frame in half. A
stream that has queued its answer only wakes the writer, which runs after every task ready in the
same loop turn: the answers of the streams that finished together leave in one write. Whoever must
know that its bytes are out (the reader, a body over FLUSH_SIZE, the last GOAWAY) waits in
:meth:`HTTP2Connection._flush`. A response body is sent within the peer's flow-control windows; a
stream whose window is empty waits for the WINDOW_UPDATE that opens it.

Abuse: the protocol object counts resets and control frames and bounds header blocks (see
``protocol/http2_guard.py``); over a limit it queues GOAWAY ENHANCE_YOUR_CALM, and the loop sends it,
cancels every stream and closes after a short lingering drain. A stream reset before its task first
runs never calls its handler. The server's own output is bounded too: the reader does not read
again until what the last bytes made it queue (PING and SETTINGS ACKs, 400s, resets) is written and
no write is under way, so a client that does not read stops being read, and a write that cannot
finish within keepalive-timeout ends the connection.

Shutdown: when the server stops (``server.stopping``), the connection sends GOAWAY naming the last
stream it will serve, refuses newer streams, lets the open ones finish, then closes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import anyio
import h2.exceptions

from ..messages import Request, Response
from .protocol.common import make_request
from .protocol.errors import ProtocolError
from .protocol.http2 import (ConnectionEnded, ErrorCodes, HTTP2Protocol, HTTP2Settings, RequestReady,
                             RequestRejected, StreamCancelled, WindowOpened)

log = logging.getLogger("petrel.server")

RECEIVE_SIZE = 65536
FLUSH_SIZE = 65536   # body bytes queued before they are written out
# After a GOAWAY for an error: how long, and how many bytes, the client's input is still read and
# dropped before the socket is closed (see HTTP2Connection._linger).
LINGER_SECONDS = 1.0
LINGER_BYTES = 1 << 20
_DISCONNECTS = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream,
                ConnectionError, OSError)


def new_protocol(config: Any) -> HTTP2Protocol:
    return HTTP2Protocol(HTTP2Settings.from_config(config), config.server_max_body_size)


# The class anyio.CancelScope() makes on the running backend (asyncio's), found on the first
# connection: calling it directly skips the backend lookup anyio.CancelScope makes every time.
_cancel_scope: Any = None


class _Stream:
    """A request being served: its task, the task's cancel scope and the event its sender waits on
    (made only when a send window is empty, which most responses never meet)."""

    __slots__ = ("stream_id", "scope", "task", "window")

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.scope = _cancel_scope()
        self.task: asyncio.Task | None = None
        self.window: anyio.Event | None = None


async def serve_http2(server: Any, stream: Any, first_bytes: bytes, remote: tuple[str, int],
                      proto: str, *, protocol: HTTP2Protocol | None = None,
                      upgraded: Request | None = None) -> None:
    """Serve one HTTP/2 connection until it ends.

    Prior knowledge and ALPN ``h2``: ``first_bytes`` start with the client preface. Upgrade from
    HTTP/1.1: ``protocol`` has been through ``initiate_upgrade`` and ``upgraded`` is the request
    to answer on stream 1.
    """
    if protocol is None:
        protocol = new_protocol(server.config)
        protocol.initiate()
    connection = HTTP2Connection(server, stream, protocol, remote, proto)
    try:
        await connection.run(first_bytes, upgraded)
    except Exception:
        # A bug here must cost this connection only, never the listener and its other connections.
        log.exception("internal error on the HTTP/2 connection from %s", remote[0])


async def _close_body(response: Response) -> None:
    """Close a streamed body (an open file) now, even when the stream was cancelled."""
    aclose = getattr(response.stream, "aclose", None)
    if aclose is not None:
        with anyio.CancelScope(shield=True):
            await aclose()


class HTTP2Connection:
    def __init__(self, server: Any, stream: Any, protocol: HTTP2Protocol, remote: tuple[str, int],
                 proto: str) -> None:
        self.server = server
        self.stream = stream
        self.protocol = protocol
        protocol.new_request_id = server.front.ids.new   # requests the protocol answers itself
        self.remote = remote
        self.proto = proto
        self.timeout = server.config.server_keepalive_timeout
        self.body_timeout = server.config.server_body_timeout
        self._streams: dict[int, _Stream] = {}
        self._tg: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # The writer: woken by _write_soon; _out holds bytes taken from the protocol ahead of a
        # frame made outside it (the graceful GOAWAY); _waiters are _flush calls waiting for it.
        self._wake = asyncio.Event()
        self._out: list[bytes] = []
        self._waiters: list[asyncio.Future] = []
        self._sending = False
        self._ended = False   # the task group is gone: no more tasks in it
        self._going_away = False
        self._last_stream_id = 0
        self._finishing = False
        self._failed = False   # we sent GOAWAY for an error the client made

    async def run(self, first_bytes: bytes, upgraded: Request | None) -> None:
        global _cancel_scope
        if _cancel_scope is None:
            _cancel_scope = type(anyio.CancelScope())
        self._loop = asyncio.get_running_loop()
        try:
            try:
                async with anyio.create_task_group() as tg:
                    self._tg = tg
                    tg.start_soon(self._writer)
                    if upgraded is not None:
                        self._start(1, upgraded)
                    tg.start_soon(self._go_away_on, self.server.stopping)
                    await self._read(first_bytes)
                    # The reader is done: the peer left or broke the protocol; nobody can be answered.
                    tg.cancel_scope.cancel()
            finally:
                self._ended = True
                await self._cancel_streams()
            if self._failed:
                await self._linger()
        except _DISCONNECTS:
            pass
        except ExceptionGroup as group:
            # A task met the peer's going away: that ends the connection as a disconnect does;
            # anything else is still an error.
            _, rest = group.split(_DISCONNECTS)
            if rest is not None:
                raise rest from None

    async def _cancel_streams(self) -> None:
        """Cancel the streams still being served and wait for them (their Lua states go back)."""
        if not self._streams:
            return
        tasks = []
        for active in self._streams.values():
            active.scope.cancel()
            tasks.append(active.task)
        with anyio.CancelScope(shield=True):
            await asyncio.wait(tasks)
        buffer = self.server.buffer
        log.debug("HTTP/2 connection from %s ended with %d streams unanswered, their handlers cancelled "
                  "(Lua states in use: %d)", self.remote[0], len(tasks), buffer.in_use if buffer else 0)

    async def _linger(self) -> None:
        """Read and drop the client's input for a moment after an error GOAWAY, then let it close.

        A socket closed with unread input sends a TCP reset, and a reset can destroy the GOAWAY in
        flight before the client has read it; a flooding client has always sent more. So the write
        side is shut first (where the transport can: TLS cannot), then input is drained, bounded in
        time and bytes, as servers do for a lingering close.
        """
        with anyio.move_on_after(LINGER_SECONDS):
            try:
                await self.stream.send_eof()
            except NotImplementedError:
                pass
            drained = 0
            while drained < LINGER_BYTES:
                drained += len(await self.stream.receive(RECEIVE_SIZE))

    # -- reading -----------------------------------------------------------------------------------
    async def _read(self, data: bytes) -> None:
        protocol = self.protocol
        while True:
            if data:
                if not self._handle(protocol.receive_data(data, time.time())):
                    await self._flush()
                    return
                await self._flush()
                self._maybe_finish()
            data = await self._receive()
            if data is None:
                return

    async def _receive(self) -> bytes | None:
        """The next bytes; None when the peer is gone or the connection idled out (GOAWAY sent).

        Idle is: no handler running and nothing from the client for keepalive-timeout, or for
        body-timeout while a request body it started is incomplete (the server's window is always
        open, so only the client can be stalling it).
        """
        while True:
            pending = self.protocol.pending_requests
            timeout = self.body_timeout if pending else self.timeout
            with anyio.move_on_after(timeout):
                try:
                    data = await self.stream.receive(RECEIVE_SIZE)
                except _DISCONNECTS:
                    return None
                return data
            if not self._streams:
                log.debug("HTTP/2 connection from %s idle for %ss%s, closing", self.remote[0], timeout,
                          f" with {pending} request bodies incomplete" if pending else "")
                self.protocol.close(ErrorCodes.NO_ERROR)
                await self._flush()
                return None

    def _handle(self, events: list) -> bool:
        """Act on the protocol's events; False when the connection is over."""
        for event in events:
            if isinstance(event, RequestReady):
                if self._going_away and event.stream_id > self._last_stream_id:
                    self.protocol.reset_stream(event.stream_id, ErrorCodes.REFUSED_STREAM)
                    if self.protocol.closed:   # refused too many: GOAWAY is queued
                        log.info("HTTP/2 connection from %s: too many streams refused, closing",
                                 self.remote[0])
                        self._failed = True
                        return False
                    continue
                self._start(event.stream_id, make_request(event.head, event.body, self.remote, self.proto,
                                                          event.arrived))
            elif isinstance(event, WindowOpened):
                if event.stream_id == 0:
                    for active in self._streams.values():
                        if active.window is not None:
                            active.window.set()
                else:
                    active = self._streams.get(event.stream_id)
                    if active is not None and active.window is not None:
                        active.window.set()
            elif isinstance(event, StreamCancelled):
                active = self._streams.get(event.stream_id)
                if active is not None:
                    active.scope.cancel()
            elif isinstance(event, RequestRejected):
                log.debug("HTTP/2 stream %d from %s: %d (%s)", event.stream_id, self.remote[0],
                          event.status, event.reason)
            elif isinstance(event, ConnectionEnded):
                if event.error_code == ErrorCodes.ENHANCE_YOUR_CALM:
                    log.info("HTTP/2 connection from %s ended: %s (ENHANCE_YOUR_CALM)", self.remote[0],
                             event.reason)
                elif event.error_code:
                    log.debug("HTTP/2 connection from %s ended: %s (error %d)", self.remote[0],
                              event.reason, event.error_code)
                self._failed = not event.by_peer and event.error_code != 0
                return False
        return True

    # -- streams -----------------------------------------------------------------------------------
    def _start(self, stream_id: int, request: Request) -> None:
        active = _Stream(stream_id)
        self._streams[stream_id] = active
        active.task = self._loop.create_task(self._serve_stream(active, request))

    async def _serve_stream(self, active: _Stream, request: Request) -> None:
        stream_id = active.stream_id
        try:
            with active.scope:
                if active.scope.cancel_called:
                    return   # reset before this task first ran: the handler never starts
                response = await self.server.dispatch(request)
                await self._send_response(active, response, request.method == "HEAD")
        except h2.exceptions.ProtocolError as exc:
            # Reset by the client while we were writing, or the connection is closing.
            log.debug("HTTP/2 stream %d: response not sent: %s", stream_id, exc)
        except ProtocolError as exc:
            # The response head cannot be written (send_headers refused it before queuing any of
            # it): answer exc.status instead, as HTTP/1.1 does.
            log.error("cannot send the answer to %s %s: %s", request.method, request.path, exc)
            try:
                self.protocol.send_error(stream_id, exc.status, request.method)
            except h2.exceptions.ProtocolError:
                pass   # the connection is closing: nobody to answer
            self._write_soon()
        except Exception:
            log.exception("HTTP/2 stream %d: %s %s failed", stream_id, request.method, request.path)
            self.protocol.reset_stream(stream_id, ErrorCodes.INTERNAL_ERROR)
            self._write_soon()
        finally:
            del self._streams[stream_id]
            if active.scope.cancel_called and not self._ended:
                buffer = self.server.buffer
                log.debug("HTTP/2 stream %d reset by the client, its handler cancelled "
                          "(Lua states in use: %d)", stream_id, buffer.in_use if buffer else 0)
            self._maybe_finish()

    async def _send_response(self, active: _Stream, response: Response, head_only: bool) -> None:
        protocol = self.protocol
        stream_id = active.stream_id
        if response.stream is not None:
            length = response.content_length or 0
        else:
            length = response.content_length if response.content_length is not None else len(response.body)
        no_body = head_only or response.status in (204, 304)
        if no_body or (response.stream is None and not response.body):
            protocol.send_headers(stream_id, response, length, end_stream=True)
            self._write_soon()
            await _close_body(response)
            return
        protocol.send_headers(stream_id, response, length, end_stream=False)
        if response.stream is None:
            await self._send_body(active, response.body, end=True)
        else:
            try:
                async for chunk in response.stream:
                    await self._send_body(active, chunk, end=False)
            finally:
                await _close_body(response)
            protocol.end_stream(stream_id)
        self._write_soon()

    async def _send_body(self, active: _Stream, data: bytes, end: bool) -> None:
        protocol = self.protocol
        stream_id = active.stream_id
        view = memoryview(data)
        total = len(view)
        offset = 0
        queued = 0
        while offset < total:
            window = protocol.send_window(stream_id)
            if window <= 0:
                await self._flush()
                queued = 0
                active.window = window_opened = anyio.Event()
                if protocol.send_window(stream_id) <= 0:
                    await window_opened.wait()
                continue
            size = min(window, protocol.max_frame_size, total - offset)
            protocol.send_data(stream_id, view[offset:offset + size], end_stream=end and offset + size == total)
            offset += size
            queued += size
            if queued >= FLUSH_SIZE:
                await self._flush()
                queued = 0

    # -- writing -----------------------------------------------------------------------------------
    def _write_soon(self) -> None:
        """Have the writer send what the protocol has queued, once the tasks ready now have run."""
        self._wake.set()

    async def _flush(self, extra: bytes = b"") -> None:
        """Have what the protocol has queued (then ``extra``) sent, and wait until it is, and until
        no write is under way. Returns at once when there is neither."""
        data = self.protocol.data_to_send()
        if data:
            self._out.append(data)
        if extra:
            self._out.append(extra)
        if not self._out and not self._sending:
            return
        waiter = self._loop.create_future()
        self._waiters.append(waiter)
        self._wake.set()
        await waiter

    async def _writer(self) -> None:
        """Send what is queued, in order, each write within keepalive-timeout: a peer that stops
        reading for that long, or goes away, ends the connection."""
        protocol = self.protocol
        stream = self.stream
        wake = self._wake
        loop = self._loop
        out = self._out
        scope = anyio.CancelScope()   # one for the connection; its deadline is set per write
        with scope:
            try:
                while True:
                    await wake.wait()
                    wake.clear()
                    while True:
                        waiters = self._waiters
                        self._waiters = []
                        data = protocol.data_to_send()
                        if out:
                            out.append(data)
                            data = b"".join(out)
                            out.clear()
                        if data:
                            self._sending = True
                            scope.deadline = loop.time() + self.timeout
                            await stream.send(data)
                            scope.deadline = math.inf
                            self._sending = False
                        for waiter in waiters:
                            if not waiter.done():
                                waiter.set_result(None)
                        if not data and not self._waiters:
                            break
            except _DISCONNECTS:
                pass
        # The write timed out (the scope's deadline) or the peer went away: the connection is over.
        if scope.cancelled_caught:
            log.debug("HTTP/2 connection from %s: a write not taken within %ss, closing",
                      self.remote[0], self.timeout)
        self._sending = False
        self._tg.cancel_scope.cancel()

    # -- shutdown ----------------------------------------------------------------------------------
    async def _go_away_on(self, stopping: Any) -> None:
        await stopping.wait()
        self._going_away = True
        self._last_stream_id = self.protocol.highest_stream_id
        await self._flush(self.protocol.goaway_frame(self._last_stream_id))
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        """After GOAWAY, close once the last stream is answered."""
        if (self._going_away and not self._finishing and not self._ended and not self._streams
                and not self.protocol.pending_requests):
            self._finishing = True
            self._tg.start_soon(self._finish)

    async def _finish(self) -> None:
        self.protocol.close(ErrorCodes.NO_ERROR, self._last_stream_id)
        await self._flush()
        self._tg.cancel_scope.cancel()
