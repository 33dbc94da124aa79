"""Logging: the console format, log.level filtering, the access log, and log.syslog to a real unix
datagram socket bound by the test (standing for /dev/log)."""

from __future__ import annotations

import os
import re
import socket
import time

import httpx
import pytest

from support import DEFAULT_ENGINE

TIMEOUT = 20
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"

SERVICE = {
    "service.lua": """
        function bootstrap()
            petrel.add_route("/levels/", "levels")
            petrel.add_route("/hello/", "hello")
        end
        function levels(request, response)
            for level = 0, 7 do
                print(level, "lua at level " .. level)
            end
            print("lua without a level")
            response.content = "logged"
            return response
        end
        function hello(request, response)
            response.content = "hello " .. request.method .. " " .. #request.content
            return response
        end
    """,
}
NAMES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(server, port: int) -> None:
    """For servers whose log does not say where they listen: poll the port."""
    server.port = port
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server not serving on {port}:\n{server.log()}")


def test_console_format_and_access_log(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--log.access=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        assert client.get("/hello/x?q=1", headers={"user-agent": 'probe "1"'}).text == "hello GET 0"
        assert client.post("/hello/post", content=b"12345").text == "hello POST 5"
        assert client.get("/nothing").status_code == 404
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        assert client.get("/hello/two").text == "hello GET 0"
    server.wait_for_log(r"access \| info \| 127\.0\.0\.1 GET /hello/two HTTP/2 ")
    lines = server.log().splitlines()
    assert all(re.match(rf"^{STAMP} \| w1 \| [\w.]+ \| ({'|'.join(NAMES)}) \| ", line) for line in lines), lines
    access = [line.split(" | ", 4)[4] for line in lines if " | access | " in line]
    # client, method, path?query, protocol, status, bytes, duration, request id, user agent
    rid = r"id=[0-9a-f]{16}"
    assert re.fullmatch(rf'127\.0\.0\.1 GET /hello/x\?q=1 HTTP/1\.1 200 11 \d+\.\dms {rid} ua="probe \\x221\\x22"',
                        access[0]), access[0]
    assert re.fullmatch(rf'127\.0\.0\.1 POST /hello/post HTTP/1\.1 200 12 \d+\.\dms {rid} ua="python-httpx/[\d.]+"',
                        access[1]), access[1]
    assert re.fullmatch(rf"127\.0\.0\.1 GET /nothing HTTP/1\.1 404 \d+ \d+\.\dms {rid} ua=.*", access[2])
    assert re.fullmatch(rf"127\.0\.0\.1 GET /hello/two HTTP/2 200 11 \d+\.\dms {rid} ua=.*", access[3])
    assert len(access) == 4
    assert len({line.split(" id=")[1].split()[0] for line in access}) == 4   # one id per request


def test_no_access_log_by_default(start_server):
    server = start_server(SERVICE)
    httpx.get(server.url + "/hello/x", timeout=TIMEOUT)
    assert " | access | " not in server.log()


@pytest.mark.parametrize("level", [7, 4, 0])
def test_log_level_filters(start_server, level):
    port = free_port()
    server = start_server(SERVICE, DEFAULT_ENGINE, f"--log.level={level}", f"--server.port={port}",
                          expect_ready=False)
    wait_until_serving(server, port)
    assert httpx.get(server.url + "/levels/", timeout=TIMEOUT).text == "logged"
    if level > 0:
        server.wait_for_log(r"lua at level 0")
    else:
        time.sleep(0.3)
    server.stop()
    log = server.log()
    for lua_level, name in enumerate(NAMES):
        line = re.search(rf"\| lua \| (\w+) \| lua at level {lua_level}$", log, re.M)
        if lua_level <= level:
            assert line and line.group(1) == name, log
        else:
            assert line is None, log
    shown = {match for match in re.findall(r"^\S+ \S+ \| w1 \| [\w.]+ \| (\w+) \| ", log, re.M)}
    assert shown <= set(NAMES[:level + 1])
    assert ("lua without a level" in log) == (level >= 6)
    assert ("listening on" in log) == (level >= 6)


@pytest.fixture
def syslog_socket():
    # A short path: unix socket names are limited to about 100 bytes.
    path = f"/tmp/petrel-syslog-{os.getpid()}-{time.monotonic_ns()}.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.5)
    yield path, sock
    sock.close()
    os.unlink(path)


def receive_all(sock: socket.socket, until: str, timeout: float = 10.0) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            messages.append(sock.recv(65536).decode())
        except socket.timeout:
            continue
        if until in messages[-1]:
            return messages
    raise AssertionError(f"{until!r} not received; got {messages}")


def test_syslog_to_a_unix_datagram_socket(start_server, syslog_socket):
    path, sock = syslog_socket
    port = free_port()
    server = start_server(SERVICE, DEFAULT_ENGINE, "--log.syslog=1", f"--log.syslog-address={path}",
                          "--log.level=6", f"--server.port={port}", expect_ready=False)
    wait_until_serving(server, port)
    assert httpx.get(server.url + "/levels/", timeout=TIMEOUT).text == "logged"
    messages = receive_all(sock, "lua without a level")
    pid = server.process.pid
    # <facility user (1) * 8 + severity>petrel[pid]: worker | component | message
    assert f"<14>petrel[{pid}]: w1 | server | listening on 127.0.0.1 port {port}\x00" in messages
    for level in range(7):
        assert f"<{8 + level}>petrel[{pid}]: w1 | lua | lua at level {level}\x00" in messages
    assert not any("lua at level 7" in message for message in messages)   # debug is above level 6
    assert f"<14>petrel[{pid}]: w1 | lua | lua without a level\x00" in messages
    assert "listening on" not in server.log()   # nothing on the console


def test_syslog_not_listening_is_reported_once(start_server, tmp_path):
    # As with openlog(), a syslog that is not there (yet) is not fatal: records are dropped, the
    # server says so once on stderr, and serves.
    port = free_port()
    server = start_server(SERVICE, DEFAULT_ENGINE, "--log.syslog=1", f"--server.port={port}",
                          f"--log.syslog-address={tmp_path}/no-such.sock", expect_ready=False)
    wait_until_serving(server, port)
    assert httpx.get(server.url + "/levels/", timeout=TIMEOUT).text == "logged"
    server.wait_for_log("cannot log to syslog at")
    log = server.log()
    assert log.count("cannot log to syslog at") == 1
    assert "Traceback" not in log
