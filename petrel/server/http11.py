"""The I/O loop of an HTTP/1.1 connection: moves bytes between the socket and HTTP11Protocol.

Requests on one connection are answered in order (pipelined requests wait in h11's buffer), each
through :meth:`petrel.server.app.Server.dispatch`, in this connection's task.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any
from urllib.parse import urlsplit

import anyio

from .http2 import new_protocol, serve_http2
from ..messages import Request, Response
from .protocol.http11 import NEED_DATA, PEER_CLOSED, HTTP11Protocol, ProtocolError, RequestHead
from .protocol.http2 import ProtocolError as HTTP2ProtocolError

log = logging.getLogger("petrel.server")

RECEIVE_SIZE = 65536
_DISCONNECTS = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream,
                ConnectionError, OSError)


class _Closed(Exception):
    """The connection is over (peer gone, idle timeout, or shutdown)."""


async def serve_http11(server: Any, stream: Any, first_bytes: bytes, remote: tuple[str, int],
                       proto: str) -> None:
    config = server.config
    protocol = HTTP11Protocol(config.server_max_header_size, config.server_max_body_size)
    protocol.receive_data(first_bytes)
    timeout = config.server_keepalive_timeout

    async def receive() -> None:
        # One cancel scope for the whole connection, its deadline moved before each read: cheaper
        # than a new timeout scope per read on this hot path.
        scope.deadline = anyio.current_time() + timeout
        try:
            data = await stream.receive(RECEIVE_SIZE)
        except anyio.EndOfStream:
            data = b""
        except _DISCONNECTS:
            raise _Closed() from None
        finally:
            scope.deadline = math.inf   # handlers and writes are not bound by the idle timeout
        protocol.receive_data(data)

    with anyio.CancelScope() as scope:
        await _serve(server, stream, protocol, receive, remote, proto)
    if scope.cancelled_caught:
        log.debug("closing the idle connection from %s", remote[0])


async def _serve(server: Any, stream: Any, protocol: HTTP11Protocol, receive: Any,
                 remote: tuple[str, int], proto: str) -> None:
    try:
        while True:
            try:
                head = protocol.next_head()
                while head is NEED_DATA:
                    if server.shutting_down:
                        raise _Closed()
                    await receive()
                    head = protocol.next_head()
                if head is PEER_CLOSED:
                    return
                assert isinstance(head, RequestHead)
                arrived = time.time()
                body = bytearray()
                if protocol.client_waits_for_continue:
                    await stream.send(protocol.continue_response())
                part = protocol.next_body_part()
                while part is not None:
                    if part is NEED_DATA:
                        await receive()
                    else:
                        body += part
                    part = protocol.next_body_part()
            except ProtocolError as exc:
                log.debug("bad request from %s: %s", remote[0], exc)
                reply = protocol.error_response(exc.status, str(exc))
                if reply:
                    await stream.send(reply)
                return
            request = _make_request(head, bytes(body), remote, proto, arrived)
            settings = protocol.h2c_upgrade_settings(head) if proto == "http" else None
            if settings is not None and not server.shutting_down:
                h2 = new_protocol(server.config)
                try:
                    h2.initiate_upgrade(settings)
                except HTTP2ProtocolError as exc:
                    log.debug("no upgrade to h2c for %s: %s", remote[0], exc)   # answered in HTTP/1.1
                else:
                    # RFC 7540 3.2: 101, then HTTP/2 with this request answered on stream 1.
                    await stream.send(protocol.switch_protocols("h2c"))
                    await serve_http2(server, stream, protocol.trailing_data, remote, proto,
                                      protocol=h2, upgraded=request)
                    return
            response = await server.dispatch(request)
            close = server.shutting_down
            await _send_response(stream, protocol, response, close)
            if close or protocol.must_close or not protocol.keep_alive:
                return
            protocol.start_next_cycle()
    except _Closed:
        return
    except _DISCONNECTS:
        return


def _make_request(head: RequestHead, body: bytes, remote: tuple[str, int], proto: str,
                  arrived: float) -> Request:
    target = head.target
    if not target.startswith("/"):
        # absolute-form ("http://host/path?q") or asterisk-form ("*")
        parts = urlsplit(target)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "") if parts.scheme else target
    path, _, query = target.partition("?")
    host = next((value for name, value in head.headers if name == "host"), "")
    return Request(method=head.method, path=path, query=query, http_version=head.http_version,
                   proto=proto, host=host, headers=head.headers, content=body,
                   remote_addr=remote[0], remote_port=remote[1], timestamp=arrived)


async def _send_response(stream: Any, protocol: HTTP11Protocol, response: Response, close: bool) -> None:
    if response.stream is not None:
        length = response.content_length or 0
        await stream.send(protocol.response_head(response, length, close))
        async for chunk in response.stream:
            data = protocol.body(chunk)
            if data:
                await stream.send(data)
        await stream.send(protocol.end())
        return
    length = response.content_length if response.content_length is not None else len(response.body)
    out = protocol.response_head(response, length, close) + protocol.body(response.body) + protocol.end()
    await stream.send(out)
