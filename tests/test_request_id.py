"""request.id and X-Request-Id: a trusted proxy's id is kept when it is sane, every other request
gets a new one; every response carries it, the access log writes it, Lua reads it on every engine."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from petrel.server.requestid import RequestIds, sane

from support import DEFAULT_ENGINE

TIMEOUT = 20.0
TRUSTED = "--server.trusted-proxies=127.0.0.1"
UNTRUSTED = "--server.trusted-proxies=10.0.0.0/8"
GENERATED = re.compile(r"[0-9a-f]{16}")

SERVICE = {
    "main.lua": """
        function bootstrap()
            petrel.add_route("/id", "show_id")
            petrel.add_route("/fail", "fail")
            petrel.add_route("/own", "own")
            -- STATIC
        end
        function show_id(request, response)
            response.content = type(request.id) .. " " .. request.id
            print(LOG_INFO, "handling " .. request.id)
            return response
        end
        function fail(request, response)
            error("boom")
        end
        function own(request, response)
            response.headers["X-Request-ID"] = "chosen-by-the-handler"
            response.content = request.id
            return response
        end
    """,
}


def service(tmp_path):
    files = dict(SERVICE)
    static = tmp_path / "static"
    static.mkdir(exist_ok=True)
    (static / "a.txt").write_text("static file\n")
    files["main.lua"] = files["main.lua"].replace("-- STATIC", f'petrel.add_directory_route("/files/", "{static}")')
    return files


def test_generated_ids_on_every_response(start_server, engine, tmp_path):
    server = start_server(service(tmp_path), engine, "--log.access=1")
    seen = []
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        reply = client.get("/id")
        rid = reply.headers["x-request-id"]
        assert GENERATED.fullmatch(rid) and reply.text == f"string {rid}"
        seen.append(rid)
        for path, status in (("/nothing", 404), ("/fail", 500), ("/files/a.txt", 200)):
            reply = client.get(path)
            assert reply.status_code == status
            assert GENERATED.fullmatch(reply.headers["x-request-id"]), path
            assert len(reply.headers.get_list("x-request-id")) == 1
            seen.append(reply.headers["x-request-id"])
        head = client.head("/id")
        assert head.status_code == 200 and GENERATED.fullmatch(head.headers["x-request-id"])
        seen.append(head.headers["x-request-id"])
        # no peer is trusted: a client's id is not taken
        reply = client.get("/id", headers={"x-request-id": "client-chosen"})
        assert reply.headers["x-request-id"] != "client-chosen" and reply.text.endswith(reply.headers["x-request-id"])
        seen.append(reply.headers["x-request-id"])
        # the handler's own X-Request-Id is the only one sent
        reply = client.get("/own")
        assert reply.headers.get_list("x-request-id") == ["chosen-by-the-handler"]
        assert GENERATED.fullmatch(reply.text)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        reply = client.get("/id")
        assert reply.http_version == "HTTP/2" and reply.text == "string " + reply.headers["x-request-id"]
        seen.append(reply.headers["x-request-id"])
        reply = client.get("/nothing")
        assert reply.status_code == 404 and GENERATED.fullmatch(reply.headers["x-request-id"])
        seen.append(reply.headers["x-request-id"])
    assert len(set(seen)) == len(seen)
    # the access line and the handler's log line name the same id as the response
    server.wait_for_log(rf"access \| info \| 127\.0\.0\.1 GET /id HTTP/2 200 \d+ [\d.]+ms id={seen[-2]} ")
    log = server.log()
    assert f"handling {seen[0]}" in log
    for rid in seen:
        assert f" id={rid} " in log, rid


def test_trusted_proxy_id_kept(start_server, engine):
    server = start_server(SERVICE, engine, TRUSTED, "--log.access=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for given in ("abc-123", "x" * 128, "f0e1d2c3-b4a5-4697-8899-aabbccddeeff", "a!~{}\"'\\<>"):
            reply = client.get("/id", headers={"x-request-id": given})
            assert reply.headers["x-request-id"] == given and reply.text == f"string {given}"
        reply = client.get("/nothing", headers={"x-request-id": "trace-404"})
        assert reply.status_code == 404 and reply.headers["x-request-id"] == "trace-404"
        reply = client.get("/fail", headers={"x-request-id": "trace-500"})
        assert reply.status_code == 500 and reply.headers["x-request-id"] == "trace-500"
        # not sane: replaced by a new one
        for given in (b"x" * 129, b"has space", b"tab\there", b"caf\xe9", b""):
            reply = client.get("/id", headers={"x-request-id": given})
            rid = reply.headers["x-request-id"]
            assert GENERATED.fullmatch(rid) and reply.text == f"string {rid}", given
        # two X-Request-Id lines: the first counts
        reply = client.get("/id", headers=[("x-request-id", "first"), ("x-request-id", "second")])
        assert reply.headers.get_list("x-request-id") == ["first"]
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        reply = client.get("/id", headers={"x-request-id": "over-h2"})
        assert reply.headers["x-request-id"] == "over-h2" and reply.text == "string over-h2"
    server.wait_for_log(r"access \| info \| 127\.0\.0\.1 GET /id HTTP/2 200 \d+ [\d.]+ms id=over-h2 ")
    assert "id=trace-404 " in server.log()


def test_untrusted_peer_id_replaced(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, UNTRUSTED)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        reply = client.get("/id", headers={"x-request-id": "spoofed"})
        assert GENERATED.fullmatch(reply.headers["x-request-id"]) and "spoofed" not in reply.text


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_crlf_in_request_id(start_server):
    """A CR or LF cannot carry a header into the response: 400, or the id is cut at the line end."""
    server = start_server(SERVICE, DEFAULT_ENGINE, TRUSTED)
    head = b"GET /id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    for injected in (b"X-Request-Id: a\rSet-Cookie: evil=1\r\n", b"X-Request-Id: a\nSet-Cookie: evil=1\r\n",
                     b"X-Request-Id: a\r\n Set-Cookie: evil=1\r\n", b"X-Request-Id: a\x00b\r\n"):
        reply = _raw(server.port, head + injected + b"\r\n")
        status = reply.split(b" ", 2)[1]
        assert status in (b"200", b"400"), (injected, reply[:200])
        response_head = reply.split(b"\r\n\r\n", 1)[0].lower()
        assert b"set-cookie" not in response_head and b"evil" not in response_head, (injected, reply)
        if status == b"200":
            assert re.search(rb"\r\nx-request-id: [0-9a-f]{16}\r\n|\r\nx-request-id: a\r\n", response_head), reply


def test_generator():
    ids = RequestIds()
    made = [ids.new() for _ in range(70000)]   # past one 16-bit counter block: a new random prefix
    assert len(set(made)) == len(made) and all(GENERATED.fullmatch(rid) for rid in made)
    assert made[0][:12] == made[65535][:12] and made[65536][:12] != made[0][:12]
    assert RequestIds().new()[:12] != made[0][:12]
    assert sane("a" * 128) and not sane("a" * 129) and not sane("") and not sane(None)
    assert not sane("a b") and not sane("a\x7f") and not sane("\xe9") and sane("!~")


@pytest.mark.parametrize("given", ["x" * 1000, "\x01"])
def test_id_from_lua_matches_header_on_every_engine(start_server, engine, given):
    server = start_server(SERVICE, engine, TRUSTED)
    reply = _raw(server.port, b"GET /id HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: "
                 + given.encode() + b"\r\n\r\n")
    status = reply.split(b" ", 2)[1]
    if status == b"200":
        rid = re.search(rb"\r\nx-request-id: ([^\r]*)\r\n", reply).group(1)
        assert GENERATED.fullmatch(rid.decode()) and reply.endswith(b"string " + rid)
    else:
        assert status == b"400"


def test_json_log_lines_of_a_request_carry_its_id(start_server, engine):
    import json
    server = start_server(SERVICE, engine, TRUSTED, "--log.format=json", "--log.access=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        first = client.get("/id").headers["x-request-id"]
        second = client.get("/id", headers={"x-request-id": "from-the-proxy"}).headers["x-request-id"]
        failed = client.get("/fail").headers["x-request-id"]
    server.wait_for_log(rf'"request_id": "{failed}"')
    entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    by_message = {entry["message"]: entry for entry in entries}
    assert by_message[f"handling {first}"]["request_id"] == first
    assert by_message["handling from-the-proxy"]["request_id"] == second == "from-the-proxy"
    errors = [entry for entry in entries if "boom" in entry["message"] and entry["component"] == "lua"]
    assert errors and all(entry["request_id"] == failed for entry in errors)
    assert not any("request_id" in entry for entry in entries if "listening on" in entry["message"])
    access = [entry for entry in entries if entry["component"] == "access"]
    assert [entry["request_id"] for entry in access] == [first, second, failed]


def test_errors_answered_before_a_request_exists_carry_an_id(start_server):
    """400 for a malformed head, 431 for a huge one, 413 over HTTP/2: an id of their own."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.max-body-size=10")
    for raw in (b"GET /id HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n",
                b"GET /id HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n",
                b"POST /id HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890"):
        reply = _raw(server.port, raw)
        status = int(reply.split(b" ", 2)[1])
        assert 400 <= status < 500, reply[:200]
        assert re.search(rb"\r\nx-request-id: [0-9a-f]{16}\r\n", reply.split(b"\r\n\r\n")[0] + b"\r\n"), reply[:300]
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        reply = client.post("/id", content=b"x" * 100)
        assert reply.status_code == 413 and GENERATED.fullmatch(reply.headers["x-request-id"])
