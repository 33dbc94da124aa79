"""HTTP/1.1 on h11, sans-IO.

:class:`HTTP11Protocol` wraps an ``h11.Connection`` and adds what a server needs on top of it:
request limits (414 for a long request line, 431 for too many header lines or a head too big, 413
for a body too big), strict message framing, ``Expect: 100-continue``, Date and Server headers, and
one exception type carrying the status to answer a broken request with.

Each request head is collected and checked by :class:`~.http11_head.HeadScanner` on raw bytes and
only a complete, checked head is given to h11; the body goes to h11 as it arrives. Bytes h11 holds
past the end of a request (pipelining) come back to us at :meth:`start_next_cycle`, which starts a
fresh h11 connection, so every head passes the same checks whatever the parser accepts.

Framing (RFC 9112 6.1, 6.3) is checked on the parsed header list, so it holds for any parser that
reports repeated fields: Content-Length together with Transfer-Encoding, differing Content-Length
values, a Transfer-Encoding whose last coding is not chunked (400), and codings we do not
implement (501).
"""

from __future__ import annotations

from dataclasses import dataclass

import h11

from .. import SERVER_HEADER
from ...messages import Response
from .common import http_date
from .http11_head import HeadScanner, ProtocolError

__all__ = ["HTTP11Protocol", "ProtocolError", "RequestHead", "NEED_DATA", "PEER_CLOSED"]


@dataclass(frozen=True, slots=True)
class RequestHead:
    method: str
    target: str
    http_version: str
    headers: list[tuple[str, str]]


class NeedData:
    """More bytes are needed before the next event."""


class PeerClosed:
    """The peer closed its side at a point where that is allowed (between requests)."""


NEED_DATA = NeedData()
PEER_CLOSED = PeerClosed()


class HTTP11Protocol:
    def __init__(self, max_header_size: int = 65536, max_body_size: int = 64 * 1024 * 1024,
                 max_headers: int = 100, max_request_line: int = 8192) -> None:
        self.max_header_size = max_header_size
        self.max_body_size = max_body_size
        self.conn = self._new_parser()
        self._scanner = HeadScanner(max_header_size, max_headers, max_request_line)
        self._pending = bytearray()   # bytes of the next head, not yet given to h11
        self._eof = False             # the peer closed its side while we held _pending
        self._in_head = True          # bytes go to _pending (True) or straight to h11
        self._reading_head = False    # some bytes of a head that is not complete yet arrived
        self._body_size = 0
        self._request_method = "GET"
        self._suppress_body = False
        self._response_started = False

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

    @property
    def reading_head(self) -> bool:
        """Part of a request head arrived and the rest has not: the loop's header clock runs."""
        return self._reading_head

    def next_head(self) -> RequestHead | NeedData | PeerClosed:
        if self._in_head:
            size = self._scanner.scan(self._pending)
            if not size:
                if not self._eof:
                    return NEED_DATA
                if self._pending:
                    raise ProtocolError(400, "connection closed in the middle of a request head")
                return PEER_CLOSED
            self._in_head = False
            self.conn.receive_data(self._pending)   # the head, and whatever followed it
            self._pending = bytearray()
            if self._eof:
                self.conn.receive_data(b"")
        event = self._next_event()
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.ConnectionClosed):
            return PEER_CLOSED
        if isinstance(event, h11.Request):
            self._reading_head = False
            headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers]
            http_version = event.http_version.decode("ascii")
            self._check_framing(headers, http_version)
            self._body_size = 0
            self._request_method = event.method.decode("ascii")
            return RequestHead(self._request_method, event.target.decode("latin-1"), http_version, headers)
        raise ProtocolError(400, f"unexpected {type(event).__name__} before a request")

    def _check_framing(self, headers: list[tuple[str, str]], http_version: str) -> None:
        """RFC 9112 6.1 and 6.3: one unambiguous body length, or the request is refused.

        A proxy and this server must agree on where a body ends, or the rest of it is read as
        another request (request smuggling); so every ambiguity is a 400 and a close.
        """
        lengths = [value for name, value in headers if name == "content-length"]
        codings = [value for name, value in headers if name == "transfer-encoding"]
        if codings:
            if lengths:
                raise ProtocolError(400, "both Content-Length and Transfer-Encoding in one request")
            if http_version == "1.0":
                raise ProtocolError(400, "Transfer-Encoding in an HTTP/1.0 request")
            tokens = [token.strip().lower() for value in codings for token in value.split(",")]
            if tokens[-1] != "chunked":
                raise ProtocolError(400, "the last Transfer-Encoding is not chunked")
            if tokens != ["chunked"]:
                raise ProtocolError(501, "only Transfer-Encoding: chunked is supported")
        if lengths:
            values = {token.strip() for value in lengths for token in value.split(",")}
            if len(values) != 1:
                raise ProtocolError(400, "conflicting Content-Length values")
            value = values.pop()
            if not (value.isascii() and value.isdigit()):
                raise ProtocolError(400, "Content-Length is not a number")
            if len(value) > 20 or int(value) > self.max_body_size:
                raise ProtocolError(413, f"request body larger than server.max-body-size "
                                         f"({self.max_body_size} bytes)")

    def next_body_part(self) -> bytes | None | NeedData:
        """A piece of the request body, None at its end, or NEED_DATA."""
        event = self._next_event()
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.Data):
            self._body_size += len(event.data)
            if self._body_size > self.max_body_size:
                raise ProtocolError(413, f"request body larger than server.max-body-size "
                                         f"({self.max_body_size} bytes)")
            return bytes(event.data)
        if isinstance(event, h11.EndOfMessage):
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
        return self.conn.send(h11.InformationalResponse(status_code=100, headers=[])) or b""

    def response_head(self, response: Response, body_length: int, close: bool = False) -> bytes:
        headers = [("date", http_date()), ("server", SERVER_HEADER)]
        for name, value in response.headers:
            lowered = name.lower()
            if lowered in ("date", "server"):
                headers = [(k, v) for k, v in headers if k != lowered]
            elif lowered in ("content-length", "transfer-encoding"):
                continue  # the framing is ours: we know the real length
            headers.append((name, value))
        if response.status not in (204, 304) and not 100 <= response.status < 200:
            headers.append(("content-length", str(body_length)))
        if close:
            headers.append(("connection", "close"))
        self._suppress_body = (self._request_method == "HEAD" or response.status in (204, 304))
        self._response_started = True
        event = h11.Response(status_code=response.status, headers=headers,
                             reason=_reason(response.status))
        return self.conn.send(event) or b""

    def body(self, data: bytes) -> bytes:
        if not data or self._suppress_body:
            return b""
        return self.conn.send(h11.Data(data=data)) or b""

    def end(self) -> bytes:
        return self.conn.send(h11.EndOfMessage()) or b""

    def error_response(self, status: int, message: str) -> bytes:
        """A complete short response for a request we could not read; the connection then closes.

        Written without h11: h11 refuses to answer before it has parsed a request, and a head that
        broke a limit (or timed out) never reached it. Empty once a response has begun.
        """
        if self._response_started:
            return b""
        self._response_started = True
        reason = _reason(status).decode()
        text = "".join(c if " " <= c <= "~" else "?" for c in message[:300])
        body = f"{status} {reason}\n{text}\n".encode()
        head = (f"HTTP/1.1 {status} {reason}\r\ndate: {http_date()}\r\nserver: {SERVER_HEADER}\r\n"
                f"content-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
        return head.encode("latin-1") + body

    # -- upgrade to HTTP/2 ------------------------------------------------------------------------
    @staticmethod
    def h2c_upgrade_settings(head: RequestHead) -> str | None:
        """The HTTP2-Settings field of a request asking to upgrade to h2c (RFC 7540 3.2), else None."""
        if head.http_version != "1.1":
            return None
        upgrade = _tokens(head.headers, "upgrade")
        connection = _tokens(head.headers, "connection")
        settings = [value for name, value in head.headers if name == "http2-settings"]
        if "h2c" not in upgrade or "upgrade" not in connection or len(settings) != 1:
            return None
        return settings[0]

    def switch_protocols(self, upgrade: str) -> bytes:
        """The 101 response; after it the connection belongs to the ``upgrade`` protocol."""
        self._response_started = True
        return self.conn.send(h11.InformationalResponse(
            status_code=101, headers=[("connection", "Upgrade"), ("upgrade", upgrade)])) or b""

    @property
    def trailing_data(self) -> bytes:
        """Bytes the client sent after the request that switched protocols."""
        return bytes(self.conn.trailing_data[0])

    # -- between requests -----------------------------------------------------------------------
    @property
    def keep_alive(self) -> bool:
        return self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE

    def start_next_cycle(self) -> None:
        """Ready for the next request: what h11 holds past this one is the start of the next head."""
        trailing, closed = self.conn.trailing_data
        self.conn = self._new_parser()
        self._pending = bytearray(trailing)
        self._eof = closed
        self._in_head = True
        self._reading_head = bool(trailing)
        self._scanner.reset()
        self._response_started = False

    @property
    def has_unread_data(self) -> bool:
        """Bytes arrived past the current request (only read at a close, so the copy is fine)."""
        return bool(self._pending) or bool(self.conn.trailing_data[0])

    @property
    def must_close(self) -> bool:
        return self.conn.our_state is h11.MUST_CLOSE or self.conn.their_state is h11.MUST_CLOSE


def _tokens(headers: list[tuple[str, str]], name: str) -> set[str]:
    return {token.strip().lower() for key, value in headers if key == name for token in value.split(",")}


def _reason(status: int) -> bytes:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""
