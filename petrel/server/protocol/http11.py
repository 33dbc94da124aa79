"""HTTP/1.1 on h11, sans-IO, and the choice between the HTTP/1.1 parsers.

:class:`H11Protocol` wraps an ``h11.Connection`` behind the interface of
:class:`~.http11_base.HTTP11Base`: request limits (414, 431, 413), strict message framing,
``Expect: 100-continue``, Date and Server headers, and one exception type carrying the status to
answer a broken request with.

Each request head is collected and checked by :class:`~.http11_head.HeadScanner` on raw bytes and
only a complete, checked head is given to h11; the body goes to h11 as it arrives. h11 reads the
requests and judges whether each keeps the connection alive; the response is written by
:class:`~.http11_base.HTTP11Base` (the bytes h11's writer would make, the same on both parsers,
for a fraction of the cost of h11's events and checks), and only the interim responses (100, 101)
go through h11, whose state they change. Bytes h11 holds
past the end of a request (pipelining) come back to us at :meth:`start_next_cycle`, which starts a
fresh h11 connection, so every head passes the same checks whatever the parser accepts.

:func:`protocol_class` picks the parser for ``server.http1-parser``: httptools
(:mod:`.http11_httptools`, C, faster) when it is installed, else h11 (pure Python).
"""

from __future__ import annotations

import functools
from typing import Any

import h11

from .errors import ProtocolError
from .http11_base import NEED_DATA, PEER_CLOSED, HTTP11Base, NeedData, PeerClosed, RequestHead

__all__ = ["H11Protocol", "HTTP11Protocol", "HTTP11Base", "ProtocolError", "RequestHead",
           "NEED_DATA", "PEER_CLOSED", "protocol_class", "httptools_available"]


def _header_items(headers: Any) -> list:
    """h11's header list as (raw name, lower-case name, value) triples.

    Its ``Headers`` is a ``collections.abc.Sequence`` whose iteration calls ``__getitem__`` in
    Python for every field (2% of a small request's CPU); the triples it keeps are read directly
    where they are (h11 0.14 to 0.16), else made from the public view.
    """
    items = getattr(headers, "_full_items", None)
    if type(items) is list:
        return items
    return [(name, name, value) for name, value in headers]


class H11Protocol(HTTP11Base):
    parser_name = "h11"

    def __init__(self, max_header_size: int = 65536, max_body_size: int = 64 * 1024 * 1024,
                 max_headers: int = 100, max_request_line: int = 8192) -> None:
        super().__init__(max_header_size, max_body_size, max_headers, max_request_line)
        self.conn = self._new_parser()
        self._bodiless = False

    def _new_parser(self) -> h11.Connection:
        # h11 only ever sees checked, complete heads; its limit then bounds chunk lines and trailers.
        return h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_header_size)

    # -- input --------------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the peer; ``b""`` means the peer closed its side."""
        if not self._in_head:
            self.conn.receive_data(data)
        elif data:
            self._pending += data
            self._reading_head = True
        else:
            self._eof = True

    def next_head(self) -> RequestHead | NeedData | PeerClosed:
        if self._in_head:
            size = self._complete_head()
            if not isinstance(size, int):
                return size
            self._in_head = False
            self.conn.receive_data(self._pending)   # the head, and whatever followed it
            self._pending = bytearray()
            if self._eof:
                self.conn.receive_data(b"")
        event = self._next_event()
        if type(event) is h11.Request:
            self._reading_head = False
            headers = [(name.decode("latin-1"), value.decode("latin-1")) for _, name, value in
                       _header_items(event.headers)]
            http_version = event.http_version.decode("ascii")
            method = event.method.decode("ascii")
            # A request without a body has ended with its head: h11 is not asked for the end of it
            # (its keep-alive and 100-continue readings are the same as _check_head's).
            self._bodiless = self._check_head(method, http_version, headers) == 0
            self._body_size = 0
            self._request_method = method
            return RequestHead(method, event.target.decode("latin-1"), http_version, headers)
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.ConnectionClosed):
            return PEER_CLOSED
        raise ProtocolError(400, f"unexpected {type(event).__name__} before a request")

    def next_body_part(self) -> bytes | None | NeedData:
        """A piece of the request body, None at its end, or NEED_DATA."""
        if self._bodiless:
            self._request_done = True
            return None
        event = self._next_event()
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.Data):
            self._count_body(len(event.data))
            return bytes(event.data)
        if isinstance(event, h11.EndOfMessage):
            self._request_done = True
            if self.conn.their_state is h11.MUST_CLOSE:   # (h11's reading of the request's keep-alive)
                self._keep_alive = False
            return None
        if isinstance(event, h11.ConnectionClosed):
            raise ProtocolError(400, "connection closed in the middle of the request body")
        raise ProtocolError(400, f"unexpected {type(event).__name__} in a request body")

    def _next_event(self):
        try:
            return self.conn.next_event()
        except h11.RemoteProtocolError as exc:
            # h11's messages quote the offending bytes; the answer names the problem, not the bytes.
            message = str(exc).split(": bytearray(", 1)[0].split(": b'", 1)[0]
            raise ProtocolError(exc.error_status_hint, message) from None

    @property
    def client_waits_for_continue(self) -> bool:
        return self.conn.they_are_waiting_for_100_continue

    # -- output -------------------------------------------------------------------------------
    def continue_response(self) -> bytes:
        return self._send(h11.InformationalResponse(status_code=100, headers=[]))

    def _send(self, event) -> bytes:
        try:
            return self.conn.send(event) or b""
        except h11.LocalProtocolError as exc:
            raise ProtocolError(500, str(exc)) from None

    # -- upgrade to HTTP/2 ------------------------------------------------------------------------
    def switch_protocols(self, upgrade: str) -> bytes:
        """The 101 response; after it the connection belongs to the ``upgrade`` protocol."""
        self._response_started = True
        if self._bodiless and self.conn.their_state is h11.SEND_BODY:
            self._next_event()   # h11 switches once it has seen the request end
        return self._send(h11.InformationalResponse(
            status_code=101, headers=[("connection", "Upgrade"), ("upgrade", upgrade)]))

    @property
    def trailing_data(self) -> bytes:
        """Bytes the client sent after the request that switched protocols."""
        return bytes(self.conn.trailing_data[0])

    # -- between requests -----------------------------------------------------------------------
    def start_next_cycle(self) -> None:
        """Ready for the next request: what h11 holds past this one is the start of the next head."""
        trailing, closed = self.conn.trailing_data
        self.conn = self._new_parser()
        self._pending = bytearray(trailing)
        self._eof = closed
        self._in_head = True
        self._reading_head = bool(trailing)
        self._scanner.reset()
        self._reset_message()

    @property
    def has_unread_data(self) -> bool:
        """Bytes arrived past the current request (only read at a close, so the copy is fine)."""
        return bool(self._pending) or bool(self.conn.trailing_data[0])


# The name the loop and the tests have always used for the h11 protocol object.
HTTP11Protocol = H11Protocol


def httptools_available() -> bool:
    try:
        import httptools  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def protocol_class(parser: str = "auto") -> type[HTTP11Base]:
    """The protocol class for a ``server.http1-parser`` value: h11, httptools, or auto (httptools
    when it imports, else h11). config.py already refused httptools where it is not installed."""
    if parser == "h11" or (parser == "auto" and not httptools_available()):
        return H11Protocol
    from .http11_httptools import HttptoolsProtocol
    return HttptoolsProtocol
