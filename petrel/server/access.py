"""The access log line (``log.access``) and the start-up URL.

One line a request: ``client method path[?query] HTTP/version status bytes duration``, then the
request id and the user agent::

    127.0.0.1 GET /json/x?a=1 HTTP/1.1 200 27 1.4ms id=5f0c1a2b3c4d5e6f ua="curl/8.5.0"

The request id is ``request.id``, the one the response's ``X-Request-Id`` carries (a trusted
proxy's, else the server's own: see server/requestid.py). With ``log.format = json`` the same
values are fields of the line's object (see petrel.log).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..messages import Request, Response

access_log = logging.getLogger("petrel.access")

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\]')


def _quoted(text: str) -> str:
    return '"' + _UNSAFE.sub(lambda m: "\\x%02x" % ord(m.group()), text) + '"'


def log_access(request: Request, response: Response, duration_ms: float) -> None:
    length = response.content_length if response.content_length is not None else len(response.body)
    target = request.path + ("?" + request.query if request.query else "")
    agent = request.header("user-agent") or ""
    rid = request.id or "-"
    fields = {"remote": request.remote_addr, "method": request.method, "path": request.path,
              "query": request.query, "http_version": request.http_version,
              "status": response.status, "bytes": length, "duration_ms": round(duration_ms, 3),
              "request_id": rid, "user_agent": agent}
    access_log.info("%s %s %s HTTP/%s %d %d %.1fms id=%s ua=%s", request.remote_addr, request.method,
                    _UNSAFE.sub("?", target), request.http_version, response.status, length,
                    duration_ms, rid, _quoted(agent), extra={"access": fields})


def start_url(config: Any, port: int) -> str:
    """The address to open in a browser: a wildcard listen address is shown as localhost."""
    host = config.server_listen or "localhost"
    if host in ("0.0.0.0", "::", "[::]", "*"):
        host = "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    scheme = "https" if config.server_http2_tls else "http"
    return f"{scheme}://{host}:{port}/"
