"""Response compression (``server.gzip``): gzip for text-like bodies when the client accepts it.

Applied once, in :meth:`petrel.server.app.Server.dispatch`, to every response a handler or a
directory route made, so HTTP/1.1 (either parser) and HTTP/2 send the same bytes. A response is
compressed only when all of these hold:

- ``server.gzip`` is on and the status is one with a body that may be transformed: not 1xx, 204,
  206 or 304, and there is no Content-Range (a range of a representation is never compressed);
- the body is in memory (a large static file that streams from disk is sent as it is; a ``FILE.gz``
  next to it is served instead, see :mod:`.static`), at least ``server.gzip.min-size`` bytes;
- its media type matches ``server.gzip.types`` (``text/*`` matches every text type);
- the handler set no Content-Encoding of its own;
- the client's Accept-Encoding accepts ``gzip`` (``gzip;q=0`` refuses it, ``*`` accepts it unless
  gzip is refused by name, ``identity`` alone or no header at all refuses it).

Every response that *could* be compressed gets ``Vary: Accept-Encoding``, compressed or not, so a
cache keeps the two apart. A compressed response's strong ETag becomes weak (``W/"..."``): the
bytes differ from the identity body's, and If-None-Match compares weakly anyway. HEAD gets the
headers GET would get, because the body of a HEAD response is made (and then not sent) as for GET.

Compressing takes about 12 microseconds per KiB at level 6 on one core (zlib releases the GIL);
bodies above :data:`THREAD_THRESHOLD` are compressed in a worker thread so the event loop keeps
serving other connections meanwhile.
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from typing import Any

import anyio

from ..messages import Request, Response

# Bodies larger than this are compressed off the event loop: 64 KiB take about 0.8 ms at level 6,
# larger ones would stall every other connection for longer than a worker thread costs (~0.1 ms).
THREAD_THRESHOLD = 64 * 1024

_NO_BODY_STATUSES = (204, 206, 304)


@dataclass(frozen=True, slots=True)
class GzipPolicy:
    enabled: bool
    min_size: int
    level: int
    exact: frozenset[str]
    prefixes: tuple[str, ...]   # "text/" for "text/*"

    @classmethod
    def from_config(cls, config: Any) -> "GzipPolicy":
        kinds = [k for k in config.server_gzip_types.split(", ") if k]   # normalized by config.py
        return cls(enabled=bool(config.server_gzip), min_size=config.server_gzip_min_size,
                   level=config.server_gzip_level,
                   exact=frozenset(k for k in kinds if not k.endswith("/*")),
                   prefixes=tuple(k[:-1] for k in kinds if k.endswith("/*")))

    def compressible_type(self, content_type: str | None) -> bool:
        if not self.enabled or not content_type:
            return False
        kind = content_type.split(";", 1)[0].strip().lower()
        return kind in self.exact or kind.startswith(self.prefixes)


def accepts_gzip(request: Request) -> bool:
    """Whether the request's Accept-Encoding lets the response be gzip-coded (RFC 9110 12.5.3)."""
    values = [value for name, value in request.headers if name == "accept-encoding"]
    if not values:
        return False   # no preference: identity is safest (curl without --compressed sends none)
    gzip_q = star_q = None
    for item in ",".join(values).split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            key, eq, value = param.partition("=")
            if eq and key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0   # a q we cannot read accepts nothing
                if not 0.0 <= q <= 1.0 or q != q:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def gzip_bytes(data: bytes, level: int) -> bytes:
    """A complete gzip member (no file name, mtime 0: the same input gives the same bytes)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def add_vary(headers: list[tuple[str, str]], token: str = "Accept-Encoding") -> list[tuple[str, str]]:
    """``headers`` with ``token`` in Vary (merged into an existing Vary; ``*`` left alone)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            tokens = [t.strip().lower() for t in value.split(",")]
            if token.lower() in tokens or "*" in tokens:
                return headers
            headers = list(headers)
            headers[index] = (name, f"{value}, {token}" if value.strip() else token)
            return headers
    return [*headers, ("vary", token)]


def _header(headers: list[tuple[str, str]], name: str) -> Any:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


async def compress_response(policy: GzipPolicy, request: Request, response: Response) -> Response:
    """``response`` gzip-coded when policy, response and request allow it (see the module text)."""
    status = response.status
    if (not policy.enabled or status < 200 or status in _NO_BODY_STATUSES or response.stream is not None
            or len(response.body) < policy.min_size):
        return response
    headers = response.headers
    if not isinstance(headers, list):
        headers = list(headers)
    if (_header(headers, "content-encoding") is not None or _header(headers, "content-range") is not None
            or not policy.compressible_type(_header(headers, "content-type"))):
        return response
    headers = add_vary(headers)
    if not accepts_gzip(request):
        return dataclasses.replace(response, headers=headers)
    body = response.body
    if len(body) > THREAD_THRESHOLD:
        compressed = await anyio.to_thread.run_sync(gzip_bytes, body, policy.level)
    else:
        compressed = gzip_bytes(body, policy.level)
    out = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-length":
            continue
        if lowered == "etag" and isinstance(value, str) and value.startswith('"'):
            value = "W/" + value
        out.append((name, value))
    out.append(("content-encoding", "gzip"))
    # A new Response: the handler's (or a page made once and kept) is left as it was.
    return dataclasses.replace(response, headers=out, body=compressed, content_length=None)
