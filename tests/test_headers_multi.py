"""Multi-valued headers: list values in response.headers, request.header_list(name) and
petrel.cookie(), on every engine, through real servers (HTTP/1.1 on both parsers, HTTP/2 with httpx
and nghttp)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess

import httpx
import pytest

from http1_parsers import PARSERS, protocol_for
from support import ENGINE_SPECS, engine_available, launch_server, read_until_close, write_service

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/multi", "multi")
            petrel.add_route("/bad/", "bad")
            petrel.add_route("/thousand", "thousand")
            petrel.add_route("/header_list", "header_list")
            petrel.add_route("/cookie", "cookie")
            petrel.add_route("/cookie_errors", "cookie_errors")
        end
    """,
    "handlers.lua": """
        function multi(request, response)
            response.headers["set-cookie"] = {
                petrel.cookie("session", "abc123", { path = "/", http_only = true, secure = true,
                                                     same_site = "lax", max_age = 3600 }),
                petrel.cookie("theme", "dark"),
            }
            response.headers["x-list"] = { "one", 2, "three" }
            response.headers["x-empty"] = {}
            response.headers["x-single"] = "plain"
            response.content = "ok"
            return response
        end

        function thousand(request, response)
            local t = {}
            for i = 1, 1000 do t[i] = i end
            response.headers["x-n"] = t
            return response
        end

        local BAD = {
            crlf = { "fine", "evil\\r\\nx-injected: yes" },
            lf = { "evil\\nx-injected: yes" },
            nul = { "a\\0b" },
            boolean = { "a", true },
            table = { { "nested" } },
            holes = { a = "b" },
            sparse = { [1] = "a", [3] = "c" },
            many = {},
        }
        for i = 1, 1001 do BAD.many[i] = "v" .. i end

        function bad(request, response)
            response.headers["x-bad"] = BAD[request.path:sub(6)]
            response.content = "must not be sent"
            return response
        end

        local function list_json(t)
            local out = {}
            for i, v in ipairs(t) do out[i] = '"' .. v:gsub('[\\\\"]', '\\\\%0') .. '"' end
            return "[" .. table.concat(out, ",") .. "]"
        end

        function header_list(request, response)
            local name = request.args.name
            response.content = '{"dot":' .. list_json(request.header_list(name)) ..
                ',"colon":' .. list_json(request:header_list(name)) ..
                ',"joined":"' .. tostring(request.headers[name:lower()]):gsub('[\\\\"]', '\\\\%0') .. '"}'
            return response
        end

        function cookie(request, response)
            local expires = tonumber(request.args.expires)
            response.content = petrel.cookie("n", request.args.value or "v",
                { expires = expires, domain = request.args.domain, same_site = request.args.same_site,
                  secure = request.args.secure == "1" })
            return response
        end

        local function message(f, ...)
            local ok, err = pcall(function(...) local v = f(...); return v end, ...)
            return ok and "accepted" or err
        end

        function cookie_errors(request, response)
            local c = petrel.cookie
            response.content = table.concat({
                message(c, "bad name", "v"),
                message(c, "", "v"),
                message(c, "n", "a;b"),
                message(c, "n", "a b"),
                message(c, "n", "a\\r\\nSet-Cookie: x=y"),
                message(c, "n", "v", { path = "/a;b" }),
                message(c, "n", "v", { path = "/a\\nb" }),
                message(c, "n", "v", { domain = "exa mple.com" }),
                message(c, "n", "v", { max_age = 1.5 }),
                message(c, "n", "v", { max_age = "soon" }),
                message(c, "n", "v", { expires = "tomorrow" }),
                message(c, "n", "v", { same_site = "sometimes" }),
                message(c, "n", "v", { same_site = "None" }),
                message(c, "n", "v", { http_only = "yes" }),
                message(c, "n", "v", { colour = "blue" }),
                message(c, "n"),
            }, "\\n")
            return response
        end
    """,
}


def _combinations():
    for spec in ENGINE_SPECS:
        for parser in PARSERS:
            yield pytest.param((spec.values[0], parser.values[0]), id=f"{spec.id}-{parser.id}")


@pytest.fixture(scope="module", params=list(_combinations()))
def server(request, tmp_path_factory):
    (engine, parser) = request.param
    reason = engine_available(*engine)
    if reason:
        pytest.skip(reason)
    protocol_for(parser)   # skips httptools where it is missing
    workdir = tmp_path_factory.mktemp("headers")
    root = write_service(workdir / "service", SERVICE)
    process = launch_server(workdir, root, engine, f"--server.http1-parser={parser}")
    yield process
    process.stop()


@pytest.fixture(params=["http1", "http2"])
def client(request, server):
    http2 = request.param == "http2"
    with httpx.Client(base_url=server.url, http1=not http2, http2=http2, timeout=30) as c:
        yield c


def _raw(server, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        return read_until_close(sock)


EXPECTED_COOKIES = ["session=abc123; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax", "theme=dark"]


def test_list_values_are_separate_fields(client):
    r = client.get("/multi")
    assert r.status_code == 200 and r.text == "ok"
    assert r.headers.get_list("set-cookie") == EXPECTED_COOKIES
    assert r.headers.get_list("x-list") == ["one", "2", "three"]
    assert "x-empty" not in r.headers
    assert r.headers["x-single"] == "plain"
    assert dict(r.cookies) == {"session": "abc123", "theme": "dark"}


def test_a_thousand_fields(client):
    r = client.get("/thousand")
    assert r.status_code == 200
    assert r.headers.get_list("x-n") == [str(i) for i in range(1, 1001)]


def test_list_values_are_separate_lines_on_http11(server):
    response = _raw(server, b"GET /multi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = response.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert [line for line in head if line.lower().startswith(b"set-cookie:")] == \
        [b"set-cookie: " + c.encode() for c in EXPECTED_COOKIES]
    assert [line for line in head if line.lower().startswith(b"x-list:")] == \
        [b"x-list: one", b"x-list: 2", b"x-list: three"]


def test_list_values_with_nghttp(server):
    nghttp = shutil.which("nghttp")
    if nghttp is None:
        pytest.skip("nghttp is not installed")
    result = subprocess.run([nghttp, "-v", "-n", server.url + "/multi"], capture_output=True, timeout=30,
                            text=True)
    assert result.returncode == 0, result.stderr
    fields = [line.split(") ", 1)[1].strip() for line in result.stdout.splitlines()
              if ") set-cookie:" in line or ") x-list:" in line]
    # (the order between different names is a Lua table's; within one list it is the list's)
    assert [f for f in fields if f.startswith("set-cookie")] == [f"set-cookie: {c}" for c in EXPECTED_COOKIES]
    assert [f for f in fields if f.startswith("x-list")] == ["x-list: one", "x-list: 2", "x-list: three"]


BAD_LISTS = {
    "crlf": "has an invalid name or value",
    "lf": "has an invalid name or value",
    "nul": "has an invalid name or value",
    "boolean": "response.headers['x-bad'][2] must be a string, got boolean",
    "table": "response.headers['x-bad'][1] must be a string, got table",
    "holes": "response.headers['x-bad'] must be a string or a list of strings",
    "sparse": "response.headers['x-bad'] must be a string or a list of strings",
    "many": "response.headers has more than 1000 header fields",
}


@pytest.mark.parametrize("case", sorted(BAD_LISTS))
def test_bad_list_items_are_500_and_logged(server, client, case):
    r = client.get(f"/bad/{case}")
    assert r.status_code == 500
    assert "x-injected" not in r.headers and "x-bad" not in r.headers
    assert r.text == "500 Internal Server Error\n"
    server.wait_for_log(r"handler 'bad' failed: .*" + re.escape(BAD_LISTS[case]))


def test_no_header_injection_on_the_wire(server):
    response = _raw(server, b"GET /bad/crlf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 500 ")
    assert b"x-injected" not in response.lower() and b"evil" not in response


def test_header_list_on_http11(server):
    response = _raw(server, b"GET /header_list?name=X-Multi HTTP/1.1\r\nHost: x\r\nX-Multi: a\r\n"
                            b"x-other: z\r\nx-multi: b, c\r\nX-MULTI: \r\nConnection: close\r\n\r\n")
    data = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert data == {"dot": ["a", "b, c", ""], "colon": ["a", "b, c", ""], "joined": "a, b, c, "}
    response = _raw(server, b"GET /header_list?name=absent HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert json.loads(response.split(b"\r\n\r\n", 1)[1]) == {"dot": [], "colon": [], "joined": "nil"}


def test_header_list_on_both_protocols(client):
    r = client.get("/header_list", params={"name": "x-multi"},
                   headers=[("x-multi", "first"), ("x-multi", "second"), ("x-multi", "third")])
    assert r.status_code == 200, r.text
    assert r.json() == {"dot": ["first", "second", "third"], "colon": ["first", "second", "third"],
                        "joined": "first, second, third"}


def test_cookie_attributes(client):
    assert client.get("/cookie").text == "n=v"
    assert client.get("/cookie", params={"value": '"quoted"'}).text == 'n="quoted"'
    assert client.get("/cookie", params={"expires": "0"}).text == "n=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    assert client.get("/cookie", params={"expires": "1700000000.5"}).text == \
        "n=v; Expires=Tue, 14 Nov 2023 22:13:20 GMT"
    assert client.get("/cookie", params={"domain": ".example.com", "same_site": "none", "secure": "1"}).text == \
        "n=v; Domain=.example.com; Secure; SameSite=None"


def test_cookie_refuses_bad_input(client):
    lines = client.get("/cookie_errors").text.split("\n")
    expected = [
        "cookie name 'bad name' is not a token",
        "cookie name '' is not a token",
        "cookie value 'a;b' has a character RFC 6265 does not allow",
        "cookie value 'a b' has a character",
        "cookie value 'a\\r\\nSet-Cookie: x=y' has a character",
        "option 'path' must be a path without control characters or ';'",
        "option 'path' must be a path",
        "option 'domain' must be a host name",
        "option 'max_age' must be an integer",
        "option 'max_age' must be an integer",
        "option 'expires' must be a time in seconds since the epoch",
        "option 'same_site' must be 'Strict', 'Lax' or 'None'",
        "same_site='None' needs secure=true",
        "option 'http_only' must be a boolean",
        "unknown option 'colour' (known: path, domain, max_age, expires, http_only, secure, same_site)",
        "bad argument #2 to 'cookie' (string expected, got nil)",
    ]
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected):
        assert want in line, (line, want)
        assert re.match(r"handlers\.lua:\d+: (petrel\.cookie: |bad argument)", line), line
