"""Handlers: request and response tables, failures, isolation between requests, fibers."""

from __future__ import annotations

import re

import json
import textwrap
import time

import anyio
import httpx
import pytest

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/echo", "echo")
            petrel.add_route("/count", "count")
            petrel.add_route("/count_raw", "count_raw")
            petrel.add_route("/sleep", "sleeper")
            petrel.add_route("/fast", "fast")
            petrel.add_route("/error", "fails")
            petrel.add_route("/error_table", "fails_with_table")
            petrel.add_route("/missing", "no_such_function")
            petrel.add_route("/not_function", "not_a_function")
            petrel.add_route("/nil_return", "returns_nil")
            petrel.add_route("/string_return", "returns_string")
            petrel.add_route("/bad_content", "bad_content")
            petrel.add_route("/bad_status", "bad_status")
            petrel.add_route("/bad_headers", "bad_headers")
            petrel.add_route("/header_injection", "header_injection")
            petrel.add_route("/bad_header_name", "bad_header_name")
            petrel.add_route("/status", "status")
            petrel.add_route("/binary", "binary")
            petrel.add_route("/nested_error", "nested_error")
        end
        not_a_function = 42
    """,
    "handlers.lua": """
        local function q(s) return '"' .. tostring(s) .. '"' end

        function echo(request, response)
            local names = {}
            for k, _ in pairs(request.headers) do names[#names + 1] = k end
            table.sort(names)
            local cookies = {}
            for k, v in pairs(request.cookies) do cookies[#cookies + 1] = k .. "=" .. v end
            table.sort(cookies)
            response.headers["content-type"] = "application/json"
            response.content = "{" ..
                q("path") .. ":" .. q(request.path) .. "," ..
                q("method") .. ":" .. q(request.method) .. "," ..
                q("proto") .. ":" .. q(request.proto) .. "," ..
                q("host") .. ":" .. q(request.host) .. "," ..
                q("query") .. ":" .. q(request.query) .. "," ..
                q("arg_a") .. ":" .. q(request.args.a) .. "," ..
                q("http_version") .. ":" .. q(request.http_version) .. "," ..
                q("remote") .. ":" .. q(request.remote_addr_str) .. "," ..
                q("ipver") .. ":" .. request.remote_addr_ip_ver .. "," ..
                q("ts") .. ":" .. string.format("%.3f", request.timestamp) .. "," ..
                q("content_length") .. ":" .. #request.content .. "," ..
                q("x_test") .. ":" .. q(request.headers["x-test"]) .. "," ..
                q("cookies") .. ":" .. q(table.concat(cookies, ";")) .. "," ..
                q("header_names") .. ":" .. q(table.concat(names, ",")) ..
                "}"
            return response
        end

        function count(request, response)
            x = (x or 0) + 1
            response.content = tostring(x)
            return response
        end

        function count_raw(request, response)
            rawset(_G, "y", (rawget(_G, "y") or 0) + 1)
            _G.z = (_G.z or 0) + 1
            response.content = tostring(rawget(_G, "y")) .. " " .. tostring(z)
            return response
        end

        function sleeper(request, response)
            petrel.sleep_millis(3000)
            response.content = "slept"
            return response
        end

        function fast(request, response)
            response.content = "fast"
            return response
        end

        function fails(request, response)
            local t = nil
            return t.field
        end

        function fails_with_table(request, response)
            error({code = 1})
        end

        function returns_nil(request, response)
        end

        function returns_string(request, response)
            return "hello"
        end

        function bad_content(request, response)
            response.content = {}
            return response
        end

        function bad_status(request, response)
            response.status = "two hundred"
            return response
        end

        function bad_headers(request, response)
            response.headers = 5
            return response
        end

        function header_injection(request, response)
            response.headers["x-a"] = "a\\r\\nset-cookie: stolen=1"
            return response
        end

        function bad_header_name(request, response)
            response.headers["x a:"] = "1"
            return response
        end

        function status(request, response)
            response.status = tonumber(request.args.code)
            response.headers["x-custom"] = "yes"
            response.content = "status " .. request.args.code
            return response
        end

        function binary(request, response)
            response.headers["content-type"] = "application/octet-stream"
            response.content = request.content .. string.char(0, 255, 128)
            return response
        end

        local function inner()
            error("deep problem")
        end
        function nested_error(request, response)
            inner()
            return response
        end
    """,
}


@pytest.fixture
def server(start_server, engine):
    return start_server(SERVICE, engine, statebuffer=1)


def test_request_fields(server):
    with httpx.Client(base_url=server.url) as client:
        reply = client.post("/echo/sub?a=1&b=2", content=b"abc",
                            headers={"X-Test": "yes", "Cookie": "session=s1; theme=dark"})
    data = json.loads(reply.text)
    assert data["path"] == "/echo/sub"
    assert data["method"] == "POST"
    assert data["proto"] == "http"
    assert data["host"] == f"127.0.0.1:{server.port}"
    assert data["query"] == "a=1&b=2"
    assert data["arg_a"] == "1"
    assert data["http_version"] == "1.1"
    assert data["remote"] == "127.0.0.1"
    assert data["ipver"] == 4
    assert abs(data["ts"] - time.time()) < 60
    assert data["content_length"] == 3
    assert data["x_test"] == "yes"
    assert data["cookies"] == "session=s1;theme=dark"
    assert "x-test" in data["header_names"].split(",")


def test_status_and_headers(server):
    reply = httpx.get(f"{server.url}/status?code=201")
    assert reply.status_code == 201
    assert reply.headers["x-custom"] == "yes"
    assert reply.text == "status 201"


def test_binary_body_round_trips(server):
    payload = bytes(range(256)) * 4
    reply = httpx.post(f"{server.url}/binary", content=payload)
    assert reply.content == payload + b"\x00\xff\x80"


def test_globals_do_not_survive_a_request(server):
    # statebuffer=1 and sequential requests: every request reuses the same state.
    with httpx.Client(base_url=server.url) as client:
        assert [client.get("/count").text for _ in range(5)] == ["1"] * 5
        assert [client.get("/count_raw").text for _ in range(3)] == ["1 1"] * 3


FAILURES = [
    ("/error", "handlers.lua:", "attempt to index"),
    ("/error_table", "fails_with_table", "error object is a table value"),
    ("/missing", "no_such_function", "no global function 'no_such_function'"),
    ("/not_function", "not_a_function", "no global function 'not_a_function' (it is number)"),
    ("/nil_return", "returns_nil", "returned nil, not the response table"),
    ("/string_return", "returns_string", "returned string, not the response table"),
    ("/bad_content", "bad_content", "response.content must be a string, got table"),
    ("/bad_status", "bad_status", "response.status must be a number, got string"),
    ("/bad_headers", "bad_headers", "response.headers must be a table, got number"),
    ("/header_injection", "header_injection", "response header 'x-a' has an invalid name or value"),
    ("/bad_header_name", "bad_header_name", "has an invalid name or value"),
    ("/status?code=600", "status", "response.status 600 is not a final HTTP status code"),
    ("/status?code=101", "status", "response.status 101 is not a final HTTP status code"),
    ("/status?code=99", "status", "response.status 99 is not a final HTTP status code"),
    ("/nested_error", "handlers.lua:", "deep problem"),
]


def test_handler_failures_are_500_with_one_log_line(server):
    with httpx.Client(base_url=server.url) as client:
        for path, where, why in FAILURES:
            reply = client.get(path)
            assert reply.status_code == 500, path
            assert reply.text == "500 Internal Server Error\n"
            route = re.escape(path.split("?")[0])
            line = server.wait_for_log(rf"\| lua \| err \| GET {route}: handler .*{re.escape(why)}").group(0)
            assert where in line and why in line, line
        # The server keeps serving.
        assert client.get("/fast").text == "fast"
    log = server.log()
    assert "stack traceback:" in log          # at debug level (the fixture runs log.level=7)
    assert "Traceback (most recent call last)" not in log


def test_error_position_names_chunk_and_line(server):
    httpx.get(f"{server.url}/nested_error")
    line = server.wait_for_log(r"handler 'nested_error' failed: .*").group(0)
    source = textwrap.dedent(SERVICE["handlers.lua"]).splitlines()
    number = next(i for i, text in enumerate(source, 1) if 'error("deep problem")' in text)
    assert f"handlers.lua:{number}: deep problem" in line


async def _get(port: int, path: str) -> bytes:
    """One request on its own connection, read to the end (a light client, so that the clock
    measures the server rather than the client)."""
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        with anyio.fail_after(30):
            while True:
                try:
                    data += await stream.receive()
                except anyio.EndOfStream:
                    return data


def test_concurrent_sleeps_suspend_only_their_request(server):
    async def main():
        replies: list[bytes] = []
        slow_done: list[float] = []
        fast_done: list[float] = []

        async def slow():
            replies.append(await _get(server.port, "/sleep"))
            slow_done.append(time.perf_counter())

        async def fast():
            await anyio.sleep(0.2)      # the sleepers are all asleep by now
            reply = await _get(server.port, "/fast")
            fast_done.append(time.perf_counter())
            assert reply.endswith(b"fast")

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(slow)
            tg.start_soon(fast)
        return replies, time.perf_counter() - started, fast_done[0], min(slow_done)

    replies, total, fast_done, first_slow_done = anyio.run(main)
    assert len(replies) == 100 and all(r.endswith(b"slept") for r in replies)
    # One after another the sleepers would take 300 s; together they take about one sleep.
    assert total < 100 * 3.0 / 4, total
    # The other route answered while the sleepers were still asleep.
    assert fast_done < first_slow_done

def test_many_query_arguments_and_headers_reach_the_handler(start_server, engine):
    """More name/value pairs than one call into Lua takes as arguments still arrive, all of them."""
    service = {"many.lua": """
function bootstrap() petrel.add_route("/many", "many") end
function many(request, response)
    local args, headers = 0, 0
    for _ in pairs(request.args) do args = args + 1 end
    for _ in pairs(request.headers) do headers = headers + 1 end
    response.content = args .. " " .. headers .. " " .. request.args.a1 .. " " .. request.args.a3000
        .. " " .. request.headers["x-h399"]
    return response
end
"""}
    server = start_server(service, engine, "--server.max-request-line=65536", "--server.max-headers=500",
                          statebuffer=1)
    query = "&".join(f"a{i}={i}" for i in range(1, 3001))
    headers = {f"x-h{i}": str(i) for i in range(400)}
    reply = httpx.get(f"{server.url}/many?{query}", headers=headers, timeout=60)
    assert reply.status_code == 200, reply.text
    count_args, count_headers, first, last, header = reply.text.split()
    assert (count_args, first, last, header) == ("3000", "1", "3000", "399")
    assert int(count_headers) >= 400
