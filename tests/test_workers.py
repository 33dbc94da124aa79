"""server.workers > 1: the master restarts dead workers, gives up on a crash loop or a service
that cannot start, and stops the workers at SIGTERM (exit 0 only if they all exited 0)."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path

import httpx

from support import DEFAULT_ENGINE

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/fast", "fast")
            petrel.add_route("/slow", "slow")
        end
    """,
    "handlers.lua": """
        function fast(request, response)
            response.content = "fast"
            return response
        end

        function slow(request, response)
            print(LOG_INFO, "slow started")
            petrel.sleep_millis(tonumber(request.args.ms) or 2000)
            response.content = "slow"
            return response
        end
    """,
}

STARTED = r"\| master \| server \| info \| worker (\d+) \(pid (\d+)\) started"


def _start(start_server, *options: str, service: dict[str, str] = SERVICE, **kwargs):
    return start_server(service, DEFAULT_ENGINE, "--server.workers=2", *options, statebuffer=2, **kwargs)


def _pids(server) -> dict[int, int]:
    """The latest pid of each worker, from the master's log lines."""
    return {int(number): int(pid) for number, pid in re.findall(STARTED, server.log())}


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its new parent to reap it counts)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status


def _wait_until(condition, what: str, server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s\n{server.log()}")


def _listening(server, number: int) -> int:
    return len(re.findall(rf"\| w{number} \| server \| info \| listening on ", server.log()))


def _wait_serving(server) -> None:
    _wait_until(lambda: _listening(server, 1) >= 1 and _listening(server, 2) >= 1, "both workers listening",
                server)


def _get(server, path: str = "/fast") -> httpx.Response:
    # a new connection each time, so that the kernel spreads them over the workers
    return httpx.get(f"{server.url}{path}", headers={"connection": "close"}, timeout=30)


def test_a_killed_worker_is_restarted(start_server):
    server = _start(start_server)
    _wait_serving(server)
    master = server.process.pid
    before = _pids(server)
    assert set(before) == {1, 2}
    assert set(before.values()) <= _children(master)
    victim = before[2]
    os.kill(victim, signal.SIGKILL)
    server.wait_for_log(rf"\| master \| server \| warning \| worker 2 \(pid {victim}\) killed by SIGKILL; "
                        r"restarting in [\d.]+ s", timeout=30)
    _wait_until(lambda: _pids(server).get(2) not in (None, victim) and _listening(server, 2) >= 2,
                "worker 2 started again", server)
    after = _pids(server)
    assert after[1] == before[1]
    assert after[2] in _children(master)
    for _ in range(10):
        reply = _get(server)
        assert (reply.status_code, reply.content) == (200, b"fast")
    assert server.stop() == 0
    log = server.log()
    assert "| master | server | info | all workers stopped" in log
    assert log.count("SIGTERM received, stopping (0 requests in flight, up to 30 s)") == 2
    # Every line names its process.
    for line in log.splitlines():
        assert re.match(r"^\S+ \S+ \| (master|w1|w2) \| [\w.]+ \| \w+ \| ", line), line
    assert "Traceback" not in log


def test_stop_lets_in_flight_requests_finish(start_server):
    server = _start(start_server)
    _wait_serving(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /slow?ms=1500 HTTP/1.1\r\nHost: test\r\n\r\n")
        server.wait_for_log("slow started")
        server.process.send_signal(signal.SIGTERM)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 ") and data.endswith(b"slow"), data
    assert b"connection: close" in data.lower()
    assert server.process.wait(30) == 0
    server.stopped = True
    log = server.log()
    assert "| master | server | info | SIGTERM received: passing it on to 2 workers (up to 30 s)" in log
    assert "SIGTERM received, stopping (1 requests in flight, up to 30 s)" in log
    assert "all workers stopped" in log


def test_a_second_signal_kills_the_workers(start_server):
    server = _start(start_server)
    _wait_serving(server)
    pids = set(_pids(server).values())
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /slow?ms=60000 HTTP/1.1\r\nHost: test\r\n\r\n")
        server.wait_for_log("slow started")
        server.process.send_signal(signal.SIGINT)
        server.wait_for_log("SIGINT received: passing it on")
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(30) == 1
        server.stopped = True
    assert "SIGINT received again: killing the workers (SIGKILL)" in server.log()
    assert all(_gone(pid) for pid in pids)


def test_a_service_that_cannot_start_stops_the_master(start_server):
    broken = {"bootstrap.lua": "function bootstrap() error('the database is not there') end\n"}
    server = _start(start_server, service=broken, expect_ready=False)
    assert server.process.wait(60) != 0
    server.stopped = True
    log = server.log()
    assert re.search(r"\| master \| server \| crit \| worker \d \(pid \d+\) could not start: "
                     r"bootstrap\(\) failed: .*the database is not there", log), log
    assert len(re.findall(STARTED, log)) == 2   # nothing was restarted
    assert "Traceback" not in log


def test_a_crash_loop_makes_the_master_give_up(start_server):
    server = _start(start_server)
    _wait_serving(server)
    for death in range(1, 6):
        victim = _pids(server)[1]
        os.kill(victim, signal.SIGKILL)
        server.wait_for_log(rf"worker 1 \(pid {victim}\) killed by SIGKILL", timeout=30)
        if death < 5:
            # restarted, and serving again before it dies again
            _wait_until(lambda: _listening(server, 1) > death, f"worker 1 serving after death {death}",
                        server, timeout=60)
    assert server.process.wait(60) == 1
    server.stopped = True
    log = server.log()
    assert re.search(r"\| master \| server \| crit \| worker 1 \(pid \d+\) killed by SIGKILL; it died 5 "
                     r"times within 60 s: giving up", log), log
    delays = re.findall(r"worker 1 \(pid \d+\) killed by SIGKILL; restarting in ([\d.]+) s", log)
    assert [float(d) for d in delays] == [0.5, 1, 2, 4]


def test_workers_stop_when_the_master_is_gone(start_server):
    server = _start(start_server)
    _wait_serving(server)
    pids = set(_pids(server).values())
    server.process.kill()
    server.process.wait(10)
    server.stopped = True
    _wait_until(lambda: all(_gone(pid) for pid in pids), "the workers exited", server)
    assert server.log().count("the master process is gone; stopping") == 2
