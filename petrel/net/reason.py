"""The cause of a failed network call in a few words, for the Lua errors of the libraries that
connect out (http_client, redis)."""

from __future__ import annotations

import os
import ssl


def socket_reason(exc: BaseException) -> str | None:
    """The system's words for the socket or TLS error behind ``exc`` ("connection refused",
    "certificate verify failed: ..."), following its causes; None when there is none."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):
            return f"TLS error: {seen.reason or seen}"
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno).lower()
        seen = seen.__cause__ or seen.__context__
    return None
