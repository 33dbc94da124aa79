"""``server.workers`` > 1: a master process that starts the workers, restarts them, and stops them.

Each worker is a whole server (:func:`petrel.process.run_worker`) listening on the same port with
SO_REUSEPORT; the kernel spreads new connections over them. The master serves nothing. It:

- restarts a worker that dies without being asked to (any exit status, any signal), logging how it
  ended, after a delay that doubles with each quick death (``RESTART_DELAY`` to
  ``MAX_RESTART_DELAY``; a worker that lived ``STABLE_SECONDS`` starts the count again);
- gives up when one worker dies ``MAX_DEATHS`` times within ``STABLE_SECONDS`` (a crash loop), or
  when a worker cannot start at all (a service that does not load will not load the next time
  either): it says why, stops the other workers and exits non-zero;
- at SIGTERM or SIGINT forwards the signal, waits for the workers (shutdown-timeout plus
  ``STOP_MARGIN``, then SIGKILL), and exits 0 only if every worker exited 0. A second signal
  kills the workers at once (SIGKILL) and exits 1.

A worker tells the master through a pipe when it is serving, or why it could not start; a worker
that exits before it is serving is one that could not start (one killed by a signal meanwhile is
just a death: it is restarted). Workers watch the master in turn: if
it goes away they stop as if sent SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from collections import deque
from typing import Any

RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 30.0
STABLE_SECONDS = 60.0
MAX_DEATHS = 5
STOP_MARGIN = 5.0   # seconds the master waits beyond server.shutdown-timeout before SIGKILL

EXIT_GAVE_UP = 1


def describe_exit(exitcode: int) -> str:
    """How a process ended, in words: "exited with status 3", "killed by SIGKILL"."""
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}"
    return f"exited with status {exitcode}"


# -- the worker side ---------------------------------------------------------------------------------
def worker_main(config: Any, number: int, channel: Any, run_dir: str = "") -> None:
    """The target of a worker process."""
    from .process import run_worker
    from .server.stopsignals import block_stop_signals

    block_stop_signals()   # before any thread starts: the signal thread must be the one to see them
    if run_dir:
        from .metrics.shared import attach
        attach(run_dir, number)   # the metrics count for every worker of the server

    def report(state: str, message: str = "") -> None:
        try:
            channel.send((state, message))
        except OSError:
            pass   # the master is gone; the parent watch stops this worker

    _watch_master()
    sys.exit(run_worker(config, process=f"w{number}", report=report))


def _watch_master() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        logging.getLogger("petrel.server").warning("the master process is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="petrel-master-watch", daemon=True).start()


# -- the master side ---------------------------------------------------------------------------------
class _Worker:
    """One worker slot: its current process and its recent deaths."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.process: Any = None
        self.channel: Any = None
        self.started = 0.0
        self.serving = False
        self.failure = ""        # why it could not start, as the worker said it
        self.deaths: deque[float] = deque()
        self.quick_deaths = 0    # deaths in a row that came before STABLE_SECONDS of life
        self.restart_at: float | None = None
        self.exitcode: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    def alive(self) -> bool:
        return self.process is not None and self.process.exitcode is None

    def unsettled(self) -> bool:
        """Started, and its end not yet handled by the master (it may have ended already)."""
        return self.process is not None and self.exitcode is None


class Master:
    def __init__(self, config: Any, count: int, log: logging.Logger) -> None:
        self.config = config
        self.log = log
        self.context = multiprocessing.get_context("spawn")
        self.workers = [_Worker(n) for n in range(1, count + 1)]
        self.run_dir = ""   # what the workers share (petrel.store.rundir)
        self.signals: list[int] = []
        self.stop_deadline: float | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)

    # -- processes ---------------------------------------------------------------------------
    def _start(self, worker: _Worker) -> None:
        ours, theirs = self.context.Pipe(duplex=False)
        worker.channel = ours
        worker.process = self.context.Process(target=worker_main, args=(self.config, worker.number, theirs,
                                                                          self.run_dir),
                                              name=f"petrel-worker-{worker.number}")
        worker.process.start()
        theirs.close()
        worker.started = time.monotonic()
        worker.serving = False
        worker.failure = ""
        worker.restart_at = None
        worker.exitcode = None
        self.log.info("worker %d (pid %d) started", worker.number, worker.pid)

    def _read_channel(self, worker: _Worker) -> None:
        try:
            while worker.channel.poll():
                state, message = worker.channel.recv()
                if state == "ready":
                    worker.serving = True
                elif state == "failed":
                    worker.failure = message
        except (EOFError, OSError):
            worker.channel.close()
            worker.channel = None

    def _signal(self, sig: int) -> None:
        for worker in self.workers:
            if worker.alive():
                try:
                    os.kill(worker.pid, sig)
                except ProcessLookupError:
                    pass

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        old_wakeup = signal.set_wakeup_fd(self._wake_w.fileno())
        try:
            for worker in self.workers:
                self._start(worker)
            self.log.info("started %d worker processes", len(self.workers))
            return self._supervise()
        finally:
            signal.set_wakeup_fd(old_wakeup)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.signals.append(signum)

    def _supervise(self) -> int:
        while True:
            while self.signals:
                signum = self.signals.pop(0)
                if self.stop_deadline is None:
                    self._begin_stop(signum)
                else:
                    name = signal.Signals(signum).name
                    self.log.warning("%s received again: killing the workers (SIGKILL) and exiting "
                                     "with status 1", name)
                    self._signal(signal.SIGKILL)
                    self._reap_all(5.0)
                    return 1
            self._wait()
            for worker in self.workers:
                if worker.channel is not None:
                    self._read_channel(worker)
            for worker in self.workers:
                ended = worker.process is not None and worker.process.exitcode is not None
                if ended and worker.exitcode is None:
                    code = self._on_exit(worker)
                    if code is not None:
                        return code
            now = time.monotonic()
            if self.stop_deadline is None:
                for worker in self.workers:
                    if worker.restart_at is not None and now >= worker.restart_at:
                        self._start(worker)
            else:
                if not any(worker.unsettled() for worker in self.workers):
                    return self._stopped()
                if now >= self.stop_deadline:
                    for worker in self.workers:
                        if worker.alive():
                            self.log.warning("worker %d (pid %d) still running %.0f s after the stop; "
                                             "killing it (SIGKILL)", worker.number, worker.pid,
                                             self.config.server_shutdown_delay
                                             + self.config.server_shutdown_timeout + STOP_MARGIN)
                    self._signal(signal.SIGKILL)
                    self.stop_deadline = now + 5.0   # (SIGKILL is final: only the reaping is left)

    def _wait(self) -> None:
        """Sleep until a worker ends or says something, a signal comes, or a timer is due."""
        now = time.monotonic()
        if self.stop_deadline is not None:
            timers = [self.stop_deadline]
        else:
            timers = [w.restart_at for w in self.workers if w.restart_at is not None]
        timeout = max(0.0, min(timers) - now) if timers else None
        waitables: list[Any] = [self._wake_r]
        for worker in self.workers:
            # Not alive(): that reaps a worker that has just ended, and one reaped here but not yet
            # handled would then be waited for by nothing (the sentinel of an ended process stays
            # readable, so it is handled on the next turn).
            if worker.unsettled():
                waitables.append(worker.process.sentinel)
            if worker.channel is not None:
                waitables.append(worker.channel)
        ready = multiprocessing.connection.wait(waitables, timeout)
        if self._wake_r in ready:
            try:
                while self._wake_r.recv(512):
                    pass
            except BlockingIOError:
                pass

    def _on_exit(self, worker: _Worker) -> int | None:
        """A worker process ended: restart it, or give up (the exit status to return), or record it."""
        process = worker.process
        process.join()
        if worker.channel is not None:
            self._read_channel(worker)
        worker.exitcode = code = process.exitcode
        how = describe_exit(code)
        if self.stop_deadline is not None:
            if code != 0 and not worker.serving and -code in (signal.SIGINT, signal.SIGTERM):
                worker.exitcode = 0   # still starting when the signal came: it had nothing to finish
            level = logging.INFO if worker.exitcode == 0 else logging.WARNING
            self.log.log(level, "worker %d (pid %d) %s", worker.number, worker.pid, how)
            return None
        if not worker.serving and (worker.failure or code > 0):
            # It said why, or exited on its own, before serving: starting it again would fail again.
            reason = worker.failure or how
            self.log.critical("worker %d (pid %d) could not start: %s; stopping the other workers",
                              worker.number, worker.pid, reason)
            return self._give_up(code if code and code > 0 else EXIT_GAVE_UP)
        now = time.monotonic()
        if now - worker.started >= STABLE_SECONDS:
            worker.quick_deaths = 0
        worker.deaths.append(now)
        while worker.deaths and now - worker.deaths[0] > STABLE_SECONDS:
            worker.deaths.popleft()
        if len(worker.deaths) >= MAX_DEATHS:
            self.log.critical("worker %d (pid %d) %s; it died %d times within %.0f s: giving up, stopping",
                              worker.number, worker.pid, how, len(worker.deaths), STABLE_SECONDS)
            return self._give_up(EXIT_GAVE_UP)
        delay = min(RESTART_DELAY * 2 ** worker.quick_deaths, MAX_RESTART_DELAY)
        worker.quick_deaths += 1
        worker.restart_at = now + delay
        self.log.warning("worker %d (pid %d) %s; restarting in %g s", worker.number, worker.pid, how, delay)
        return None

    def _begin_stop(self, signum: int) -> None:
        name = signal.Signals(signum).name
        timeout = self.config.server_shutdown_delay + self.config.server_shutdown_timeout
        alive = [w for w in self.workers if w.alive()]
        self.log.info("%s received: passing it on to %d workers (up to %d s)", name, len(alive), timeout)
        self.stop_deadline = time.monotonic() + timeout + STOP_MARGIN
        for worker in self.workers:
            if worker.restart_at is not None:
                worker.restart_at = None
                worker.exitcode = 0   # waiting to restart: it simply is not started again
        self._signal(signum)

    def _stopped(self) -> int:
        failed = [w for w in self.workers if w.exitcode not in (0, None)]
        if failed:
            self.log.warning("stopped; %s", ", ".join(f"worker {w.number} {describe_exit(w.exitcode)}"
                                                       for w in failed))
            return 1
        self.log.info("all workers stopped")
        return 0

    def _give_up(self, code: int) -> int:
        """Stop the other workers (SIGTERM, then SIGKILL after the shutdown timeout) and return ``code``."""
        self._signal(signal.SIGTERM)
        self._reap_all(self.config.server_shutdown_timeout + STOP_MARGIN)
        return code

    def _reap_all(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if worker.process is None:
                continue
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                os.kill(worker.pid, signal.SIGKILL)
                worker.process.join(5.0)


def run_workers(config: Any, count: int) -> int:
    """Run ``count`` supervised worker processes until a stop signal; the exit status says how it went."""
    from .log import setup_logging

    log = setup_logging(config.log_level, config.log_syslog, config.log_syslog_address,
                        process="master", fmt=config.log_format).getChild("server")
    from .store.rundir import make_run_dir, remove_run_dir, shared_config
    from .metrics.shared import create_segments
    run_dir = make_run_dir()   # what the workers share: the embedded store's file, the metrics
    try:
        create_segments(run_dir, count)
        master = Master(shared_config(config, run_dir), count, log)
        master.run_dir = run_dir
        return master.run()
    finally:
        remove_run_dir(run_dir)
