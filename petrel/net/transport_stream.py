"""A server connection's byte stream straight on the asyncio transport.

anyio's socket stream on asyncio keeps the transport's reading paused between ``receive`` calls
(resumed and paused again around every read: two ``epoll_ctl`` calls and an event per read) and
yields to the loop once more after every send that did not have to wait. For a keep-alive
connection answering small requests those are a good part of the cost of a request.
:class:`TransportStream` keeps the same interface (an :class:`anyio.abc.ByteStream`, so TLS wraps
it as it wraps anyio's) and the same guarantees, with a protocol of its own on the same transport:

- reading stays on while fewer than :data:`HIGH_WATER` bytes wait to be read, and is paused above
  that until the reader has taken them down to :data:`LOW_WATER` (a client cannot make the server
  buffer more than that while a handler runs);
- a receive that finds data waiting still passes through the loop once (as anyio's checkpoint), so
  one connection's pipelined requests cannot keep the others from being served, and a cancelled
  task stops there;
- a send returns once the kernel has taken the bytes (write buffer limit 0, as anyio sets it),
  waiting when the peer reads slowly;
- end of stream, a broken connection and a closed stream raise anyio's exceptions.

It is made by :func:`take_over` from the stream anyio's listener accepted, on the asyncio backend
only; anything else (another backend, an anyio whose stream is built differently) is used as it
is.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Mapping

import anyio
from anyio.abc import ByteStream

HIGH_WATER = 256 * 1024   # bytes waiting to be read at which the transport stops reading
LOW_WATER = 64 * 1024     # ... and at or below which it reads again


class _Protocol(asyncio.Protocol):
    __slots__ = ("transport", "queue", "queued", "reader", "writer", "writable", "exception",
                 "at_eof", "lost", "paused")

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.queue: deque[bytes] = deque()
        self.queued = 0
        # The future a receive (``reader``) or a send (``writer``) waits on, if one waits: a bare
        # future costs less than an asyncio.Event's wait for each read of a small request.
        self.reader: asyncio.Future[None] | None = None
        self.writer: asyncio.Future[None] | None = None
        self.writable = True
        self.exception: BaseException | None = None
        self.at_eof = False
        self.lost = False
        self.paused = True   # anyio leaves the transport paused between its reads

    def wake_reader(self) -> None:
        reader = self.reader
        if reader is not None:
            self.reader = None
            if not reader.done():
                reader.set_result(None)

    def wake_writer(self) -> None:
        writer = self.writer
        if writer is not None:
            self.writer = None
            if not writer.done():
                writer.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.queue.append(bytes(data))
        self.queued += len(data)
        if self.reader is not None:
            self.wake_reader()
        if self.queued > HIGH_WATER and not self.paused:
            self.paused = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.at_eof = True
        self.wake_reader()
        return True   # keep our side open: the answer may still be on its way

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost = True
        self.exception = exc
        self.writable = True
        self.wake_reader()
        self.wake_writer()

    def pause_writing(self) -> None:
        self.writable = False

    def resume_writing(self) -> None:
        self.writable = True
        self.wake_writer()

    def resume(self) -> None:
        if self.paused and not self.lost:
            self.paused = False
            self.transport.resume_reading()


class TransportStream(ByteStream):
    """The byte stream of one accepted connection, reading through :class:`_Protocol`."""

    __slots__ = ("_stream", "_transport", "_protocol", "_closed", "_interrupted", "_loop")

    def __init__(self, stream: Any, transport: Any, protocol: _Protocol) -> None:
        self._stream = stream   # anyio's: its extra attributes, and its close
        self._transport = transport
        self._protocol = protocol
        self._loop = asyncio.get_running_loop()
        self._closed = False
        self._interrupted = False

    def interrupt_receive(self) -> None:
        """End the receive waiting now with EndOfStream (data already here is still returned):
        what a cancel scope around it would do, without the cost of one per receive."""
        self._interrupted = True
        self._protocol.wake_reader()

    async def receive(self, max_bytes: int = 65536) -> bytes:
        protocol = self._protocol
        queue = protocol.queue
        if queue:
            await asyncio.sleep(0)   # (anyio's checkpoint on asyncio, without finding the backend)
        elif not (protocol.at_eof or protocol.lost or self._closed or self._interrupted):
            if protocol.paused:
                protocol.resume()
            reader = protocol.reader = self._loop.create_future()
            try:
                await reader
            finally:
                protocol.reader = None
        if not queue:
            if self._interrupted:
                self._interrupted = False
                raise anyio.EndOfStream
            if self._closed:
                raise anyio.ClosedResourceError
            if protocol.exception is not None:
                raise anyio.BrokenResourceError from protocol.exception
            raise anyio.EndOfStream
        chunk = queue.popleft()
        if len(chunk) > max_bytes:
            queue.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        protocol.queued -= len(chunk)
        if protocol.paused and protocol.queued <= LOW_WATER:
            protocol.resume()
        return chunk

    async def send(self, item: bytes) -> None:
        protocol = self._protocol
        if not protocol.writable:
            await self._wait_writable()
        if self._closed or protocol.lost:
            self._check_writable()
        try:
            self._transport.write(item)
        except RuntimeError as exc:
            if self._transport.is_closing():
                raise anyio.BrokenResourceError from exc
            raise
        if not protocol.writable:
            await self._wait_writable()
            self._check_writable()

    async def _wait_writable(self) -> None:
        protocol = self._protocol
        while not protocol.writable:
            writer = protocol.writer = self._loop.create_future()
            try:
                await writer
            finally:
                protocol.writer = None

    def _check_writable(self) -> None:
        if self._closed:
            raise anyio.ClosedResourceError
        if self._protocol.lost:
            raise anyio.BrokenResourceError from self._protocol.exception

    async def send_eof(self) -> None:
        try:
            self._transport.write_eof()
        except OSError:
            pass

    async def aclose(self) -> None:
        self._closed = True
        protocol = self._protocol
        protocol.writable = True
        protocol.wake_reader()
        protocol.wake_writer()
        await self._stream.aclose()

    @property
    def extra_attributes(self) -> Mapping[Any, Any]:
        return self._stream.extra_attributes


def take_over(stream: Any) -> Any:
    """A :class:`TransportStream` on the transport of anyio's asyncio socket stream ``stream``,
    or ``stream`` itself when it is not one."""
    transport = getattr(stream, "_transport", None)
    old = getattr(stream, "_protocol", None)
    if (old is None or not hasattr(old, "read_queue")
            or not all(hasattr(transport, name) for name in ("set_protocol", "pause_reading", "write"))):
        return stream   # (uvloop's transports are not asyncio.Transport subclasses: duck typing)
    protocol = _Protocol(transport)
    # What anyio's protocol already holds: bytes read before the hand-over, the end, an error.
    for chunk in old.read_queue:
        protocol.queue.append(chunk)
        protocol.queued += len(chunk)
    old.read_queue.clear()
    protocol.at_eof = bool(getattr(old, "is_at_eof", False))
    protocol.exception = getattr(old, "exception", None)
    if transport.is_closing():
        protocol.lost = True
    transport.set_protocol(protocol)
    transport.pause_reading()
    return TransportStream(stream, transport, protocol)
