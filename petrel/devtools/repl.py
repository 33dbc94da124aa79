"""``petrel repl [ROOT]``: a Lua prompt with what a handler has: the sandbox, petrel's libraries and,
given a service, its files loaded and its ``bootstrap()`` run.

Each input runs as the ``lua`` command runs it: an expression's values are shown (``1 + 1`` shows
``2``), a statement is executed, an unfinished input (``function f()``) waits for more lines.
Globals stay from one input to the next; ``print`` writes to standard output. On a terminal the
prompt has line editing and a history (``~/.petrel_history``); otherwise the inputs are read from
standard input, one statement per line (or several lines while unfinished), with no prompt, and
the exit code is 1 when any of them failed.

Inputs run outside any request, on the server's own event loop, under ``lua.timeout`` and
``lua.max-memory``: Ctrl-C stops a running input (its state is then made anew, its globals lost).
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
from typing import Any, TextIO

import anyio.from_thread

from ..engines import HandlerError, IncompleteInput, ServiceLoadError, find_sources, get_engine
from ..engines import EngineUnavailable
from ..engines.base import LimitExceeded
from ..log import setup_logging

HISTORY_FILE = "~/.petrel_history"
HISTORY_LENGTH = 1000


class Session:
    """One Lua state and the server around it (libraries, router, metrics), on a thread's loop."""

    def __init__(self, config: Any) -> None:
        from ..server.app import Server
        self.config = config
        self._portal_cm = anyio.from_thread.start_blocking_portal("asyncio")
        self._portal = self._portal_cm.__enter__()
        self.server = Server(config, get_engine(config.lua_engine))
        out = logging.getLogger("petrel.repl.print")
        out.propagate = False
        out.setLevel(logging.DEBUG)
        if not out.handlers:
            out.addHandler(_StdoutHandler())
        self.server.libraries.ctx.logger = out   # print() answers on standard output
        self.sources = find_sources(config.lua_root) if config.lua_root else []
        self.state: Any = None
        try:
            self.state = self._portal.call(self._new_state)
        except BaseException:
            self.close()
            raise

    async def _new_state(self) -> Any:
        engine = self.server.engine
        state = engine.new_state(self.sources)
        if self.sources:
            async with self.server.libraries.ctx.request_scope():
                await engine.bootstrap(state)
        return state

    def evaluate(self, text: str) -> list[str]:
        """The shown values of one input; IncompleteInput, HandlerError, KeyboardInterrupt."""
        future = self._portal.start_task_soon(self._evaluate, text)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()
            try:
                future.result(timeout=5)
            except (concurrent.futures.CancelledError, Exception):
                pass
            self.renew()
            raise

    async def _evaluate(self, text: str) -> list[str]:
        async with self.server.libraries.ctx.request_scope(handler=True):
            return await self.server.engine.evaluate(self.state, text)

    def renew(self) -> None:
        """A fresh state, after one was stopped in the middle of running."""
        old, self.state = self.state, None
        if old is not None:
            self.server.engine.close_state(old)
        self.state = self._portal.call(self._new_state)

    def close(self) -> None:
        if self._portal_cm is None:
            return
        try:
            if self.state is not None:
                self.server.engine.close_state(self.state)
            self._portal.call(self._unload)
        finally:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None

    async def _unload(self) -> None:
        self.server.libraries.unload_all()


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.write(record.getMessage() + "\n")
        sys.stdout.flush()


def repl_command(config: Any, args: Any) -> int:
    level = config.log_level if "log.level" in config.sources else 4
    setup_logging(level, False, process="repl", fmt=config.log_format)
    try:
        session = Session(config)
    except (ServiceLoadError, EngineUnavailable) as exc:
        print(f"petrel: cannot start: {exc}", file=sys.stderr)
        return 1
    interactive = sys.stdin.isatty()
    try:
        if interactive:
            return _interactive(session)
        return _batch(session, sys.stdin)
    finally:
        session.close()


def _show(values: list[str]) -> None:
    if values:
        sys.stdout.write("\t".join(values) + "\n")
        sys.stdout.flush()


def _report(exc: HandlerError) -> None:
    sys.stderr.write(exc.reason + "\n")
    # The frames of the service and the input; the sandbox's own are not the user's business.
    hidden = {"[C]: in ?", "(...tail calls...)", exc.reason.strip()}
    if isinstance(exc, LimitExceeded):
        hidden.add("[C]: in function 'error'")   # how the stop was raised
    lines = [line for line in exc.traceback.splitlines()
             if "petrel sandbox" not in line and line.strip() not in hidden]
    if any(line.strip() != "stack traceback:" for line in lines):
        if lines[0].strip() != "stack traceback:":
            lines.insert(0, "stack traceback:")
        sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def _run_one(session: Session, text: str) -> bool | None:
    """True done, False failed, None unfinished (more lines wanted)."""
    try:
        _show(session.evaluate(text))
        return True
    except IncompleteInput:
        return None
    except HandlerError as exc:
        _report(exc)
        return False


def _batch(session: Session, stream: TextIO) -> int:
    failed = False
    pending: list[str] = []
    for line in stream:
        pending.append(line.rstrip("\n"))
        outcome = _run_one(session, "\n".join(pending))
        if outcome is None:
            continue
        pending = []
        failed = failed or not outcome
    if pending:   # the input ended inside an unfinished statement: say what was wrong with it
        try:
            session.evaluate("\n".join(pending))
        except IncompleteInput as exc:
            sys.stderr.write(f"{exc}\n")
            failed = True
        except HandlerError as exc:
            _report(exc)
            failed = True
    return 1 if failed else 0


def _interactive(session: Session) -> int:
    try:
        import readline
    except ImportError:   # pragma: no cover - not on every platform
        readline = None
    history = os.path.expanduser(HISTORY_FILE)
    if readline is not None:
        try:
            readline.read_history_file(history)
        except OSError:
            pass
        readline.set_history_length(HISTORY_LENGTH)
    engine = session.server.engine.description
    print(f"petrel repl ({engine}); Ctrl-D to leave, Ctrl-C to drop the input or stop a run")
    pending: list[str] = []
    try:
        while True:
            try:
                line = input(">> " if pending else "> ")
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:
                print()
                pending = []
                continue
            pending.append(line)
            try:
                outcome = _run_one(session, "\n".join(pending))
            except KeyboardInterrupt:
                print("\ninterrupted (the state was made anew: its globals are gone)", file=sys.stderr)
                pending = []
                continue
            if outcome is not None:
                pending = []
    finally:
        if readline is not None:
            try:
                readline.write_history_file(history)
            except OSError:
                pass
