"""The engine-neutral Request and Response values every protocol produces and consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import AsyncIterator


@dataclass(slots=True)
class Request:
    method: str
    path: str            # as sent, without the query string
    query: str           # the raw query string, without '?'
    http_version: str    # "1.0", "1.1" or "2"
    proto: str           # "http" or "https"
    host: str
    headers: list[tuple[str, str]]   # lower-case names, in arrival order
    content: bytes
    remote_addr: str
    remote_port: int
    timestamp: float
    id: str = ""         # request.id: set by Server.dispatch (see server/requestid.py)

    @property
    def remote_addr_ip_ver(self) -> int:
        return 6 if ":" in self.remote_addr else 4

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def headers_dict(self) -> dict[str, str]:
        """Header name -> value; repeated headers are joined with ', ' (cookies with '; ')."""
        merged: dict[str, str] = {}
        for key, value in self.headers:
            if key in merged:
                merged[key] = merged[key] + ("; " if key == "cookie" else ", ") + value
            else:
                merged[key] = value
        return merged

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for key, value in self.headers:
            if key != "cookie":
                continue
            for part in value.split(";"):
                name, sep, val = part.strip().partition("=")
                if not sep or not name:
                    continue
                val = val.strip()
                if len(val) >= 2 and val[0] == val[-1] == '"':
                    val = val[1:-1]
                jar.setdefault(name.strip(), val)
        return jar


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # A body too big to hold in memory (a static file) streams from here; content_length is then set.
    stream: AsyncIterator[bytes] | None = None
    content_length: int | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None
