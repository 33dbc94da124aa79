"""The byte-level checks on an HTTP/1.1 request head, made before any parser sees it.

A hostile client's head is judged here, on raw bytes, so the limits do not depend on what the
parser (h11 or httptools, see server.http1-parser) accepts, repairs or buffers:

- a request line longer than ``max_request_line`` -> 414, found as soon as that many bytes arrived
  without a line end, not after the whole head;
- more than ``max_headers`` header lines -> 431, counted as the lines arrive;
- a head larger than ``max_header_size`` -> 431;
- a bare LF, a bare CR, a NUL, an obs-fold continuation line, or a request line whose parts are
  not separated by single spaces -> 400. RFC 9112 allows a server to accept some of these, but a
  proxy in front of us may read them differently, which is how requests are smuggled; refusing
  them is the safe reading.

Empty lines before a request line are skipped (RFC 9112 2.2). The scan is incremental: a head sent
one byte at a time costs linear work, not quadratic.
"""

from __future__ import annotations

from .errors import ProtocolError


class HeadScanner:
    """Finds the end of one request head in a growing buffer, checking it on the way."""

    def __init__(self, max_header_size: int, max_headers: int, max_request_line: int) -> None:
        self.max_header_size = max_header_size
        self.max_headers = max_headers
        self.max_request_line = max_request_line
        self.reset()

    def reset(self) -> None:
        self._scanned = 0        # bytes of the buffer already checked (never ends inside a CRLF)
        self._line_ends = 0      # CRLFs in the checked bytes
        self._request_line = -1  # length of the request line, once its CRLF arrived

    def scan(self, buf: bytearray) -> int:
        """The length of the complete head at the start of ``buf``, or 0 while it is incomplete.

        Leading empty lines are removed from ``buf`` in place. Raises :class:`ProtocolError`.
        """
        if self._scanned == 0:
            skip = 0
            while buf.startswith(b"\r\n", skip):
                skip += 2
            if skip:
                del buf[:skip]
            if buf == b"\r":
                return 0             # perhaps another empty line: decide when its LF arrives
        start = self._scanned
        end = buf.find(b"\r\n\r\n", max(0, start - 3))
        stop = end + 4 if end >= 0 else len(buf)
        if end < 0 and buf.endswith(b"\r"):
            stop -= 1                # keep a CRLF split across reads whole for the next scan
        stop = max(stop, start)
        crlf = buf.count(b"\r\n", start, stop)
        if buf.count(b"\n", start, stop) != crlf:
            raise ProtocolError(400, "a line of the request head ends in a bare LF, not CRLF")
        self._line_ends += crlf
        self._scanned = stop

        if self._request_line < 0:
            if self._line_ends:
                self._request_line = buf.find(b"\r\n")
            elif stop > self.max_request_line:
                raise ProtocolError(414, f"request line longer than server.max-request-line "
                                     f"({self.max_request_line} bytes)")
        if self._request_line > self.max_request_line:
            raise ProtocolError(414, f"request line longer than server.max-request-line "
                                 f"({self.max_request_line} bytes)")
        header_lines = self._line_ends - 1 - (end >= 0)
        if header_lines > self.max_headers:
            raise ProtocolError(431, f"more than server.max-headers ({self.max_headers}) header lines")
        if end < 0:
            if len(buf) > self.max_header_size:
                raise ProtocolError(431, f"request head larger than server.max-header-size "
                                     f"({self.max_header_size} bytes)")
            return 0
        if stop > self.max_header_size:
            raise ProtocolError(431, f"request head larger than server.max-header-size "
                                 f"({self.max_header_size} bytes)")
        if buf.find(b"\0", 0, stop) >= 0:
            raise ProtocolError(400, "NUL byte in the request head")
        if buf.count(b"\r", 0, stop) != self._line_ends:
            raise ProtocolError(400, "bare CR in the request head")
        if buf.find(b"\n ", 0, stop) >= 0 or buf.find(b"\n\t", 0, stop) >= 0:
            raise ProtocolError(400, "obsolete line folding (a header line starting with a space or tab)")
        line = self._request_line
        if buf.find(b"  ", 0, line) >= 0 or buf.find(b"\t", 0, line) >= 0 or buf.startswith(b" "):
            # h11 refuses these and llhttp skips the extra spaces: one reading for both parsers
            raise ProtocolError(400, "the parts of the request line are not separated by single spaces")
        return stop
