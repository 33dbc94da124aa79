"""The one exception every protocol module raises, and the loops catch.

A :class:`ProtocolError` says what cannot go on and which status answers it: a request the peer
broke (400, 413, 414, 431, 501 ...), or a response the server cannot write in the protocol (500).
The loop that catches it sends ``status`` if no byte of a response has left yet, else closes (or
resets the stream). Its own module, at the bottom of the protocol package, so that the head
scanner, the chunk scanner, both HTTP/1.1 parsers and HTTP/2 raise the same type.
"""

from __future__ import annotations

__all__ = ["ProtocolError"]


class ProtocolError(Exception):
    """Cannot serve this; answer ``status`` (if still possible) and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
