"""An in-process client for a service's own tests: no socket, the server's real dispatch.

::

    from petrel.testing import Client

    def test_json():
        with Client("service/", engine="lark") as client:
            reply = client.get("/json/x?a=1")
            assert reply.status == 200
            assert reply.json()["plain"] == "/json/x:1"

The client loads the service as ``petrel serve`` does (the files, ``bootstrap()``, the state
buffer) and hands each request to :meth:`petrel.server.app.Server.dispatch`, the same path a
request from the network takes after its protocol: routes, static directories, handlers, errors.
"""

from __future__ import annotations

import json as _json
import time
from dataclasses import dataclass, field
from typing import Any

import anyio.from_thread

from .config import load_config
from .messages import Request


@dataclass
class TestResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    __test__ = False   # not a pytest test class

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return _json.loads(self.body)


class Client:
    """``Client(root, engine="auto", runtime=None, **options)``; options as ``lua_timeout=500`` or
    ``{"lua.timeout": "500"}`` in ``settings``."""

    __test__ = False

    def __init__(self, root: str | None = None, engine: str = "auto", runtime: str | None = None,
                 config: str | None = None, settings: dict[str, Any] | None = None) -> None:
        overrides = [("lua.statebuffer", "2")]
        if root is not None:
            overrides.append(("lua.root", str(root)))
        overrides.append(("lua.engine", engine))
        if runtime:
            overrides.append(("lua.runtime", runtime))
        for key, value in (settings or {}).items():
            overrides.append((key, str(value)))
        self.config = load_config(config, overrides)
        self._portal_cm = anyio.from_thread.start_blocking_portal("asyncio")
        self._portal = self._portal_cm.__enter__()
        try:
            self.server = self._portal.call(self._start)
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise

    async def _start(self) -> Any:
        from .engines import get_engine
        from .server.app import Server
        server = Server(self.config, get_engine(self.config.lua_engine))
        await server.start()
        return server

    def request(self, method: str, path: str, headers: dict[str, str] | list[tuple[str, str]] | None = None,
                body: bytes | str = b"") -> TestResponse:
        path, _, query = path.partition("?")
        items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        content = body.encode() if isinstance(body, str) else body
        request = Request(method=method.upper(), path=path, query=query, http_version="1.1", proto="http",
                          host="testserver", headers=[(k.lower(), v) for k, v in items], content=content,
                          remote_addr="127.0.0.1", remote_port=0, timestamp=time.time())
        return self._portal.call(self._send, request)

    async def _send(self, request: Request) -> TestResponse:
        response = await self.server.dispatch(request)
        body = response.body
        if response.stream is not None:
            chunks = [chunk async for chunk in response.stream]
            body = b"".join(chunks)
        return TestResponse(response.status, list(response.headers), body)

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: bytes | str = b"", **kw: Any) -> TestResponse:
        return self.request("POST", path, body=body, **kw)

    def put(self, path: str, body: bytes | str = b"", **kw: Any) -> TestResponse:
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path: str, **kw: Any) -> TestResponse:
        return self.request("DELETE", path, **kw)

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal.call(self._stop)
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None

    async def _stop(self) -> None:
        self.server.libraries.unload_all()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
