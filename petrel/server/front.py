"""What the server does to every request before it is routed, and to every response after.

- ``server.trusted-proxies``: a request from a trusted proxy gets its client's address and scheme
  (:mod:`.proxies`);
- ``request.id``: the trusted proxy's ``X-Request-Id``, else a new one (:mod:`.requestid`); every
  response carries it back as ``X-Request-Id``;
- ``server.health-path``: answered here, without Lua and without a state: 200 while serving, 503
  once the server is stopping (from the stop signal on, through server.shutdown-delay and the drain).
"""

from __future__ import annotations

from typing import Any

from ..messages import Request, Response
from .proxies import TrustedProxies
from .requestid import HEADER, RequestIds, sane

_HEALTH_TYPE = ("content-type", "text/plain; charset=utf-8")
_NO_STORE = ("cache-control", "no-store")


class Front:
    __slots__ = ("proxies", "ids")

    def __init__(self, config: Any) -> None:
        self.proxies = TrustedProxies.from_config(config.server_trusted_proxies)
        self.ids = RequestIds()

    def admit(self, request: Request) -> None:
        """Rewrite the client's address and scheme when the peer is trusted; give the request its id."""
        if self.proxies is not None and self.proxies.apply(request):
            given = request.header(HEADER)
            if sane(given):
                request.id = given  # type: ignore[assignment]
                return
        request.id = self.ids.new()

    def health(self, request: Request, stopping: bool) -> Response:
        """The answer on server.health-path (the server matched the path before routing)."""
        if request.method not in ("GET", "HEAD"):
            return Response(405, [_HEALTH_TYPE, ("allow", "GET, HEAD")], b"405 Method Not Allowed\n")
        if stopping:
            return Response(503, [_HEALTH_TYPE, _NO_STORE], b"stopping\n")
        return Response(200, [_HEALTH_TYPE, _NO_STORE], b"ok\n")

    @staticmethod
    def stamp(request: Request, response: Response) -> None:
        """``X-Request-Id`` on the response, unless the handler set one itself. (A new list: a
        response's header list may be a constant shared by every response of its kind.)"""
        headers = response.headers
        for name, _ in headers:
            if len(name) == 12 and name.lower() == HEADER:
                return
        response.headers = [*headers, (HEADER, request.id)]
