"""Client connections as shutdown sees them: idle (closed at once) or busy (left to finish).

At SIGTERM an HTTP/1.1 connection that waits for its next request is closed now, while one in
the middle of a request or response is left to finish it (the response then says Connection:
close). The HTTP/1.1 loop does not need to know: its stream is a :class:`TrackedStream`, which
tells the two apart from the bytes that pass. After a response (anything sent but an interim 1xx
response) the connection is between requests until the next bytes arrive; a receive in that state
is the one a shutdown cuts short, and it ends like a peer that closed (EndOfStream). A ``101
Switching Protocols`` hands the connection to HTTP/2, whose GOAWAY does the rest.

The HTTP/1.1 loop itself takes the stream and the Connection out of the wrapper
(:meth:`TrackedStream.unwrap`): it knows where it stands between requests, and reading and writing
straight on the stream saves a layer per receive and per send. The wrapper remains for any other
user of the stream.

HTTP/2 connections (prior knowledge, ALPN h2) are not wrapped: ``server.stopping`` makes them
send GOAWAY, finish the open streams and close.
"""

from __future__ import annotations

from typing import Any, Mapping

import anyio
from anyio.abc import ByteStream


class Connection:
    """One client connection: whether a shutdown may close it now."""

    __slots__ = ("_scope", "_interrupt", "_closing")

    def __init__(self, closing: bool = False) -> None:
        self._scope: anyio.CancelScope | None = None
        self._interrupt: Any = None   # the stream's interrupt_receive while it waits idle
        self._closing = closing   # the server is stopping: no new request is waited for

    async def receive_idle(self, stream: Any, max_bytes: int = 65536) -> bytes:
        """Receive the first bytes of a request; EndOfStream if the server stops meanwhile."""
        if self._closing:
            raise anyio.EndOfStream
        interrupt = getattr(stream, "interrupt_receive", None)
        if interrupt is not None:   # petrel.net.transport_stream: no cancel scope needed
            self._interrupt = interrupt
            try:
                return await stream.receive(max_bytes)
            finally:
                self._interrupt = None
        scope = self._scope = anyio.CancelScope()
        try:
            with scope:
                return await stream.receive(max_bytes)
        finally:
            self._scope = None
        raise anyio.EndOfStream   # (reached only when close_if_idle() cancelled the receive)

    def close_if_idle(self) -> None:
        """Shutdown: end a wait for the next request now, and every such wait from now on."""
        self._closing = True
        if self._scope is not None:
            self._scope.cancel()
        if self._interrupt is not None:
            self._interrupt()


class TrackedStream(ByteStream):
    """A byte stream that knows when its connection is between HTTP/1.1 requests."""

    __slots__ = ("_stream", "_connection", "_between", "_upgraded")

    def __init__(self, stream: Any, connection: Connection) -> None:
        self._stream = stream
        self._connection = connection
        self._between = False    # the first request's bytes are already read when this is made
        self._upgraded = False   # HTTP/2 after a 101: GOAWAY handles shutdown

    def unwrap(self) -> tuple[Any, Connection]:
        """The stream below and its Connection, for a user that tracks the requests itself (it then
        makes its waits for a next request through :meth:`Connection.receive_idle`)."""
        return self._stream, self._connection

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if self._between and not self._upgraded:
            data = await self._connection.receive_idle(self._stream, max_bytes)
            self._between = False
            return data
        return await self._stream.receive(max_bytes)

    async def send(self, item: bytes) -> None:
        await self._stream.send(item)
        if item[:10] == b"HTTP/1.1 1":   # an interim response: 100 Continue, 101 Switching Protocols
            if item[9:12] == b"101":
                self._upgraded = True
        else:
            self._between = True

    async def send_eof(self) -> None:
        await self._stream.send_eof()

    async def aclose(self) -> None:
        await self._stream.aclose()

    @property
    def extra_attributes(self) -> Mapping[Any, Any]:
        return self._stream.extra_attributes
