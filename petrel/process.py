"""One server process: logging, the engine, the Server, the event loop, run to completion.

Both the command line (one process) and each worker of a master (petrel.workers) run this.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable

EXIT_CONFIG = 2
EXIT_STARTUP = 1


def run_worker(config: Any, process: str = "", report: Callable[[str, str], None] | None = None) -> int:
    """Run one server process to completion; the exit code says how it ended.

    ``process`` names it in the log ("w1"); ``report``, given to a worker by its master, is told
    ``("ready", "")`` once the server listens, or ``("failed", why)`` when it cannot start.
    """
    from .server.stopsignals import block_stop_signals

    # First of all, before any thread exists: SIGINT and SIGTERM are for the signal thread only.
    block_stop_signals()

    import anyio

    from .engines import EngineUnavailable, ServiceLoadError, get_engine
    from .log import setup_logging
    from .server.app import Server

    setup_logging(config.log_level, config.log_syslog, config.log_syslog_address, process or "w1",
                  config.log_format)
    log = logging.getLogger("petrel.server")

    def failed(message: str) -> None:
        if report is not None:
            report("failed", message)

    try:
        engine_class = get_engine(config.lua_engine)
        server = Server(config, engine_class)
    except EngineUnavailable as exc:
        message = f"option 'lua.engine' ({config.lua_engine}): {exc}"
        print(f"petrel: {message}", file=sys.stderr)
        failed(message)
        return EXIT_CONFIG
    if report is not None:
        server.repeat_signal_exits = False   # the master escalates a second signal itself
    server.announce = process in ("", "w1")
    server.freeze_states = True   # (this process is the server's own)
    server.watch_stop_signals()

    def ready(_port: int) -> None:
        if report is not None:
            report("ready", "")

    async def run() -> int:
        try:
            await server.start()
        except ServiceLoadError as exc:
            log.critical("cannot start: %s", exc)
            failed(str(exc))
            return EXIT_STARTUP
        try:
            await server.serve(ready)
        except OSError as exc:
            message = (f"cannot listen on {config.server_listen} port {config.server_port}: "
                       f"{exc.strerror or exc}")
            log.critical("%s", message)
            failed(message)
            return EXIT_STARTUP
        return 0

    return anyio.run(run, backend="asyncio", backend_options=_loop_options())


def _loop_options() -> dict[str, Any]:
    """uvloop (the 'fast' extra) when it is installed, else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return {}
    return {"loop_factory": uvloop.new_event_loop}
