"""The DNS cache: ``anyio.getaddrinfo`` behind a time-to-live cache (``server.dns-cache-ttl``).

One cache per server, reached by libraries as ``ctx.dns``. Outbound clients resolve through it so a
handler calling the same backend on every request does not pay a lookup each time. Concurrent
lookups of the same name share one query; failures are not cached, so a name that starts resolving
is used at once. IP literals never touch the resolver.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

import anyio

Address = tuple[int, tuple]   # (socket family, sockaddr) as getaddrinfo gives them
Resolver = Callable[..., Awaitable[list]]


class DNSError(OSError):
    """A name did not resolve. ``str()`` names the host and the resolver's reason."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"cannot resolve '{host}': {reason}")
        self.host = host
        self.reason = reason


@dataclass(slots=True)
class _Entry:
    addresses: list[Address]
    expires: float


class DNSCache:
    """Name -> addresses, each kept ``ttl_seconds`` (0 = no caching, every lookup asks the resolver)."""

    MAX_ENTRIES = 10000

    def __init__(self, ttl_seconds: float, resolver: Resolver = anyio.getaddrinfo,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self._resolver = resolver
        self._clock = clock
        self._entries: dict[tuple[str, int], _Entry] = {}
        self._pending: dict[tuple[str, int], anyio.Event] = {}
        self.lookups = 0   # queries that reached the resolver (for the log and for tests)
        self.hits = 0

    @classmethod
    def from_minutes(cls, minutes: float) -> "DNSCache":
        return cls(minutes * 60.0)

    async def resolve(self, host: str, port: int) -> list[Address]:
        """The TCP addresses of ``host``:``port``, in the resolver's order. DNSError when none."""
        literal = _ip_literal(host)
        if literal is not None:
            family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
            sockaddr = (str(literal), port, 0, 0) if family == socket.AF_INET6 else (str(literal), port)
            return [(family, sockaddr)]
        key = (host.lower(), port)
        while True:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > self._clock():
                self.hits += 1
                return entry.addresses
            pending = self._pending.get(key)
            if pending is None:
                break
            await pending.wait()   # someone else is asking; use their answer (or ask again)
            if self.ttl <= 0:
                break
        done = anyio.Event()
        self._pending[key] = done
        try:
            addresses = await self._lookup(host, port)
            if self.ttl > 0:
                if len(self._entries) >= self.MAX_ENTRIES:
                    self._evict()
                self._entries[key] = _Entry(addresses, self._clock() + self.ttl)
            return addresses
        finally:
            del self._pending[key]
            done.set()

    async def _lookup(self, host: str, port: int) -> list[Address]:
        self.lookups += 1
        try:
            infos = await self._resolver(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise DNSError(host, exc.strerror or str(exc)) from None
        except (OSError, UnicodeError) as exc:
            raise DNSError(host, str(exc)) from None
        addresses: list[Address] = []
        for family, _type, _proto, _name, sockaddr in infos:
            if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr) not in addresses:
                addresses.append((family, sockaddr))
        if not addresses:
            raise DNSError(host, "no IPv4 or IPv6 address")
        return addresses

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
        while len(self._entries) >= self.MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]   # the oldest insertion

    def clear(self) -> None:
        self._entries.clear()


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
