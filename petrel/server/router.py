"""Longest-prefix routing: a path goes to the most specific route whose prefix it starts with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Route:
    prefix: str
    handler: str | None = None      # a Lua global function
    directory: str | None = None    # a static directory, served without Lua
    cache_control: str | None = None   # of a directory route: its Cache-Control value


class Router:
    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._ordered: list[Route] = []

    def add_route(self, prefix: str, handler: str) -> None:
        self._add(Route(prefix, handler=handler))

    def add_directory_route(self, prefix: str, directory: str, cache_control: str | None = None) -> None:
        self._add(Route(prefix, directory=directory, cache_control=cache_control))

    def _add(self, route: Route) -> None:
        self._routes[route.prefix] = route
        # Longest prefix first, so the first match is the most specific one.
        self._ordered = sorted(self._routes.values(), key=lambda r: len(r.prefix), reverse=True)

    def match(self, path: str) -> Route | None:
        for route in self._ordered:
            if path.startswith(route.prefix):
                return route
        return None

    @property
    def routes(self) -> list[Route]:
        return sorted(self._routes.values(), key=lambda r: r.prefix)
