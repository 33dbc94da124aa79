"""What every HTTP/1.1 protocol object shares, whichever parser reads the requests.

The I/O loop (:mod:`petrel.server.http11`) drives one interface: bytes in (``receive_data``),
request heads and body parts out (``next_head``, ``next_body_part``), a Response in, bytes out
(``response_head``, ``body``, ``end``). Two classes implement it, on h11
(:mod:`.http11`) and on httptools (:mod:`.http11_httptools`). So that the choice of parser
changes speed and nothing else, everything a hostile client could play one parser against the
other with is decided here, once:

- each head is collected and checked on raw bytes (:class:`~.http11_head.HeadScanner`) before
  any parser sees it;
- framing (RFC 9112 6.1, 6.3), the Host field and methods we do not serve are judged on the
  parsed header list;
- response headers are checked and encoded here (:func:`~.common.response_fields`, shared with
  HTTP/2), so a handler's header that neither parser's writer would accept is a
  :class:`~.errors.ProtocolError` with status 500, not an exception out of the connection.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Callable

from .. import SERVER_HEADER
from ...messages import Response
from .common import (_NAMES, _VALUES, RequestHead, bad_field_name, field_name, field_value, http_date,
                     response_fields)
from .errors import ProtocolError
from .http11_head import HeadScanner

__all__ = ["HTTP11Base", "ProtocolError", "RequestHead", "NEED_DATA", "PEER_CLOSED"]


class NeedData:
    """More bytes are needed before the next event."""


class PeerClosed:
    """The peer closed its side at a point where that is allowed (between requests)."""


NEED_DATA = NeedData()
PEER_CLOSED = PeerClosed()
CHUNKED = -1   # the body length of a chunked request


# Response fields the HTTP/1.1 writer makes itself: the framing is ours, we know the real length.
_FRAMING = frozenset(("content-length", "transfer-encoding"))

# The fields the fast path of the writer looks out for (Connection and Host send it the long way).
_RARE = frozenset(("date", "server", "connection", "host"))

_REASONS = {status.value: status.phrase.encode() for status in HTTPStatus}
_STATUS_LINES = {status: b"HTTP/1.1 %d %s\r\n" % (status, phrase) for status, phrase in _REASONS.items()}
_SERVER = SERVER_HEADER.encode("ascii")
_date_line = [b"", b""]   # the HTTP date it was made for, and the Date and Server lines


def _date_and_server() -> bytes:
    date = http_date()
    if date is not _date_line[0]:
        _date_line[0] = date
        _date_line[1] = b"date: " + date + b"\r\nserver: " + _SERVER + b"\r\n"
    return _date_line[1]


def reason(status: int) -> bytes:
    return _REASONS.get(status, b"")


def tokens(headers: list[tuple[str, str]], name: str) -> set[str]:
    """The comma-separated tokens of every ``name`` field, lower-cased."""
    return {token.strip().lower() for key, value in headers if key == name for token in value.split(",")}


class HTTP11Base:
    """The head buffer, the checks, the error answer and the h2c upgrade test of HTTP/1.1."""

    parser_name = ""
    # Makes the X-Request-Id of an error answered here (the server's request ids), or None.
    new_request_id: Callable[[], str] | None = None

    def __init__(self, max_header_size: int = 65536, max_body_size: int = 64 * 1024 * 1024,
                 max_headers: int = 100, max_request_line: int = 8192) -> None:
        self.max_header_size = max_header_size
        self.max_body_size = max_body_size
        self._scanner = HeadScanner(max_header_size, max_headers, max_request_line)
        self._pending = bytearray()   # bytes of the next head not yet given to the parser
        self._eof = False             # the peer closed its side
        self._in_head = True          # between requests: bytes go to _pending
        self._reading_head = False    # some bytes of a head that is not complete yet arrived
        self._body_size = 0
        self._request_method = "GET"
        self._suppress_body = False
        self._reset_message()

    @property
    def reading_head(self) -> bool:
        """Part of a request head arrived and the rest has not: the loop's header clock runs."""
        return self._reading_head

    def _complete_head(self) -> int | NeedData | PeerClosed:
        """The size of the checked head at the start of _pending, NEED_DATA, or PEER_CLOSED."""
        size = self._scanner.scan(self._pending)
        if size:
            return size
        if not self._eof:
            return NEED_DATA
        if self._pending:
            raise ProtocolError(400, "connection closed in the middle of a request head")
        return PEER_CLOSED

    def _check_head(self, method: str, http_version: str, headers: list[tuple[str, str]]) -> int:
        """Refuse what no parser may decide for us: ambiguous framing, a missing or doubled Host,
        and CONNECT (a tunnel: this server is not a proxy, and h11 would switch protocols on a 2xx
        answer to it). Returns the body's length, CHUNKED for a chunked body (0: none).

        Also judges, as h11 does, whether the request keeps the connection alive (HTTP/1.1 without
        a ``close`` token in Connection: ``_keep_alive``) and whether it waits for ``100 Continue``
        (``_expects_continue``). One pass over the fields, for every request."""
        hosts = 0
        lengths: list[str] | None = None
        codings: list[str] | None = None
        modern = http_version >= "1.1"
        keep_alive = modern
        expects = False
        for name, value in headers:
            if name == "host":
                hosts += 1
            elif name == "content-length":
                lengths = [value] if lengths is None else lengths + [value]
            elif name == "transfer-encoding":
                codings = [value] if codings is None else codings + [value]
            elif name == "connection":
                if keep_alive and "close" in [token.strip().lower() for token in value.split(",")]:
                    keep_alive = False
            elif name == "expect":
                if "100-continue" in [token.strip().lower() for token in value.split(",")]:
                    expects = modern
        if hosts > 1:
            raise ProtocolError(400, "Found multiple Host: headers")
        if hosts == 0 and modern:
            raise ProtocolError(400, "Missing mandatory Host: header")
        if method == "CONNECT":
            raise ProtocolError(501, "CONNECT is not supported: this server is not a proxy")
        self._keep_alive = keep_alive
        self._expects_continue = expects
        if lengths is None and codings is None:
            return 0
        return self._check_framing(lengths or [], codings or [], http_version)

    def _check_framing(self, lengths: list[str], codings: list[str], http_version: str) -> int:
        """RFC 9112 6.1 and 6.3: one unambiguous body length, or the request is refused.

        A proxy and this server must agree on where a body ends, or the rest of it is read as
        another request (request smuggling); so every ambiguity is a 400 and a close.
        """
        if codings:
            codes = [token.strip().lower() for value in codings for token in value.split(",")]
            if codes != ["chunked"]:
                # Any other coding, chunked not last included (RFC 9112 6.3 would allow 400 there):
                # 501 as h11 answers, before we see the request, so that both parsers agree.
                raise ProtocolError(501, "Only Transfer-Encoding: chunked is supported")
            if lengths:
                raise ProtocolError(400, "both Content-Length and Transfer-Encoding in one request")
            if http_version == "1.0":
                raise ProtocolError(400, "Transfer-Encoding in an HTTP/1.0 request")
            return CHUNKED
        values = {token.strip() for value in lengths for token in value.split(",")}
        if len(values) != 1:
            raise ProtocolError(400, "conflicting Content-Length values")
        value = values.pop()
        if not (value.isascii() and value.isdigit()):
            raise ProtocolError(400, "Content-Length is not a number")
        if len(value) > 20 or int(value) > self.max_body_size:
            raise ProtocolError(413, self.body_too_large())
        return int(value)

    def body_too_large(self) -> str:
        return f"request body larger than server.max-body-size ({self.max_body_size} bytes)"

    def _count_body(self, size: int) -> None:
        self._body_size += size
        if self._body_size > self.max_body_size:
            raise ProtocolError(413, self.body_too_large())

    # -- output (the same bytes on both parsers: what h11's writer writes) ----------------------
    def response_head(self, response: Response, body_length: int, close: bool = False) -> bytes:
        """The status line and header fields of a final response, ``body_length`` its
        Content-Length. Each field is checked and encoded as :func:`~.common.response_fields` does
        it (a field no writer would accept is a ProtocolError with status 500, nothing written);
        the Connection field follows h11's rules: when the request did not keep the connection
        alive (or ``close``), it says close, one field per token, at the end."""
        status = response.status
        if not 200 <= status <= 999:
            raise ProtocolError(500, f"response status {status} is not a final status")
        self._suppress_body = suppress = (self._request_method == "HEAD" or status == 204 or status == 304)
        lines = []
        date = server = True
        rare = False   # a Connection or Host field: written the long way
        for name, value in response.headers:
            lowered, raw_name, _ = _NAMES.get(name) or field_name(name)
            if lowered in _FRAMING:
                continue
            if raw_name is None:
                raise bad_field_name(name)
            if lowered in _RARE:
                if lowered == "date":
                    date = False
                elif lowered == "server":
                    server = False
                else:
                    rare = True
            lines.append(b"%s: %s\r\n" % (raw_name, _VALUES.get(value) or field_value(name, value)))
        if status != 204 and status != 304:
            lines.append(b"content-length: %d\r\n\r\n" % body_length)
        else:
            lines.append(b"\r\n")
        self._out_left = 0 if suppress else body_length
        self._response_started = True
        if rare or close or not self._keep_alive:
            return self._head_with_connection(response, body_length, close)
        first = _STATUS_LINES.get(status) or b"HTTP/1.1 %d %s\r\n" % (status, reason(status))
        if date and server:
            lines.insert(0, first + _date_and_server())
        else:
            if server:
                lines.insert(0, b"server: " + _SERVER + b"\r\n")
            if date:
                lines.insert(0, b"date: " + http_date() + b"\r\n")
            lines.insert(0, first)
        return b"".join(lines)

    def _head_with_connection(self, response: Response, body_length: int, close: bool) -> bytes:
        """The head of a response with a Connection or Host field, or that ends the connection."""
        headers = response_fields(response, body_length, _FRAMING)
        if close:
            headers.append((b"connection", b"close"))
        connection = {token.strip() for name, value in headers if name.lower() == b"connection"
                      for token in value.lower().split(b",") if token.strip()}
        if not self._keep_alive:
            connection.discard(b"keep-alive")
            connection.add(b"close")
            headers = [(name, value) for name, value in headers if name.lower() != b"connection"]
            headers += [(b"Connection", token) for token in sorted(connection)]
        elif b"close" in connection:
            self._keep_alive = False
        status = response.status
        out = [b"HTTP/1.1 %d %s\r\n" % (status, reason(status))]
        out += [b"%s: %s\r\n" % item for item in headers if item[0].lower() == b"host"]
        out += [b"%s: %s\r\n" % item for item in headers if item[0].lower() != b"host"]
        out.append(b"\r\n")
        return b"".join(out)

    def body(self, data: bytes) -> bytes:
        if not data or self._suppress_body:
            return b""
        if len(data) > self._out_left:
            raise ProtocolError(500, "Too much data for declared Content-Length")
        self._out_left -= len(data)
        return data if type(data) is bytes else bytes(data)

    def end(self) -> bytes:
        if self._out_left:
            raise ProtocolError(500, "Too little data for declared Content-Length")
        self._response_done = True
        return b""

    # -- between requests -----------------------------------------------------------------------
    @property
    def keep_alive(self) -> bool:
        """The request and its answer are complete and neither ends the connection."""
        return self._request_done and self._response_done and self._keep_alive

    @property
    def must_close(self) -> bool:
        return not self._keep_alive and (self._request_done or self._response_done)

    def _reset_message(self) -> None:
        self._keep_alive = True       # the request (then the response) leaves the connection open
        self._expects_continue = False
        self._request_done = False
        self._response_done = False
        self._out_left = 0            # body bytes the response head announced, not yet sent
        self._response_started = False

    def error_response(self, status: int, message: str) -> bytes:
        """A complete short response for a request we could not read; the connection then closes.

        Written by hand, not by a parser's writer: h11 refuses to answer before it has parsed a
        request, and a head that broke a limit (or timed out) never reached a parser. Empty once
        a response has begun.
        """
        if self._response_started:
            return b""
        self._response_started = True
        phrase = reason(status).decode()
        text = "".join(c if " " <= c <= "~" else "?" for c in message[:300])
        body = f"{status} {phrase}\n{text}\n".encode()
        head = (f"HTTP/1.1 {status} {phrase}\r\ndate: {http_date().decode()}\r\nserver: {SERVER_HEADER}\r\n"
                f"content-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n")
        if self.new_request_id is not None:
            head += f"x-request-id: {self.new_request_id()}\r\n"
        return (head + "\r\n").encode("latin-1") + body

    @property
    def response_started(self) -> bool:
        return self._response_started

    # -- upgrade to HTTP/2 ------------------------------------------------------------------------
    @staticmethod
    def h2c_upgrade_settings(head: RequestHead) -> str | None:
        """The HTTP2-Settings field of a request asking to upgrade to h2c (RFC 7540 3.2), else None."""
        if head.http_version != "1.1":
            return None
        # (asked of every request on a cleartext connection: the rare field first, in one pass)
        settings = [value for name, value in head.headers if name == "http2-settings"]
        if len(settings) != 1:
            return None
        if "h2c" in tokens(head.headers, "upgrade") and "upgrade" in tokens(head.headers, "connection"):
            return settings[0]
        return None
