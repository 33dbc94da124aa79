"""Helpers shared by the protocols."""

from __future__ import annotations

import email.utils
import time

_cached_second = 0
_cached_date = ""


def http_date() -> str:
    """The current time as an HTTP date; formatted once per second."""
    global _cached_second, _cached_date
    now = int(time.time())
    if now != _cached_second:
        _cached_second = now
        _cached_date = email.utils.formatdate(now, usegmt=True)
    return _cached_date
