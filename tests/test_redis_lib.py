"""The redis library against a real redis-server, on every engine: commands and their Lua values,
shorthands, pipelines, MULTI/EXEC, errors naming the handler line, pooled connections given back at
request end, concurrent requests, and a Redis outage in the middle of requests with recovery."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from redis_support import redis_server  # noqa: F401  (fixture)

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/api", "api")
            petrel.add_route("/errors", "errors")
            petrel.add_route("/incr", "incr")
            petrel.add_route("/slow", "slow")
            petrel.add_route("/auth", "auth")
            petrel.add_route("/abandon", "abandon")
            petrel.add_route("/tls", "tls")
        end
    """,
    "api.lua": """
        local function show(v)
            if type(v) == "table" then
                local keys = {}
                for k in pairs(v) do keys[#keys + 1] = k end
                table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
                local out = {}
                for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. show(v[k]) end
                return "{" .. table.concat(out, ",") .. "}"
            end
            if type(v) == "number" then return string.format("%d", v) end
            return type(v) .. ":" .. tostring(v)
        end
        function api(request, response)
            local r = redis()
            local port = tonumber(request.args.port)
            local out = {}
            local function say(...)
                local parts = {}
                for i = 1, select("#", ...) do parts[#parts + 1] = show((select(i, ...))) end
                out[#out + 1] = table.concat(parts, " ")
            end
            say(r:connect("127.0.0.1", port, {db = 3, timeout = 2000}))
            say(r:flushdb())
            say(r:set("s", "text"), r:get("s"), r:get("missing"))
            say(r:incr("n"), r:incrby("n", 41), r:command("incrby", "n", -2))
            say(r:set("f", 1.5), r:incrbyfloat("f", 1))
            say(r:rpush("l", "a", "b", 3), r:lrange("l", 0, -1), r:llen("l"))
            say(r:hset("h", "x", "1", "y", "2"), r:hget("h", "x"), r:hgetall("h"))
            say(r:command("HGETALL", "h"))
            say(r:mget("s", "missing", "n"))
            say(r:expire("s", 100), r:ttl("s"), r:ttl("missing"), r:exists("s", "n", "nope"))
            say(r:del("s", "n"), r:get("s"))
            say(r:set("bin", "\\0\\255\\1"), r:get("bin") == "\\0\\255\\1")
            say(r:sadd("set", "m"), r:sismember("set", "m"), r:smembers("set"))
            say(r:publish("chan", "hello"))
            say(r:eval("return {1, 'two', redis.call('GET', 'bin') == '\\\\0\\\\255\\\\1'}", 0))
            local p = r:pipeline()
            say(p:set("a", "1"), p:incr("a"), p:get("a"), p:get("nothing"), p:command("LLEN", "l"))
            say(p:execute())
            say(p:execute())
            say(r:pipeline(function(q, key) q:set(key, "7"); q:incr(key); q:get(key) end, "pf"))
            say(r:multi(), r:incr("tx"), r:incr("tx"), r:exec())
            say(r:get("tx"))
            say(r:ping(), r:echo("e"))
            say(r:set_keepalive(), r:get("a"), r:close(), r:get("a"))
            response.content = table.concat(out, "\\n") .. "\\n"
            return response
        end
    """,
    "errors.lua": """
        function errors(request, response)
            local port = tonumber(request.args.port)
            local r = redis()
            local out = {}
            local function try(f, ...)
                local ok, err = pcall(f, ...)
                out[#out + 1] = tostring(ok) .. " " .. tostring(err)
            end
            try(r.get, r, "k")                                       -- before connect
            r:connect("127.0.0.1", port)
            r:set("str", "x")
            try(function() local v = r:incr("str"); return v end)    -- an error reply, this line
            try(function() local v = r:command("NOSUCHCOMMAND"); return v end)
            try(r.command, r, "")
            try(r.command, r, "SET", "k", {})
            try(r.command, r, "SUBSCRIBE", "chan")
            try(r.connect, r, "127.0.0.1", "99999")
            try(r.connect, r, "127.0.0.1", port, {bogus = 1})
            try(r.set_timeout, r, 0)
            local p = r:pipeline()
            p:set("k", "1"); p:incr("str"); p:get("k")
            try(p.execute, p)
            out[#out + 1] = r:get("k")                               -- the connection is still in step
            try(function() local v = r:pipeline(42); return v end)
            try(function() local v = r:pipeline(function(q) q:set("k", "2"); error("inside") end); return v end)
            out[#out + 1] = r:get("k")                               -- nothing of that pipeline was sent
            try(r.connect, r, "127.0.0.1", tonumber(request.args.closed), {timeout = 1000})
            response.content = table.concat(out, "\\n") .. "\\n"
            return response
        end
    """,
    "incr.lua": """
        local r = redis()
        function incr(request, response)
            local ok, value = pcall(function()
                r:connect("127.0.0.1", tonumber(request.args.port), {timeout = 1000})
                return r:incr("hits")
            end)
            if not ok then response.status = 503 end
            response.content = tostring(value)
            return response
        end
    """,
    "auth.lua": """
        function auth(request, response)
            local port = tonumber(request.args.port)
            local out = {}
            local function try(f)
                local ok, err = pcall(f)
                out[#out + 1] = tostring(ok) .. " " .. tostring(err)
            end
            try(function() local r = redis(); r:connect("127.0.0.1", port); local v = r:get("k"); return v end)
            try(function() local r = redis(); r:connect("127.0.0.1", port, {password = "wrong"}) end)
            local r = redis()
            r:connect("127.0.0.1", port, {password = "s3cret", timeout = 300})
            out[#out + 1] = r:set("k", "v") .. " " .. r:get("k")
            try(function() local v = r:command("BLPOP", "never", "5"); return v end)
            out[#out + 1] = r:get("k")   -- a fresh connection after the timeout
            response.content = table.concat(out, "\\n") .. "\\n"
            return response
        end
    """,
    "abandon.lua": """
        function abandon(request, response)
            local r = redis()
            r:connect("127.0.0.1", tonumber(request.args.port))
            -- A transaction left open: its connection must not reach the next request.
            local state = r:get("k") == nil and "fresh" or "dirty"
            r:multi()
            r:set("k", "queued")
            response.content = state
            return response
        end
    """,
    "tls.lua": """
        function tls(request, response)
            local port = tonumber(request.args.port)
            local out = {}
            local function try(options)
                local ok, err = pcall(function()
                    local r = redis()
                    r:connect("127.0.0.1", port, options)
                    local reply = r:set("k", "over tls") .. " " .. r:get("k")
                    return reply
                end)
                out[#out + 1] = tostring(ok) .. " " .. tostring(err)
            end
            try({ssl = true, ssl_verify = false, timeout = 10000})
            try({ssl = true, timeout = 10000})      -- a self-signed certificate: refused
            try({timeout = 1000})                   -- plain text to a TLS port
            response.content = table.concat(out, "\\n") .. "\\n"
            return response
        end
    """,
    "slow.lua": """
        function slow(request, response)
            local r = redis()
            r:connect("127.0.0.1", tonumber(request.args.port), {timeout = 30000})
            r:rpush("slow", "in")
            -- BLPOP suspends only this request: the others go on meanwhile.
            local got = r:command("BLPOP", "wake", "25")
            response.content = got and got[2] or "timeout"
            return response
        end
    """,
}

EXPECTED_API = """\
boolean:true
string:OK
string:OK string:text nil:nil
1 42 40
string:OK string:2.5
3 {1=string:a,2=string:b,3=string:3} 3
2 string:1 {x=string:1,y=string:2}
{1=string:x,2=string:1,3=string:y,4=string:2}
{1=string:text,2=boolean:false,3=string:40}
1 100 -2 2
2 nil:nil
string:OK boolean:true
1 1 {1=string:m}
0
{1=1,2=string:two,3=1}
1 2 3 4 5
{1=string:OK,2=2,3=string:2,4=boolean:false,5=3}
{}
{1=string:OK,2=8,3=string:8}
string:OK string:QUEUED string:QUEUED {1=1,2=2}
string:2
string:PONG string:e
boolean:true string:2 boolean:true string:2
"""


def _get(server, path: str, **args) -> httpx.Response:
    return httpx.get(server.url + path, params=args, timeout=30)


def test_commands_and_values(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine)
    response = _get(server, "/api", port=redis_server.port)
    assert response.status_code == 200, server.log()
    assert response.text == EXPECTED_API
    # The data went to database 3, not 0.
    assert redis_server.command("GET", "a") == b"$-1\r\n"
    assert redis_server.command("EVAL", "redis.call('SELECT', 3) return redis.call('GET', 'a')",
                                "0") == b"$1\r\n2\r\n"


def test_errors_name_the_line_and_leave_the_connection_usable(start_server, engine, redis_server):  # noqa: F811
    import socket
    with socket.socket() as sock:   # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    server = start_server(SERVICE, engine)
    response = _get(server, "/errors", port=redis_server.port, closed=closed)
    assert response.status_code == 200, server.log()
    lines = response.text.splitlines()
    assert lines[0].startswith("false ") and lines[0].endswith("redis: command sent before 'connect'")
    assert re.fullmatch(r"false .*errors\.lua:13: redis: value is not an integer or out of range",
                        lines[1]), lines[1]
    assert re.fullmatch(r"false .*errors\.lua:14: redis: unknown command 'NOSUCHCOMMAND'.*", lines[2])
    assert lines[3].endswith("bad argument #1 to 'command' (command name expected, got empty string)")
    assert lines[4].endswith("bad argument #3 to 'command' (string or number expected, got table)")
    assert lines[5].endswith("redis: 'SUBSCRIBE' cannot be used from a handler (it takes the "
                             "connection over)")
    assert lines[6].endswith("bad argument #2 to 'connect' (invalid port '99999')")
    assert lines[7].endswith("bad argument #3 to 'connect' (unknown option 'bogus'; known: password, db, "
                             "ssl, ssl_verify, timeout)")
    assert lines[8].endswith("bad argument #1 to 'set_timeout' (positive number of milliseconds expected)")
    assert lines[9].endswith("redis: command 2 of the pipeline (INCR) failed: value is not an "
                             "integer or out of range")
    assert lines[10] == "1"
    assert re.fullmatch(r"false .*errors\.lua:\d+: bad argument #1 to 'pipeline' \(function expected, "
                        r"got number\)", lines[11]), lines[11]
    assert re.fullmatch(r"false .*errors\.lua:\d+: inside", lines[12]), lines[12]
    assert lines[13] == "1"
    assert re.fullmatch(rf"false .*redis: redis 127\.0\.0\.1:{closed} unavailable: .*", lines[14]), lines[14]


def test_password_and_reply_timeout(start_server, engine, redis_server):  # noqa: F811
    assert redis_server.command("CONFIG", "SET", "requirepass", "s3cret") == b"+OK\r\n"
    server = start_server(SERVICE, engine)
    response = _get(server, "/auth", port=redis_server.port)
    assert response.status_code == 200, server.log()
    lines = response.text.splitlines()
    where = f"redis 127.0.0.1:{redis_server.port}"
    assert re.fullmatch(rf"false .*auth\.lua:\d+: redis: {where}: authentication failed: .+", lines[0]), lines
    assert re.fullmatch(rf"false .*auth\.lua:\d+: redis: {where}: authentication failed: .+", lines[1]), lines
    assert lines[2] == "OK v"
    assert re.fullmatch(rf"false .*auth\.lua:\d+: redis: {where} unavailable: timeout \(no reply within "
                        r"300 ms\)", lines[3]), lines
    assert lines[4] == "v"


def test_connections_are_pooled_and_given_back(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine)
    with httpx.Client(timeout=30) as http:
        seen = [http.get(server.url + "/incr", params={"port": redis_server.port}).text for _ in range(20)]
    assert seen == [str(n) for n in range(1, 21)]
    clients = redis_server.command("CLIENT", "LIST").decode()
    # One pooled connection served the twenty requests in turn (plus this CLIENT LIST's own).
    assert clients.count("cmd=incr") == 1, clients


def test_an_abandoned_transaction_is_closed_not_pooled(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine)
    with httpx.Client(timeout=30) as http:
        # More requests than a pool holds: each connection is closed at its request's end.
        bodies = [http.get(server.url + "/abandon", params={"port": redis_server.port}).text
                  for _ in range(70)]
    assert bodies == ["fresh"] * 70
    assert redis_server.command("GET", "k") == b"$-1\r\n"   # never executed
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        clients = redis_server.command("CLIENT", "LIST").decode().count("id=")
        if clients == 1:
            break
        time.sleep(0.1)
    assert clients == 1   # only the CLIENT LIST of this test


def test_tls(start_server, engine, tmp_path):
    import shutil
    import subprocess

    from support import free_port
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    key, crt = tmp_path / "key.pem", tmp_path / "crt.pem"
    made = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                           "-out", str(crt), "-days", "2", "-subj", "/CN=localhost",
                           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                          capture_output=True, timeout=60)
    assert made.returncode == 0, made.stderr
    port = free_port()
    redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", "0", "--tls-port",
                              str(port), "--bind", "127.0.0.1", "--tls-cert-file", str(crt),
                              "--tls-key-file", str(key), "--tls-auth-clients", "no", "--save", "",
                              "--appendonly", "no", "--dir", str(tmp_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from support import can_connect
        deadline = time.monotonic() + 10
        while not can_connect(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        server = start_server(SERVICE, engine)
        response = _get(server, "/tls", port=port)
        assert response.status_code == 200, server.log()
        lines = response.text.splitlines()
        assert lines[0] == "true OK over tls"
        assert re.fullmatch(rf"false .*tls\.lua:\d+: redis: rediss 127\.0\.0\.1:{port} unavailable: "
                            r"certificate verify failed: self-signed certificate", lines[1]), lines
        assert re.fullmatch(rf"false .*tls\.lua:\d+: redis: redis 127\.0\.0\.1:{port} unavailable: .+",
                            lines[2]), lines
    finally:
        redis.terminate()
        redis.wait(10)


async def _concurrent(url: str, port: int, total: int, concurrency: int) -> list[str]:
    results: list[str] = []
    queue = list(range(total))

    async def client() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            while queue:
                queue.pop()
                response = await http.get(url + "/incr", params={"port": port})
                assert response.status_code == 200, response.text
                results.append(response.text)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return results


def test_calls_suspend_only_their_request(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine, statebuffer=8)

    async def scenario() -> tuple[str, list[str]]:
        async with httpx.AsyncClient(timeout=30) as http:
            slow = asyncio.ensure_future(http.get(server.url + "/slow", params={"port": redis_server.port}))
            deadline = time.monotonic() + 10
            while redis_server.command("LLEN", "slow") != b":1\r\n" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            # While one request waits in BLPOP (until it is woken), 50 others are served.
            results = await _concurrent(server.url, redis_server.port, 50, 10)
            assert not slow.done()
            redis_server.command("RPUSH", "wake", "woken")
            return (await slow).text, results

    slow_text, results = asyncio.run(scenario())
    assert slow_text == "woken"
    assert sorted(int(v) for v in results) == list(range(1, 51))


def test_outage_mid_request_then_recovery(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine)
    with httpx.Client(timeout=30) as http:
        url = server.url + "/incr"
        port = {"port": redis_server.port}
        assert http.get(url, params=port).text == "1"
        redis_server.stop()
        for _ in range(3):
            response = http.get(url, params=port)
            assert response.status_code == 503
            assert re.search(rf"incr\.lua:\d+: redis: redis 127\.0\.0\.1:{redis_server.port} unavailable: ",
                             response.text), response.text
        redis_server.start()   # same port, empty
        deadline = time.monotonic() + 15
        statuses = []
        while time.monotonic() < deadline:
            response = http.get(url, params=port)
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
            time.sleep(0.2)
        assert statuses[-1] == 200, statuses
        assert response.text == "1"
        assert http.get(url, params=port).text == "2"


def test_outage_while_a_request_waits_for_its_reply(start_server, engine, redis_server):  # noqa: F811
    server = start_server(SERVICE, engine)

    async def scenario() -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as http:
            slow = asyncio.ensure_future(http.get(server.url + "/slow", params={"port": redis_server.port}))
            deadline = time.monotonic() + 10
            while redis_server.command("LLEN", "slow") != b":1\r\n" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            redis_server.stop()   # the request is inside BLPOP: its connection goes away
            return await slow

    response = asyncio.run(scenario())
    assert response.status_code == 500
    assert "500" in response.text
    assert re.search(rf"slow\.lua:\d+: redis: redis 127\.0\.0\.1:{redis_server.port} unavailable: ",
                     server.log()), server.log()
    redis_server.start()
    with httpx.Client(timeout=30) as http:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = http.get(server.url + "/incr", params={"port": redis_server.port})
            if response.status_code == 200:
                break
            time.sleep(0.2)
    assert response.status_code == 200 and response.text == "1"
