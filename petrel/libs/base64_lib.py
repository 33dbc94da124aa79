"""``base64``: standard alphabet with padding, as the original."""

from __future__ import annotations

import base64
import binascii

from .base import Library, LuaRuntimeError

library = Library("base64", "base64 encoding and decoding")


@library.function
def encode(data: bytes) -> bytes:
    return base64.b64encode(data)


@library.function
def decode(data: bytes) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LuaRuntimeError(f"base64.decode: invalid input ({exc})") from None
