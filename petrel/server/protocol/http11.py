"""HTTP/1.1 on h11, sans-IO.

:class:`HTTP11Protocol` wraps an ``h11.Connection`` and adds what a server needs on top of it:
request size limits (431 for a head too big, 413 for a body too big), ``Expect: 100-continue``,
Date and Server headers, and one exception type carrying the status to answer a broken request with.
"""

from __future__ import annotations

from dataclasses import dataclass

import h11

from .. import SERVER_HEADER
from ...messages import Response
from .common import http_date


class ProtocolError(Exception):
    """The peer sent something we cannot serve; answer ``status`` (if still possible) and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


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
    def __init__(self, max_header_size: int = 65536, max_body_size: int = 64 * 1024 * 1024) -> None:
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=max_header_size)
        self.max_header_size = max_header_size
        self.max_body_size = max_body_size
        self._body_size = 0
        self._request_method = "GET"
        self._suppress_body = False

    # -- input --------------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the peer; ``b""`` means the peer closed its side."""
        self.conn.receive_data(data)

    def next_head(self) -> RequestHead | NeedData | PeerClosed:
        event = self._next_event()
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.ConnectionClosed):
            return PEER_CLOSED
        if isinstance(event, h11.Request):
            headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in event.headers]
            # h11 limits a head that arrives in pieces; one that arrives whole is measured here.
            head_size = len(event.target) + sum(len(k) + len(v) + 4 for k, v in headers)
            if head_size > self.max_header_size:
                raise ProtocolError(431, "request head larger than server.max-header-size")
            length = next((v for k, v in headers if k == "content-length"), None)
            if length is not None and int(length) > self.max_body_size:
                raise ProtocolError(413, "request body larger than server.max-body-size")
            self._body_size = 0
            self._request_method = event.method.decode("ascii")
            return RequestHead(self._request_method, event.target.decode("latin-1"),
                               event.http_version.decode("ascii"), headers)
        raise ProtocolError(400, f"unexpected {type(event).__name__} before a request")

    def next_body_part(self) -> bytes | None | NeedData:
        """A piece of the request body, None at its end, or NEED_DATA."""
        event = self._next_event()
        if event is h11.NEED_DATA:
            return NEED_DATA
        if isinstance(event, h11.Data):
            self._body_size += len(event.data)
            if self._body_size > self.max_body_size:
                raise ProtocolError(413, "request body larger than server.max-body-size")
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
            raise ProtocolError(exc.error_status_hint, str(exc)) from None

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
        """A complete short response for a request we could not even read; the connection closes."""
        body = f"{status} {_reason(status).decode()}\n".encode()
        if self.conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return b""
        try:
            head = self.conn.send(h11.Response(
                status_code=status, reason=_reason(status),
                headers=[("date", http_date()), ("server", SERVER_HEADER),
                         ("content-type", "text/plain; charset=utf-8"),
                         ("content-length", str(len(body))), ("connection", "close")]))
            return (head or b"") + (self.conn.send(h11.Data(data=body)) or b"") + \
                (self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            return b""

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
        self.conn.start_next_cycle()

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
