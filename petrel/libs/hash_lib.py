"""``hash``: md5 and sha1 as lower-case hex, FNV-1a (32-bit) as an integer.

FNV is 32-bit so that the value is exact on every runtime, LuaJIT's double-only numbers included.
"""

from __future__ import annotations

import hashlib

from .base import Library

library = Library("hash", "md5, sha1 and fnv hashes")


@library.function
def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@library.function
def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@library.function
def fnv(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value
