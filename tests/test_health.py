"""server.health-path: 200 while serving, 503 from the stop signal on, answered without Lua; and
server.shutdown-delay, the time after SIGTERM in which the server still serves (health 503)
before it closes the port and drains."""

from __future__ import annotations

import signal
import socket
import threading

import httpx
import pytest

from petrel.config import ConfigError, load_config

from support import DEFAULT_ENGINE, can_connect

TIMEOUT = 20.0
HEALTH = "--server.health-path=/healthz"

SERVICE = {
    "main.lua": """
        function bootstrap()
            petrel.add_route("/", "lua")
            petrel.add_route("/healthz", "lua")   -- the health path is answered before any route
            petrel.add_route("/slow", "slow")
        end
        function lua(request, response)
            response.status = 418
            response.content = "lua " .. request.path
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


def test_health_path_answers_without_lua(start_server, engine):
    server = start_server(SERVICE, engine, HEALTH)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        reply = client.get("/healthz")
        assert (reply.status_code, reply.text) == (200, "ok\n")
        assert reply.headers["cache-control"] == "no-store" and reply.headers["x-request-id"]
        assert reply.headers["content-type"] == "text/plain; charset=utf-8"
        reply = client.get("/healthz?verbose=1")
        assert reply.status_code == 200
        reply = client.head("/healthz")
        assert (reply.status_code, reply.content, reply.headers["content-length"]) == (200, b"", "3")
        reply = client.post("/healthz", content=b"x")
        assert reply.status_code == 405 and reply.headers["allow"] == "GET, HEAD"
        # only that exact path
        assert (client.get("/healthz/").status_code, client.get("/healthz/").text) == (418, "lua /healthz/")
        assert client.get("/healthzz").status_code == 418
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        reply = client.get("/healthz")
        assert reply.http_version == "HTTP/2" and (reply.status_code, reply.text) == (200, "ok\n")
        reply = client.head("/healthz")
        assert (reply.status_code, reply.content) == (200, b"")
        assert client.get("/other").status_code == 418


def test_health_path_off_by_default(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE)
    reply = httpx.get(server.url + "/healthz", timeout=TIMEOUT)
    assert (reply.status_code, reply.text) == (418, "lua /healthz")


def _get(port: int, path: str) -> tuple[int, bytes, str]:
    """GET on a new connection: status, body, Connection header."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT) as client:
        reply = client.get(path)
        return reply.status_code, reply.content, reply.headers.get("connection", "")


def test_health_503_during_shutdown_delay_and_drain(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, HEALTH, "--server.shutdown-delay=3",
                          "--server.shutdown-timeout=20")
    server.wait_for_log("listening on")
    h2 = httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True)
    assert h2.get("/healthz").status_code == 200
    assert _get(server.port, "/healthz")[:2] == (200, b"ok\n")
    slow: dict = {}

    def slow_request() -> None:
        slow["reply"] = _get(server.port, "/slow?ms=5000")

    thread = threading.Thread(target=slow_request)
    thread.start()
    try:
        server.wait_for_log("slow started")
        server.process.send_signal(signal.SIGTERM)
        server.wait_for_log(r"SIGTERM received: serving 3 s more \(server.shutdown-delay\)")
        # the delay: the port still accepts, the health path says 503, the rest is served
        assert _get(server.port, "/healthz")[:2] == (503, b"stopping\n")
        assert _get(server.port, "/other")[:2] == (418, b"lua /other")
        reply = h2.get("/healthz")   # a connection opened before the signal
        assert (reply.status_code, reply.text) == (503, "stopping\n")
        # then the drain, the slow request still in flight: the port refuses from this line on
        server.wait_for_log(r"SIGTERM received, stopping \(1 requests in flight")
        assert not can_connect(server.port)
    finally:
        thread.join(TIMEOUT)
        h2.close()
    assert slow["reply"] == (200, b"slow", "close")
    assert server.process.wait(TIMEOUT) == 0
    server.stopped = True
    log = server.log()
    assert log.rstrip().endswith("| server | info | stopped") and "Traceback" not in log


def test_second_signal_during_the_delay_exits_at_once(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, HEALTH, "--server.shutdown-delay=60")
    server.wait_for_log("listening on")
    server.process.send_signal(signal.SIGTERM)
    server.wait_for_log("serving 60 s more")
    assert _get(server.port, "/healthz")[0] == 503
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(TIMEOUT) == 128 + signal.SIGTERM
    server.stopped = True


def test_no_delay_by_default(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, HEALTH)
    server.wait_for_log("listening on")
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(TIMEOUT) == 0
    server.stopped = True
    assert "shutdown-delay" not in server.log()


def test_health_over_a_raw_socket_keeps_the_connection(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, HEALTH)
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3 and data.count(b"\r\n\r\nok\n") == 2, data


@pytest.mark.parametrize("option, value, message", [
    ("server.health-path", "healthz", "expected a path starting with '/'"),
    ("server.shutdown-delay", "-1", "must be at least 0"),
    ("server.shutdown-delay", "soon", "expected an integer"),
])
def test_bad_values_are_config_errors(option, value, message):
    with pytest.raises(ConfigError) as info:
        load_config(None, [(option, value)], require_root=False)
    assert f"option '{option}': {message}" in str(info.value)


def test_shutdown_delay_with_workers(start_server):
    """The master passes SIGTERM on; every worker serves through the delay (health 503), and the
    master's own deadline counts the delay, so nobody is killed."""
    server = start_server(SERVICE, DEFAULT_ENGINE, HEALTH, "--server.workers=2", "--server.shutdown-delay=3",
                          "--server.shutdown-timeout=5", statebuffer=2)
    for number in (1, 2):
        server.wait_for_log(rf"\| w{number} \| server \| info \| listening on", timeout=30)
    server.process.send_signal(signal.SIGTERM)
    server.wait_for_log(r"\| master \| server \| info \| SIGTERM received: passing it on to 2 workers \(up to 8 s\)")
    for number in (1, 2):
        server.wait_for_log(rf"\| w{number} \| server \| info \| SIGTERM received: serving 3 s more")
    statuses = {_get(server.port, "/healthz")[0] for _ in range(4)}   # new connections, any worker
    assert statuses == {503}
    assert server.process.wait(TIMEOUT) == 0
    server.stopped = True
    log = server.log()
    assert "all workers stopped" in log and "SIGKILL" not in log
