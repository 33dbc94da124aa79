"""lua.devmode: bootstrap() again when the service's files (or its native libraries) change, and
error pages.

In devmode every request already gets a state made from freshly read files (StateBuffer). This
module adds the rest: when a file changed since the last ``bootstrap()``, it runs again on a new
router before the request is routed, so a route added while serving answers without a restart.
When a native library's Python file changed, the libraries ``petrel.load_lib`` loaded are unloaded
and forgotten first, so that bootstrap imports the new code.
A handler error or a file that does not load is answered with an HTML page showing the message,
the Lua traceback and the source lines around each frame (HTML-escaped). Production never sees
these pages: it answers a plain 500 and logs.
"""

from __future__ import annotations

import html
import logging
import os
import re
from typing import Any

from ..engines.base import ServiceLoadError, find_sources
from ..messages import Response
from .router import Router

lua_log = logging.getLogger("petrel.lua")
_FRAME = re.compile(r"([\w./-]+\.lua):(\d+)")
CONTEXT_LINES = 3


class DevMode:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> tuple:
        try:
            lua = tuple((s.name, s.text) for s in find_sources(self.server.config.lua_root))
        except OSError:
            lua = ()
        return lua, self._native_fingerprint()

    def _native_fingerprint(self) -> tuple:
        """The native libraries' Python files (a package's every file), as they are now."""
        found = []
        for path in self.server.libraries.native_files.values():
            if os.path.basename(path) == "__init__.py":
                files = sorted(os.path.join(d, f) for d, _, names in os.walk(os.path.dirname(path))
                               for f in names if f.endswith(".py"))
            else:
                files = [path]
            for name in files:
                try:
                    with open(name, "rb") as handle:
                        found.append((name, handle.read()))
                except OSError:
                    found.append((name, None))
        return tuple(found)

    async def refresh(self) -> Response | None:
        """Bootstrap again if a file changed; an error page when the service no longer loads."""
        fingerprint = self._fingerprint()
        if fingerprint == self.fingerprint:
            return None
        server = self.server
        ctx = server.libraries.ctx
        if fingerprint[1] != self.fingerprint[1]:
            server.libraries.forget_native()   # bootstrap's load_lib imports them again
            lua_log.info("devmode: a native library changed; it is imported again")
        old_router, router = ctx.router, Router()
        ctx.router = router
        try:
            state = server.engine.new_state(find_sources(server.config.lua_root))
            try:
                async with ctx.request_scope():
                    await server.engine.bootstrap(state)
            finally:
                server.engine.close_state(state)
        except ServiceLoadError as exc:
            ctx.router = old_router
            lua_log.error("%s", exc)
            return error_page(server.config.lua_root, "The service does not load", str(exc), "")
        server.router = router
        self.fingerprint = self._fingerprint()   # with the native libraries bootstrap loaded
        lua_log.info("devmode: files changed, bootstrap() ran again (%d routes)", len(router.routes))
        return None


def _source_excerpt(root: str, name: str, line: int) -> str:
    path = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([path, os.path.realpath(root)]) != os.path.realpath(root):
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ""
    rows = []
    for number in range(max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES) + 1):
        mark = ' class="here"' if number == line else ""
        rows.append(f"<tr{mark}><td>{number}</td><td><pre>{html.escape(lines[number - 1])}</pre></td></tr>")
    return f"<h3>{html.escape(name)}:{line}</h3><table>{''.join(rows)}</table>"


def error_page(root: str, title: str, message: str, traceback: str, status: int = 500) -> Response:
    frames = []
    seen = set()
    for match in _FRAME.finditer(message + "\n" + traceback):
        key = (match.group(1), int(match.group(2)))
        if key not in seen:
            seen.add(key)
            frames.append(_source_excerpt(root, *key))
    body = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>petrel: "
        f"{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "pre{margin:0}td{padding:0 .5em;vertical-align:top}tr.here{background:#fdd}"
        ".tb{background:#f4f4f4;padding:1em}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p><strong>{html.escape(message)}</strong></p>"
        f"<pre class=\"tb\">{html.escape(traceback or '(no traceback)')}</pre>"
        f"<h2>Source</h2>{''.join(frames) or '<p>(no source lines)</p>'}"
        "<p><small>This page is shown because lua.devmode is on; in production the client gets a "
        "plain 500 and the message goes to the log.</small></p></body></html>")
    return Response(status, [("content-type", "text/html; charset=utf-8")], body.encode())
