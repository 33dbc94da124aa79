"""Builtin libraries (metric, base64, hash, print/LOG_*) and native libraries, on every engine."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from support import EXAMPLES

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/run", "run")
        end
    """,
    "run.lua": """
        local tests = {}

        function tests.counter()
            local c = metric()
            c:register_counter("hits")
            c:increment()
            c:increment(4)
            c:decrement()
            local again = metric()
            again:get_counter("hits")
            local total = again:total()
            again:reset()
            return total .. " " .. c:total()
        end

        function tests.meter()
            local m = metric()
            m:register_meter("events")
            m:increment()
            m:increment(2)
            return tostring(m:total())
        end

        function tests.timer()
            local t = metric()
            t:register_timer("latency")
            t:update(10)
            t:update(30)
            t:start_duration()
            local first = t:update_duration()
            local last = t:finish_duration()
            local s = t:snapshot()
            return s.count .. " " .. s.min .. " " .. s.max .. " " .. tostring(first >= 0 and last >= 0)
        end

        function tests.get_missing()
            local m = metric()
            local ok, err = pcall(m.get_counter, m, "nope")
            return tostring(err)
        end

        function tests.wrong_kind()
            local m = metric()
            m:register_timer("a_timer")
            local ok, err = pcall(m.increment, m)
            return tostring(err)
        end

        function tests.kind_clash()
            local m = metric()
            m:register_counter("clash")
            local ok, err = pcall(m.register_meter, m, "clash")
            return tostring(err)
        end

        function tests.base64()
            local data = request_content
            local encoded = base64.encode(data)
            return encoded .. " " .. tostring(base64.decode(encoded) == data)
        end

        function tests.base64_invalid()
            local ok, err = pcall(base64.decode, "***")
            return tostring(ok) .. " " .. tostring(err)
        end

        function tests.hash()
            local data = request_content
            return hash.md5(data) .. " " .. hash.sha1(data) .. " " .. string.format("%d", hash.fnv(data))
        end

        function tests.bad_argument()
            local ok, err = pcall(function() return hash.md5() end)
            return tostring(err)
        end

        function tests.print()
            print(LOG_WARNING, "warned", 42, true, nil)
            print("plain info")
            print(LOG_DEBUG, {1, 2, name = "x", nested = {a = 1}})
            print(LOG_ERR, "an error line")
            return "printed"
        end

        function run(request, response)
            request_content = request.content
            response.content = tests[request.args.t]()
            return response
        end
    """,
}


@pytest.fixture
def server(start_server, engine):
    return start_server(SERVICE, engine)


def run(server, name, content=b""):
    reply = httpx.post(f"{server.url}/run", params={"t": name}, content=content)
    assert reply.status_code == 200, server.log()
    return reply.text


def test_counter(server):
    assert run(server, "counter") == "4 0"
    # The counter was reset by the previous request; it is shared by all states.
    assert run(server, "counter") == "4 0"


def test_meter(server):
    assert run(server, "meter") == "3"
    assert run(server, "meter") == "6"


def test_timer(server):
    count, low, high, ok = run(server, "timer").split()
    assert float(count) == 4 and float(low) >= 0 and float(high) == 30 and ok == "true"


def test_metric_errors(server):
    assert "no counter named 'nope'" in run(server, "get_missing")
    assert "'increment' needs a counter or meter, called on a timer" in run(server, "wrong_kind")
    assert "metric 'clash' is a counter, not a meter" in run(server, "kind_clash")


def test_base64(server):
    data = bytes(range(256))
    encoded, same = run(server, "base64", data).split()
    assert encoded == base64.b64encode(data).decode() and same == "true"
    ok, message = run(server, "base64_invalid").split(" ", 1)
    assert ok == "false" and "base64.decode: invalid input" in message


def fnv1a32(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) % 2**32
    return value


def test_hash(server):
    data = b"The quick brown fox jumps over the lazy dog"
    md5, sha1, fnv = run(server, "hash", data).split()
    assert md5 == hashlib.md5(data).hexdigest() == "9e107d9d372bb6826bd81d3542a419d6"
    assert sha1 == hashlib.sha1(data).hexdigest()
    assert int(fnv) == fnv1a32(data) == 0x048FFF90


def test_bad_argument_message(server):
    assert "bad argument #1 to 'md5' (string expected, got nil)" in run(server, "bad_argument")


def test_print_levels_and_tables(server):
    assert run(server, "print") == "printed"
    server.wait_for_log(r"\| lua \| warning \| warned\t42\ttrue\tnil")
    server.wait_for_log(r"\| lua \| info \| plain info")
    server.wait_for_log(r'\| lua \| debug \| \{1, 2, name="x", nested=\{a=1\}\}')
    server.wait_for_log(r"\| lua \| err \| an error line")


def test_print_respects_log_level(start_server, engine):
    server = start_server(SERVICE, engine, "--log.level=4")
    assert run(server, "print") == "printed"
    server.wait_for_log(r"\| lua \| warning \| warned")
    server.wait_for_log(r"\| lua \| err \| an error line")
    log = server.log()
    assert "plain info" not in log and "nested" not in log


def test_native_library(start_server, engine):
    server = start_server(EXAMPLES / "native-lib" / "lua", engine,
                          config=EXAMPLES / "native-lib" / "petrel.conf")
    with httpx.Client(base_url=server.url) as client:
        assert client.post("/kv/colour", content=b"blue").text == "stored 1"
        assert client.get("/kv/colour").text == "blue"
        assert client.get("/kv/nothing").status_code == 404
        assert client.get("/kv/_bucket").text == "ann,bob ann=42"
        assert "no key 'nobody' in bucket 'users'" in client.get("/kv/_missing").text
        assert client.get("/kv/_path").text.endswith("examples/native-lib/libs")
    log = server.log()
    assert "registered native library 'kvstore'" in log
    assert re.search(r"libraries: petrel, metric, base64, hash, log.*, kvstore\n", log)
    assert server.stop() == 0
    assert "kvstore unloaded with" in server.log()


def test_load_lib_missing_is_a_startup_error(start_server, engine):
    service = {"b.lua": """
        function bootstrap()
            petrel.load_lib("does_not_exist")
        end
    """}
    server = start_server(service, engine, expect_ready=False)
    assert server.process.wait(30) == 1
    assert "load_lib: library 'does_not_exist' not found in lib search path" in server.log()
