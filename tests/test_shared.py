"""The shared library on both backends (the embedded SQLite store and a real redis-server), on every
engine: the dictionary API, TTL expiry, exact concurrent incr, two workers and two servers sharing
data, and a Redis outage in the middle of requests."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from redis_support import RedisServer, redis_server  # noqa: F401  (fixture)

API_SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/api", "api")
            petrel.add_route("/incr", "incr")
            petrel.add_route("/ttl/", "ttl")
        end
    """,
    "api.lua": """
        local d = shared.dict("api")
        local function show(...)
            local out = {}
            for i = 1, select("#", ...) do
                local v = select(i, ...)
                local float = type(v) == "number" and (math.type and math.type(v) == "float"
                                                       or not math.type and v % 1 ~= 0)
                out[#out + 1] = float and string.format("%.1ff", v)
                    or type(v) == "number" and string.format("%d", v) or tostring(v)
            end
            return table.concat(out, " ")
        end
        function api(request, response)
            d:flush_all()
            local out = {}
            local function say(...) out[#out + 1] = show(...) end
            say(d:set("s", "text"), d:get("s"))
            say(d:set("i", 41), d:incr("i", 1), d:get("i"))
            say(d:set("f", 1.5), d:incr("f", 1), d:get("f"))
            say(d:set("b", false), d:get("b"), d:set("t", true), d:get("t"))
            d:set("tab", {1, 2, {name = "ann", list = {"x", "y"}, [7] = "seven"}})
            local t = d:get("tab")
            say(t[1], t[2], t[3].name, t[3].list[2], t[3]["7"], #t)
            say(d:get("missing"))
            say(d:add("s", "again"))
            say(d:add("new", 1), d:get("new"))
            say(d:replace("nope", 1))
            say(d:replace("s", "other"), d:get("s"))
            say(d:incr("nope", 1))
            say(d:incr("nope", 5, 10), d:get("nope"))
            say(d:incr("s", 1))
            say(d:ttl("s"), d:ttl("gone"))
            say(d:expire("gone", 5))
            say(d:delete("new"), d:get("new"))
            say(d:set("s", nil), d:get("s"))
            local keys = d:keys()
            table.sort(keys)
            say(table.concat(keys, ","), #d:keys(2))
            d:set("bin", "\\0\\255\\1")
            say(d:get("bin") == "\\0\\255\\1")
            local ok, err = pcall(d.get, d, "")
            say(ok, err)
            ok, err = pcall(d.set, d, "k", print)
            say(ok, err)
            ok, err = pcall(d.incr, d, "i", "x")
            say(ok, err)
            ok, err = pcall(d.set, d, "k", 1, -1)
            say(ok, err)
            ok, err = pcall(shared.dict, "bad name")
            say(ok, err)
            say(d:flush_all(), #d:keys())
            response.content = table.concat(out, "\\n") .. "\\n"
            return response
        end
    """,
    "incr.lua": """
        local counter = shared.dict("counter")
        function incr(request, response)
            local ok, value = pcall(counter.incr, counter, "hits", 1, 0)
            if not ok then
                response.status = 503
                value = tostring(value)
            end
            response.content = tostring(value)
            return response
        end
    """,
    "ttl.lua": """
        local d = shared.dict("ttl")
        function ttl(request, response)
            local what = request.path:match("/ttl/(%a+)")
            if what == "set" then
                d:set("short", "here", 0.3)
                d:incr("counted", 1, 0, 0.3)
                d:set("long", "stays", 60)
                d:set("plain", "always")
                d:expire("plain", 0.3)
                response.content = "ok"
            else
                local left = d:ttl("long")
                response.content = table.concat({tostring(d:get("short")), tostring(d:get("counted")),
                    tostring(d:get("plain")), tostring(d:get("long")),
                    tostring(left > 50 and left <= 60)}, " ")
            end
            return response
        end
    """,
}

EXPECTED_API = """\
true text
true 42 42
true 2.5f 2.5f
true false true true
1 2 ann y seven 3
nil
false exists
true 1
false not found
true other
nil not found
15 15
nil not a number
0 nil not found
nil not found
true nil
true nil
{keys} 2
true
false {where}bad argument #1 to 'get' (key must not be empty)
false {where}shared: cannot store a function value (strings, numbers, booleans and tables only)
false {where}bad argument #2 to 'incr' (number expected, got string)
false {where}bad argument #3 to 'set' (ttl must be a non-negative number of seconds)
false {where}bad argument #1 to 'dict' (dictionary name 'bad name' must be 1 to 200 letters, digits, '_', '.' or '-')
true 0
"""

BACKENDS = ["embedded", "redis"]


def _backend_options(backend: str, redis: RedisServer | None, prefix: str = "t:") -> list[str]:
    if backend == "redis":
        assert redis is not None
        return [f"--shared.backend={redis.url}", f"--shared.prefix={prefix}"]
    return []


@pytest.fixture
def maybe_redis(request, tmp_path):
    """A redis-server when the test's backend is redis, else None."""
    if request.node.callspec.params.get("backend") != "redis":
        yield None
        return
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_dictionary_api(start_server, engine, backend, maybe_redis):
    server = start_server(API_SERVICE, engine, *_backend_options(backend, maybe_redis))
    response = httpx.get(server.url + "/api", timeout=20)
    assert response.status_code == 200, server.log()
    # Lua 5.1 and LuaJIT have no integer subtype: floats print as integers there when integral.
    body = response.text
    lines = body.splitlines() + [""] * 20
    where = re.match(r"false ([^(]*?:\d+: )?", lines[19]).group(1) or ""
    expected = EXPECTED_API.format(keys="b,f,i,nope,t,tab", where=where)
    assert body == expected, body


@pytest.mark.parametrize("backend", BACKENDS)
def test_ttl_expiry(start_server, engine, backend, maybe_redis):
    server = start_server(API_SERVICE, engine, *_backend_options(backend, maybe_redis))
    assert httpx.get(server.url + "/ttl/set", timeout=20).text == "ok"
    assert httpx.get(server.url + "/ttl/get", timeout=20).text == "here 1 always stays true"
    deadline = time.monotonic() + 10
    body = ""
    while time.monotonic() < deadline:
        body = httpx.get(server.url + "/ttl/get", timeout=20).text
        if body.startswith("nil nil nil"):
            break
        time.sleep(0.1)
    assert body == "nil nil nil stays true"


async def _hammer(urls: list[str], total: int, concurrency: int) -> list[str]:
    """``total`` GETs spread over ``urls``, ``concurrency`` at a time; the bodies of the answers."""
    results: list[str] = []
    queue = list(range(total))

    async def client(index: int) -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            while queue:
                n = queue.pop()
                response = await http.get(urls[(n + index) % len(urls)] + "/incr")
                assert response.status_code == 200, response.text
                results.append(response.text)

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return results


def _assert_exact(results: list[str], total: int) -> None:
    # Every incr answered a distinct new value, and together they counted every request.
    assert sorted(int(v) for v in results) == list(range(1, total + 1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_incr_is_exact(start_server, engine, backend, maybe_redis):
    server = start_server(API_SERVICE, engine, *_backend_options(backend, maybe_redis))
    total = 300
    _assert_exact(asyncio.run(_hammer([server.url], total, 30)), total)


def test_two_workers_share_the_embedded_store(start_server, engine):
    server = start_server(API_SERVICE, engine, "--server.workers=2", "--log.access=1", statebuffer=2)
    total = 300
    _assert_exact(asyncio.run(_hammer([server.url], total, 30)), total)
    log = server.log()
    assert "| w1 | access |" in log and "| w2 | access |" in log, "both workers answered"


def test_two_servers_share_one_counter_on_redis(start_server, engine, redis_server):  # noqa: F811
    options = _backend_options("redis", redis_server)
    first = start_server(API_SERVICE, engine, *options)
    second = start_server(API_SERVICE, engine, *options)
    # One after the other, alternating: the count goes up by one whichever server answers.
    seen = [httpx.get((first, second)[n % 2].url + "/incr", timeout=20).text for n in range(10)]
    assert seen == [str(n) for n in range(1, 11)]
    total = 300
    results = asyncio.run(_hammer([first.url, second.url], total, 30))
    assert sorted(int(v) for v in results) == list(range(11, total + 11))
    assert redis_server.command("GET", "t:counter:hits") == f"${len(str(total + 10))}\r\n{total + 10}\r\n".encode()


def test_redis_outage_is_an_error_then_recovers(start_server, engine, redis_server):  # noqa: F811
    server = start_server(API_SERVICE, engine, *_backend_options("redis", redis_server),
                          "--shared.timeout=1000")
    with httpx.Client(timeout=20) as http:
        assert http.get(server.url + "/incr").text == "1"
        redis_server.stop()
        failures = []
        for _ in range(3):
            started = time.monotonic()
            response = http.get(server.url + "/incr")
            failures.append((response.status_code, response.text, time.monotonic() - started))
        for status, text, _seconds in failures:
            assert status == 503
            assert f"shared: redis 127.0.0.1:{redis_server.port}/0 unavailable" in text, text
        redis_server.start()   # same port, empty (nothing was saved)
        deadline = time.monotonic() + 15
        answers = []
        while time.monotonic() < deadline:
            response = http.get(server.url + "/incr")
            answers.append(response.status_code)
            if response.status_code == 200:
                break
            time.sleep(0.2)
        assert answers[-1] == 200, answers
        assert response.text == "1"   # the restarted Redis kept nothing: the count starts again
        assert http.get(server.url + "/incr").text == "2"
