"""Accepting connections in bursts.

anyio's ``listener.accept()`` hands out one connection per call, and each call passes through the
event loop several times (a checkpoint, the accept, the transport's set-up) while the connections
already open are served in between. When many clients connect at once (a load balancer's pool, a
benchmark's 32 connections, clients reconnecting after a restart) the k-th of them waited for
about k² request turns: 0.3 s for the 32nd first request at 8,000 requests/s. Here the accept loop
only takes sockets off the kernel's queue, all that are waiting in one go as asyncio's own servers
do, and each connection sets up its transport in its own task, alongside the others.
"""

from __future__ import annotations

import socket
from typing import Any

import anyio
from anyio.abc import SocketAttribute, SocketStream

ACCEPT_BURST = 128   # connections taken off the queue before the loop gets a turn again


class BurstAcceptor:
    """Takes every connection waiting on one listening socket. ``next_burst`` waits for the first
    and returns it with those already waiting behind it (at most ``most``)."""

    __slots__ = ("_listener", "_raw")

    def __init__(self, listener: Any) -> None:
        self._listener = listener
        self._raw: socket.socket | None = None
        try:
            raw = listener.extra(SocketAttribute.raw_socket)
        except Exception:   # a listener that is no socket of its own: anyio's accept() it is
            raw = None
        if isinstance(raw, socket.socket) and raw.type == socket.SOCK_STREAM:
            self._raw = raw

    async def next_burst(self, most: int) -> list[Any]:
        """Connections as sockets (to open with :func:`open_stream`) or, on a listener without a
        raw socket, as one anyio stream. Raises OSError as ``accept()`` does when none was taken."""
        raw = self._raw
        if raw is None:
            return [await self._listener.accept()]
        taken: list[Any] = []
        while True:
            try:
                sock, _ = raw.accept()
            except (BlockingIOError, InterruptedError):
                if taken:
                    return taken
                await anyio.wait_readable(raw)
                continue
            except OSError:
                if taken:
                    return taken   # (the error comes back on the next call if it is lasting)
                raise
            taken.append(sock)
            if len(taken) >= most:
                return taken


async def open_stream(connection: Any) -> Any:
    """The anyio stream of a connection :meth:`BurstAcceptor.next_burst` gave."""
    if not isinstance(connection, socket.socket):
        return connection
    try:
        connection.setblocking(False)
        if connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return await SocketStream.from_socket(connection)
    except BaseException:
        connection.close()
        raise
