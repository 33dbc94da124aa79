"""The server: start-up (load, bootstrap, fill the state buffer), the listener, request dispatch.

The core knows engines only through :mod:`petrel.engines.base`'s contract; the engine class is
handed in by the command line (``--engine``).
"""

from __future__ import annotations

import errno
import logging
import signal
import time
from typing import Any

import anyio
from anyio.abc import SocketAttribute

from ..engines.base import Engine, HandlerError, ServiceLoadError, find_sources
from ..libs import LibraryContext, LibraryRegistry
from ..metrics import new_registry
from ..net import DNSCache
from ..net.accept import ACCEPT_BURST, BurstAcceptor, open_stream
from ..net.transport_stream import take_over
from .http11 import serve_http11
from .http2 import serve_http2
from ..messages import Request, Response
from .router import Router
from .static import serve_file
from .compress import GzipPolicy, compress_response
from .statebuffer import StateBuffer
from .protocol.http2 import PREFACE_START
from .tls import TLSSetupError, server_context, start_tls
from .connections import Connection, TrackedStream
from .stopsignals import StopSignals
from .access import log_access, start_url
from .front import Front
from ..log import REQUEST_ID

log = logging.getLogger("petrel.server")
lua_log = logging.getLogger("petrel.lua")
access_log = logging.getLogger("petrel.access")

TLS_HANDSHAKE = b"\x16"   # the first byte of a TLS ClientHello record


_STATUS_TEXT = {400: "400 Bad Request\n", 500: "500 Internal Server Error\n",
                503: "503 Service Unavailable\n"}


def _plain(status: int, text: str) -> Response:
    return Response(status, [("content-type", "text/plain; charset=utf-8")], text.encode())


class Server:
    def __init__(self, config: Any, engine_class: type[Engine]) -> None:
        self.config = config
        self.metrics = new_registry()
        self.router = Router()
        self.gzip = GzipPolicy.from_config(config)   # server.gzip: response compression
        self.dns = DNSCache.from_minutes(config.server_dns_cache_ttl)
        ctx = LibraryContext(config=config, logger=lua_log, metrics=self.metrics, router=self.router,
                             dns=self.dns, lib_search_path=[config.lua_root])
        self.libraries = LibraryRegistry(ctx)
        self.engine = engine_class(config, self.libraries)
        self.buffer: StateBuffer | None = None
        # A server process of its own keeps its ready states out of Python's full collections
        # (StateBuffer.fill); an in-process test client leaves its host process's collector be.
        self.freeze_states = False
        self.devmode: Any = None   # lua.devmode: the reloader and error pages (server/devmode.py)
        self.shutting_down = False
        self.draining = False   # from the stop signal on: server.health-path answers 503
        self.front = Front(config)   # trusted proxies, request ids, the health path
        self.health_path = config.server_health_path or None
        self.active_requests = 0
        self.port: int | None = None
        self._idle = anyio.Event()
        self.stopping = anyio.Event()   # set at shutdown: HTTP/2 connections send GOAWAY
        self.tls_context = None
        self.open_connections = 0
        # Shutdown and server.max-connections (see serve() and _watch_signals()).
        self.repeat_signal_exits = True   # a worker leaves a second signal to its master
        self.announce = True              # log the URL to open (the first worker of several only)
        self._stop_signals: StopSignals | None = None
        self._connections: set[Connection] = set()
        self._no_connections = anyio.Event()
        self._accepting: anyio.CancelScope | None = None   # cancelled at shutdown: the listener closes
        self._listener_closed = anyio.Event()
        self._connections_scope: anyio.CancelScope | None = None
        limit = config.server_max_connections
        self._connection_slots = anyio.Semaphore(limit) if limit else None
        self._register_server_metrics()
        self.prometheus = None
        if config.metrics_prometheus:
            from ..metrics.prometheus import PrometheusPage
            self.prometheus = PrometheusPage(self.metrics)

    def _register_server_metrics(self) -> None:
        """The server's own metrics, reported with the service's by every metrics output."""
        metrics = self.metrics
        self.requests_meter = metrics.meter("server.requests")
        self.duration_timer = metrics.timer("server.request_duration")   # milliseconds
        # responses by status class, 2xx to 5xx, looked up by status // 100
        self.responses_by_class = {n: metrics.counter(f"server.responses.{n}xx") for n in range(2, 6)}
        self.lua_errors = metrics.counter("server.lua_errors")
        metrics.gauge("server.connections", lambda: self.open_connections)
        metrics.gauge("server.statebuffer.ready", lambda: self.buffer.ready if self.buffer else 0)

    # -- start-up ----------------------------------------------------------------------------
    def _load_sources(self) -> list:
        return find_sources(self.config.lua_root)

    async def start(self) -> None:
        """Load the service, run bootstrap() once, fill the state buffer. ServiceLoadError on failure."""
        config = self.config
        log.info("engine: %s", self.engine.description)
        if config.server_http2_tls:
            try:
                self.tls_context = server_context(config.server_http2_key_file, config.server_http2_crt_file)
            except TLSSetupError as exc:
                raise ServiceLoadError(str(exc)) from None
            log.info("TLS with certificate %s, ALPN h2 and http/1.1", config.server_http2_crt_file)
        sources = self._load_sources()
        if not sources:
            raise ServiceLoadError(f"no *.lua files under lua.root {config.lua_root}")
        for source in sources:
            log.info("found %s", source.name)
        state = self.engine.new_state(sources)
        try:
            async with self.libraries.ctx.request_scope():
                await self.engine.bootstrap(state)
        finally:
            self.engine.close_state(state)
        log.info("bootstrap() done")
        for route in self.router.routes:
            if route.handler is not None:
                log.info("route %s -> %s()", route.prefix, route.handler)
            else:
                log.info("route %s -> directory %s", route.prefix, route.directory)
        log.info("libraries: %s", ", ".join(lib.name for lib in self.libraries.libraries))
        started = time.perf_counter()
        self.buffer = StateBuffer(self.engine, self._load_sources, config.lua_statebuffer, config.lua_devmode,
                                  freeze=self.freeze_states)
        self.buffer.fill()
        if not config.lua_devmode:
            log.info("state buffer: %d states ready in %.0f ms", self.buffer.ready,
                     (time.perf_counter() - started) * 1000)
        else:
            from .devmode import DevMode
            self.devmode = DevMode(self)
            log.info("devmode: Lua files are read again for every request, bootstrap() when they change")

    # -- requests ----------------------------------------------------------------------------
    async def dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        self.active_requests += 1
        self.requests_meter.increment()
        self.front.admit(request)
        current_id = REQUEST_ID.set(request.id)   # on the log lines of this request
        try:
            response = await self._dispatch(request)
            if self.gzip.enabled:
                response = await compress_response(self.gzip, request, response)
        finally:
            REQUEST_ID.reset(current_id)
            self.active_requests -= 1
            if self.active_requests == 0:
                self._idle.set()
        self.front.stamp(request, response)
        self.duration_timer.update((time.perf_counter() - started) * 1000)
        counter = self.responses_by_class.get(response.status // 100)
        if counter is not None:
            counter.increment()
        if self.config.log_access:
            log_access(request, response, (time.perf_counter() - started) * 1000)
        return response

    async def _dispatch(self, request: Request) -> Response:
        if request.path == self.health_path:
            return self.front.health(request, self.draining)
        if self.prometheus is not None and request.path == self.config.metrics_prometheus:
            return Response(200, [("content-type", self.prometheus.content_type)],
                            self.prometheus.render())
        if self.devmode is not None:
            page = await self.devmode.refresh()
            if page is not None:
                return page
        route = self.router.match(request.path)
        if route is None:
            return _plain(404, "404 Not Found\n")
        if route.directory is not None:
            return await serve_file(request, route, self.gzip)
        assert self.buffer is not None and route.handler is not None
        try:
            state = self.buffer.acquire()
        except ServiceLoadError as exc:   # devmode: the files changed and no longer load
            lua_log.error("%s", exc)
            if self.devmode is not None:
                from .devmode import error_page
                return error_page(self.config.lua_root, "The service does not load", str(exc), "")
            return _plain(500, "500 Internal Server Error\n")
        try:
            async with self.libraries.ctx.request_scope(handler=True):
                return await self.engine.handle(state, route.handler, request)
        except HandlerError as exc:
            self.lua_errors.increment()
            lua_log.error("%s %s: %s", request.method, request.path, exc)
            if exc.traceback:
                lua_log.debug("%s", exc.traceback)
            if self.devmode is not None:
                from .devmode import error_page
                return error_page(self.config.lua_root, f"Error in handler '{exc.handler}'", str(exc),
                                  exc.traceback, exc.status)
            return _plain(exc.status, _STATUS_TEXT[exc.status])
        except Exception:
            log.exception("internal error while handling %s %s", request.method, request.path)
            return _plain(500, "500 Internal Server Error\n")
        finally:
            self.buffer.release(state)

    # -- connections -------------------------------------------------------------------------
    async def handle_connection(self, stream: Any) -> None:
        self.open_connections += 1
        connection = Connection(self.shutting_down)
        self._connections.add(connection)
        stream = take_over(stream)
        try:
            remote = stream.extra(SocketAttribute.remote_address)
            if not isinstance(remote, tuple):
                remote = (str(remote), 0)
            address = (remote[0], remote[1])
            proto, alpn = "http", ""
            try:
                with anyio.fail_after(self.config.server_keepalive_timeout):
                    # (a shutdown ends these waits for a first request at once: receive_idle)
                    first = await connection.receive_idle(stream, 65536)
                    if first[:1] == TLS_HANDSHAKE and self.tls_context is not None:
                        stream, alpn = await start_tls(stream, first, self.tls_context)
                        proto = "https"
                        first = await connection.receive_idle(stream, 65536)
                    while len(first) < len(PREFACE_START) and PREFACE_START.startswith(first):
                        first += await stream.receive(65536)   # an HTTP/2 preface in pieces
            except (TimeoutError, anyio.EndOfStream, anyio.BrokenResourceError, OSError):
                return   # (ssl.SSLError, a failed handshake, is an OSError)
            if alpn == "h2" or first.startswith(PREFACE_START):
                await serve_http2(self, stream, first, address, proto)
            else:
                await serve_http11(self, TrackedStream(stream, connection), first, address, proto)
        finally:
            self._connections.discard(connection)
            self.open_connections -= 1
            if not self.open_connections:
                self._no_connections.set()
            await stream.aclose()

    async def _accept(self, listener: Any, connections: Any) -> None:
        """Accept connections on one listener while fewer than server.max-connections are open.

        Every connection already waiting is taken at once (:mod:`petrel.net.accept`); each sets
        up its stream in its own task. At the limit this loop stops accepting: new connections
        wait in the kernel's backlog (their handshake done, their requests buffered) until one
        closes. The slot taken here is given back when the connection's task ends.
        """
        slots = self._connection_slots
        acceptor = BurstAcceptor(listener)
        while True:
            most = ACCEPT_BURST
            if slots is not None:
                await slots.acquire()
                most = 1 + min(ACCEPT_BURST - 1, int(slots.value))
            try:
                burst = await acceptor.next_burst(most)
            except OSError as exc:
                if slots is not None:
                    slots.release()
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    # Out of file descriptors or memory: wait a moment for connections to close
                    # rather than spin (the clients wait in the backlog meanwhile).
                    log.error("cannot accept a connection: %s; trying again in 0.1 s", exc.strerror or exc)
                    await anyio.sleep(0.1)
                continue   # (ECONNABORTED and the like: that client is gone, the next one is not)
            except BaseException:
                if slots is not None:
                    slots.release()
                raise
            if slots is not None:
                for _ in range(len(burst) - 1):
                    slots.acquire_nowait()   # (free: the burst was cut to the slots there were)
            for connection in burst:
                connections.start_soon(self._connection_task, connection)

    async def _connection_task(self, connection: Any) -> None:
        try:
            try:
                stream = await open_stream(connection)
            except OSError as exc:
                log.debug("a connection was lost while it was set up: %s", exc)
                return
            await self.handle_connection(stream)
        except Exception:
            # One connection's failure ends that connection, never the task group of all of them.
            log.exception("internal error on a connection; it is closed")
        finally:
            if self._connection_slots is not None:
                self._connection_slots.release()

    # -- running -----------------------------------------------------------------------------
    async def serve(self, ready: Any = None) -> None:
        """Listen and serve until SIGINT or SIGTERM, then stop cleanly (see _watch_signals).

        ``ready`` (a callable) is told the bound port once the listener is up. An OSError from
        binding the port is raised as it is.
        """
        config = self.config
        assert self.buffer is not None
        listen_error: OSError | None = None
        self._accepting = anyio.CancelScope()
        async with anyio.create_task_group() as tg:
            # Signal handlers first, the port second: a SIGTERM as soon as the port accepts
            # already stops the server cleanly.
            await tg.start(self._watch_signals)
            try:
                listener = await anyio.create_tcp_listener(
                    local_host=config.server_listen or None, local_port=config.server_port,
                    backlog=config.server_backlog or 65536, reuse_port=config.server_workers != 1)
            except OSError as exc:
                listen_error = exc
                tg.cancel_scope.cancel()
            else:
                tg.start_soon(self.buffer.refill_forever)
                self._start_reporters(tg)
                addresses = sorted({l.extra(SocketAttribute.local_address)[:2] for l in listener.listeners})
                self.port = addresses[0][1]
                for host, port in addresses:
                    log.info("listening on %s port %d", host, port)
                if self.announce:
                    log.info("serving %s (press Ctrl+C to stop)", start_url(config, self.port))
                if ready is not None:
                    ready(self.port)
                # Connections have a task group of their own, so that shutdown can cancel them
                # (after server.shutdown-timeout) and still do its last steps here.
                async with anyio.create_task_group() as connections:
                    self._connections_scope = connections.cancel_scope
                    async with listener:
                        with self._accepting:
                            async with anyio.create_task_group() as accepting:
                                for one in listener.listeners:
                                    accepting.start_soon(self._accept, one, connections)
                    self._listener_closed.set()
                    # The listener is closed: the port refuses new connections from here on.
                self.libraries.unload_all()
                log.info("stopped")
                if self._stop_signals is not None:
                    self._stop_signals.stopped = True
                tg.cancel_scope.cancel()
        if listen_error is not None:
            raise listen_error

    def _start_reporters(self, tg: Any) -> None:
        config = self.config
        if config.metrics_log:
            from ..metrics.log_reporter import run_log_reporter
            tg.start_soon(run_log_reporter, self.metrics, config.metrics_log)
        if config.metrics_graphite:
            from ..metrics.graphite import GraphiteReporter
            reporter = GraphiteReporter(self.metrics, config.metrics_graphite_host,
                                        config.metrics_graphite_port, config.metrics_graphite_interval,
                                        config.metrics_graphite_prefix)
            log.info("metrics: to graphite %s:%d every %d s as %s.*", reporter.host, reporter.port,
                     config.metrics_graphite_interval, reporter.base)
            tg.start_soon(reporter.run)
        if self.prometheus is not None:
            log.info("metrics: prometheus page on %s", config.metrics_prometheus)

    def watch_stop_signals(self) -> StopSignals:
        """Start the thread that waits for SIGINT/SIGTERM (serve() does it if nobody did earlier).

        Started before start(), a signal during start-up is not lost: serve() stops at once, and
        a start-up that takes longer than server.shutdown-timeout is ended from the thread.
        """
        if self._stop_signals is None:
            self._stop_signals = StopSignals(self.config.server_shutdown_timeout + self.config.server_shutdown_delay,
                                             self.repeat_signal_exits)
            self._stop_signals.start()
        return self._stop_signals

    async def _watch_signals(self, *, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        """At SIGTERM or SIGINT: stop accepting, let in-flight requests finish, then cancel them.

        At once: the listener closes, HTTP/2 connections send GOAWAY (``stopping``), HTTP/1.1
        connections waiting for their next request close, and a response being made ends with
        Connection: close. In-flight requests then have server.shutdown-timeout seconds; whatever
        is still running after that is cancelled, handlers included, and serve() returns.
        """
        timeout = self.config.server_shutdown_timeout
        watcher = self.watch_stop_signals()
        task_status.started()
        signum = await watcher.wait()
        self.draining = True
        delay = self.config.server_shutdown_delay
        if delay:
            # server.shutdown-delay: still accepting and serving; the health path says 503 so that
            # a load balancer stops sending before the port closes. (A second signal exits.)
            log.info("%s received: serving %d s more (server.shutdown-delay) before stopping",
                     signal.Signals(signum).name, delay)
            await anyio.sleep(delay)
        self.shutting_down = True
        self.stopping.set()
        if self._accepting is not None:
            self._accepting.cancel()
            with anyio.move_on_after(1):
                await self._listener_closed.wait()   # the port refuses from the log line on
        log.info("%s received, stopping (%d requests in flight, up to %d s)", signal.Signals(signum).name,
                 self.active_requests, timeout)
        for connection in list(self._connections):
            connection.close_if_idle()
        with anyio.move_on_after(timeout):
            while self.open_connections:
                self._no_connections = anyio.Event()
                await self._no_connections.wait()
        if self.open_connections:
            log.warning("server.shutdown-timeout (%d s) is over: cancelling %d requests still in flight "
                        "on %d connections", timeout, self.active_requests, self.open_connections)
            if self._connections_scope is not None:
                self._connections_scope.cancel()
