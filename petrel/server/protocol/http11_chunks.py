"""Where a chunked request body ends, found without decoding it.

httptools decodes chunked bodies, but it cannot say where in the bytes it was given a message
ended: fed a body and the next pipelined request, it would parse that request's head too, past
the raw-byte checks every head must pass (:mod:`.http11_head`). So the httptools protocol gives
the parser only the bytes of the current message, and this scanner tells how many those are.

It reads the chunk-size lines (to skip the data they announce), the CRLF after each chunk and the
trailer lines up to the empty line that ends the message. It checks only what it needs to find
that end (a size it can read, lines within ``max_line`` bytes); the parser checks the rest
of the syntax. A size line or trailer section longer than ``max_line`` is a 431, as h11 answers.
"""

from __future__ import annotations

from .errors import ProtocolError

_SIZE, _DATA, _DATA_END, _TRAILER = range(4)
_HEX = frozenset(b"0123456789abcdefABCDEF")


class ChunkScanner:
    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._state = _SIZE
        self._left = 0            # bytes of chunk data (or of the CRLF after it) still to come
        self._trailer_size = 0
        self.done = False

    def measure(self, buf: bytes | bytearray) -> int:
        """How many bytes at the start of ``buf`` belong to this body (``done`` says whether they
        end it). Incomplete lines are not counted: they stay in the caller's buffer."""
        pos, size = 0, len(buf)
        while pos < size and not self.done:
            state = self._state
            if state == _DATA or state == _DATA_END:
                take = min(self._left, size - pos)
                pos += take
                self._left -= take
                if not self._left:
                    if state == _DATA:
                        self._state, self._left = _DATA_END, 2
                    else:
                        self._state = _SIZE
                continue
            end = buf.find(b"\n", pos, pos + self.max_line + 1)
            if end < 0:
                if size - pos > self.max_line:
                    raise ProtocolError(431, self._too_long())
                break
            line = bytes(buf[pos:end + 1])
            pos = end + 1
            if state == _SIZE:
                chunk = _chunk_size(line)
                if chunk:
                    self._state, self._left = _DATA, chunk
                else:
                    self._state = _TRAILER
            else:
                self._trailer_size += len(line)
                if self._trailer_size > self.max_line:
                    raise ProtocolError(431, self._too_long())
                if line == b"\r\n" or line == b"\n":
                    self.done = True
        return pos

    def _too_long(self) -> str:
        return (f"chunk-size line or trailer section longer than server.max-header-size "
                f"({self.max_line} bytes)")


def _chunk_size(line: bytes) -> int:
    digits = line.rstrip(b"\r\n").split(b";", 1)[0]
    if not digits or len(digits) > 16 or not _HEX.issuperset(digits):
        raise ProtocolError(400, "malformed chunk-size line in the request body")
    return int(digits, 16)
