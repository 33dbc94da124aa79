"""HTTP/1.1 on httptools (llhttp, in C), sans-IO, behind the same interface as the h11 object.

httptools parses; everything else is :class:`~.http11_base.HTTP11Base`'s, shared with the h11
object: the raw-byte head checks, framing, Host, the limits and the error answer. What this class
adds is how llhttp is driven so that it behaves like the h11 path:

- llhttp is given exactly one message at a time. A head goes to it only once the head scanner
  passed it; then only the body's bytes (Content-Length counts them, :mod:`.http11_chunks` finds
  where a chunked body ends). Bytes past the message stay here as the start of the next head, so
  a pipelined request gets the same checks as the first.
- llhttp stops at the end of the head of an Upgrade request and would hand the body to the new
  protocol; for us (and for RFC 7540 3.2) that body is still HTTP/1.1, so a second parser,
  started with a head of the same framing, reads it. Whether to switch is the loop's decision,
  as with h11.
- Keep-alive and ``Expect: 100-continue`` follow h11's rules; responses are written by the
  base class, byte for byte as h11 writes them, on both parsers.
"""

from __future__ import annotations

import httptools

from .errors import ProtocolError
from .http11_base import CHUNKED as _CHUNKED, NEED_DATA, HTTP11Base, NeedData, PeerClosed, RequestHead
from .http11_chunks import ChunkScanner

__all__ = ["HttptoolsProtocol"]

# llhttp's words for the framing errors it finds before our own checks run, in ours.
_MESSAGES = {
    "Duplicate Content-Length": (400, "conflicting Content-Length values"),
    "Invalid character in Content-Length": (400, "Content-Length is not a number"),
    # (h11 refuses every Transfer-Encoding but a single "chunked" with 501, before our checks)
    "Request has invalid `Transfer-Encoding`": (501, "Only Transfer-Encoding: chunked is supported"),
    "Invalid `Transfer-Encoding` header value": (501, "Only Transfer-Encoding: chunked is supported"),
    "Transfer-Encoding can't be present with Content-Length":
        (400, "both Content-Length and Transfer-Encoding in one request"),
}

_LENIENCIES = hasattr(httptools.HttpRequestParser, "set_dangerous_leniencies")   # httptools >= 0.6.2


class HttptoolsProtocol(HTTP11Base):
    parser_name = "httptools"

    def __init__(self, max_header_size: int = 65536, max_body_size: int = 64 * 1024 * 1024,
                 max_headers: int = 100, max_request_line: int = 8192) -> None:
        super().__init__(max_header_size, max_body_size, max_headers, max_request_line)
        self._parser: httptools.HttpRequestParser | None = None
        self._body_parser: httptools.HttpRequestParser | None = None

    def _reset_message(self) -> None:
        super()._reset_message()
        self._url = b""
        self._raw_headers: list[tuple[bytes, bytes]] = []
        self._began = False
        self._overrun = False
        self._headers_done = False
        self._message_done = False
        self._upgrade = False
        self._parts: list[bytes] = []
        self._body_left = 0               # Content-Length bytes not yet given to the parser
        self._chunks: ChunkScanner | None = None
        self._waits_for_continue = False

    def _new_parser(self) -> httptools.HttpRequestParser:
        parser = httptools.HttpRequestParser(self)
        if _LENIENCIES:
            # Content-Length with Transfer-Encoding is then refused by _check_framing, in the same
            # words as on h11, before any body byte reaches the parser (without it, llhttp's own
            # refusal is translated by _MESSAGES).
            parser.set_dangerous_leniencies(lenient_chunked_length=True)
        return parser

    # -- llhttp's callbacks -------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._began:   # bytes past the end of the message we meant to give it
            self._overrun = True
            raise ValueError("a second message")
        self._began = True

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._headers_done:   # (after the head: trailer fields, which we drop as h11 does)
            self._raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, data: bytes) -> None:
        self._parts.append(data)

    def on_message_complete(self) -> None:
        self._message_done = True

    def _feed(self, parser: httptools.HttpRequestParser, data: bytes) -> None:
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._upgrade = True
        except httptools.HttpParserError as exc:
            if self._overrun:
                raise ProtocolError(400, "malformed request body") from None
            text = str(exc)
            status, message = _MESSAGES.get(text, (400, text or "malformed request"))
            if text == "Content-Length overflow":
                status, message = 413, self.body_too_large()
            raise ProtocolError(status, message) from None

    # -- input --------------------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the peer; ``b""`` means the peer closed its side."""
        if data:
            self._pending += data
            if self._in_head:
                self._reading_head = True
        else:
            self._eof = True

    def next_head(self) -> RequestHead | NeedData | PeerClosed:
        size = self._complete_head()
        if not isinstance(size, int):
            return size
        head = bytes(self._pending[:size])
        del self._pending[:size]
        self._in_head = False
        self._reading_head = False
        parser = self._parser
        if parser is None:
            parser = self._parser = self._new_parser()
        self._feed(parser, head)
        if not self._headers_done:
            raise ProtocolError(400, "malformed request head")
        method = parser.get_method().decode("ascii")
        version = parser.get_http_version()
        headers = [(name.decode("latin-1").lower(), value.decode("latin-1").strip(" \t"))
                   for name, value in self._raw_headers]
        self._body_left = self._check_head(method, version, headers)
        self._request_method = method
        self._body_size = 0
        target = self._url.decode("latin-1")
        if self._body_left == _CHUNKED:
            self._chunks = ChunkScanner(self.max_header_size)
        if self._upgrade:
            self._parser = None   # llhttp is done with this connection
            if self._body_left:
                self._read_upgrade_body()
        self._waits_for_continue = self._expects_continue
        return RequestHead(method, target, version, headers)

    def _read_upgrade_body(self) -> None:
        """A parser for the body of an Upgrade request, started with a head of the same framing."""
        framing = (b"transfer-encoding: chunked" if self._body_left == _CHUNKED
                   else b"content-length: %d" % self._body_left)
        self._body_parser = self._new_parser()
        self._began = self._message_done = False
        self._feed(self._body_parser, b"POST / HTTP/1.1\r\nhost: body\r\n" + framing + b"\r\n\r\n")

    def next_body_part(self) -> bytes | None | NeedData:
        """A piece of the request body, None at its end, or NEED_DATA."""
        while True:
            if self._parts:
                parts = self._parts
                data = parts[0] if len(parts) == 1 else b"".join(parts)
                self._parts = []
                self._count_body(len(data))
                return data
            if self._message_done:
                self._request_done = True
                return None
            if self._body_left == _CHUNKED:
                size = self._chunks.measure(self._pending)
            else:
                size = min(self._body_left, len(self._pending))
                self._body_left -= size
            if not size:
                if self._body_left == 0:   # all the framing announced was given, and no end
                    raise ProtocolError(400, "malformed request body")
                if self._eof:
                    raise ProtocolError(400, "connection closed in the middle of the request body")
                return NEED_DATA
            data = bytes(self._pending[:size])
            del self._pending[:size]
            self._waits_for_continue = False
            self._feed(self._body_parser or self._parser, data)
            ended = self._body_left == 0 or self._chunks is not None and self._chunks.done
            if ended and not self._message_done:
                raise ProtocolError(400, "malformed request body")

    @property
    def client_waits_for_continue(self) -> bool:
        return self._waits_for_continue

    # -- output (what h11 would write) --------------------------------------------------------------
    def continue_response(self) -> bytes:
        self._waits_for_continue = False
        return b"HTTP/1.1 100 \r\n\r\n"

    # -- upgrade to HTTP/2 ------------------------------------------------------------------------
    def switch_protocols(self, upgrade: str) -> bytes:
        """The 101 response; after it the connection belongs to the ``upgrade`` protocol."""
        self._response_started = True
        return b"HTTP/1.1 101 \r\nconnection: Upgrade\r\nupgrade: %s\r\n\r\n" % upgrade.encode("ascii")

    @property
    def trailing_data(self) -> bytes:
        """Bytes the client sent after the request that switched protocols."""
        return bytes(self._pending)

    # -- between requests -----------------------------------------------------------------------
    def start_next_cycle(self) -> None:
        """Ready for the next request: the bytes held past this one are the start of its head."""
        if self._upgrade or self._parser is None or not self._parser.should_keep_alive():
            self._parser = None
        self._body_parser = None
        self._reset_message()
        self._in_head = True
        self._reading_head = bool(self._pending)
        self._scanner.reset()

    @property
    def has_unread_data(self) -> bool:
        return bool(self._pending)
