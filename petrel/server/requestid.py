"""Request ids: ``request.id``, the ``X-Request-Id`` response header and the access log's ``id=``.

A request from a trusted proxy (``server.trusted-proxies``) keeps the ``X-Request-Id`` it
carries when that is 1 to 128 visible ASCII characters; every other request gets a new id of 16
hex digits: 48 random bits drawn once per 65536 requests and a 16-bit counter
(``5f0c1a2b3c4d0001``), as unique across the workers and restarts of a server as a random id of
that size, without a random draw per request.
"""

from __future__ import annotations

import itertools
import os
import re

MAX_LENGTH = 128
_SANE = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_LENGTH)
HEADER = "x-request-id"


def sane(value: str | None) -> bool:
    """Whether a client's id may be kept: 1 to 128 visible ASCII characters (no space, no CR/LF)."""
    return value is not None and _SANE.fullmatch(value) is not None


class RequestIds:
    """Makes the ids of one process's requests."""

    __slots__ = ("prefix", "_counter")

    def __init__(self) -> None:
        self.prefix = ""
        self._counter = itertools.count()

    def new(self) -> str:
        n = next(self._counter) & 0xFFFF
        if n == 0:
            self.prefix = os.urandom(6).hex()
        return "%s%04x" % (self.prefix, n)
