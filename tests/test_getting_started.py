"""The getting-started service of the Lua API answers exactly as documented."""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

from support import DEFAULT_ENGINE, EXAMPLES

JSON_BODY = b'{\n  "plain":"/json/foo=bar:1",\n  "encoded":"L2pzb24vZm9vPWJhcjox"\n}\n'
TEXT_BODY = b"plain: /text/foo=bar:2\nencoded: L3RleHQvZm9vPWJhcjoy\n"
CONFIG = EXAMPLES / "getting-started" / "petrel.conf"


def test_getting_started_with_httpx(start_server, engine):
    server = start_server(EXAMPLES / "getting-started" / "lua", engine, config=CONFIG)
    with httpx.Client(base_url=server.url) as client:
        first = client.get("/json/foo=bar")
        second = client.get("/text/foo=bar")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert first.content == JSON_BODY
    assert second.status_code == 200
    assert second.headers["content-type"] == "text/plain"
    assert second.content == TEXT_BODY


def test_getting_started_with_curl(start_server, engine):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    server = start_server(EXAMPLES / "getting-started" / "lua", engine, config=CONFIG)
    first = subprocess.run([curl, "-s", f"{server.url}/json/foo=bar"], capture_output=True, timeout=20)
    second = subprocess.run([curl, "-s", f"{server.url}/text/foo=bar"], capture_output=True, timeout=20)
    assert first.stdout == JSON_BODY
    assert second.stdout == TEXT_BODY


def test_startup_log_and_clean_stop(start_server, engine):
    server = start_server(EXAMPLES / "getting-started" / "lua", engine, config=CONFIG)
    # The port accepts a moment before the "listening" line is written: wait for the log.
    server.wait_for_log(f"listening on 127.0.0.1 port {server.port}")
    log = server.log()
    for expected in ("found bootstrap.lua", "found json_handler.lua", "found text_handler.lua",
                     "bootstrap() done", "route /json/ -> json_handler()", "route /text/ -> text_handler()",
                     "libraries: petrel, metric, base64, hash, log"):
        assert expected in log
    assert server.stop() == 0
    assert "SIGTERM received, stopping" in server.log()
    assert "stopped" in server.log()


def test_sigint_stops_cleanly(start_server):
    import signal
    server = start_server(EXAMPLES / "getting-started" / "lua", config=CONFIG)
    assert server.stop(signal.SIGINT) == 0
    assert "SIGINT received, stopping" in server.log()


def test_worker_processes_share_the_port(start_server):
    server = start_server(EXAMPLES / "getting-started" / "lua", DEFAULT_ENGINE, "--server.workers=2",
                          config=CONFIG, statebuffer=2)
    server.wait_for_log(r"started 2 worker processes")
    server.wait_for_log(r"(?s)listening on .*listening on ")
    bodies = set()
    for _ in range(20):
        # a new connection each time, so that the kernel spreads them over the workers
        reply = httpx.get(f"{server.url}/json/w", headers={"connection": "close"})
        assert reply.status_code == 200
        bodies.add(reply.content)
    # The counter counts for the whole server, whichever worker answers: 1 to 20, each once.
    counts = sorted(int(body.split(b'"plain":"/json/w:')[1].split(b'"')[0]) for body in bodies)
    assert counts == list(range(1, 21))
    assert server.stop() == 0
    log = server.log()
    assert log.count("SIGTERM received, stopping") == 2
    assert log.count("| server | info | stopped") == 2
