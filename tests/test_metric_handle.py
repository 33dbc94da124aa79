"""The metric handle (petrel/libs/metric.lua) behaves as a library object on every engine: its
tostring, its refusals, argument errors at the handler's line, and a state's memory of the
metrics it bound keeping kinds and names apart."""

from __future__ import annotations

import httpx
import pytest

RUN = """
local tests = {}

local function err(f, ...)
    local ok, message = pcall(f, ...)
    return tostring(ok) .. " " .. tostring(message)
end

function tests.tostring()
    local a, b = metric(), metric()
    return tostring(a) .. " " .. tostring(b) .. " " .. tostring(next(a)) .. " " .. tostring(rawequal(a, b))
end

function tests.bad_self()
    local m = metric()
    return err(m.increment, {}) .. "|" .. err(m.register_counter, "x", "name")
end

function tests.set_field()
    return err(function() local m = metric(); m.count = 1 end)
end

function tests.unregistered()
    local m = metric()
    return err(m.total, m) .. "|" .. err(m.update, m, 1)
end

function tests.wrong_kind()
    local m = metric()
    m:register_counter("wk_counter")
    return err(m.snapshot, m) .. "|" .. err(m.rates, m)
end

function tests.arg_name()
    local m = metric()
    m:register_counter(nil)   -- ARG_NAME
end

function tests.arg_count()
    local m = metric()
    m:register_counter("arg_count")
    m:increment("many")   -- ARG_COUNT
end

function tests.missing()
    local m = metric()
    m:get_meter("never_made")   -- MISSING
end

function tests.kinds_apart()
    local c = metric()
    c:register_counter("kinds_apart")
    c:increment(2)
    local m = metric()
    local clash = err(m.register_meter, m, "kinds_apart")
    local again = metric()
    again:get_counter("kinds_apart")
    return clash .. "|" .. again:total()
end

function tests.number_name()
    local a = metric()
    a:register_counter(7)
    a:increment()
    local b = metric()
    b:get_counter("7")
    return tostring(b:total())
end

function tests.rebind()
    local m = metric()
    m:register_counter("rebind_c")
    m:increment(5)
    m:register_timer("rebind_t")
    m:update(12)
    local s = m:snapshot()
    m:get_counter("rebind_c")
    return m:total() .. " " .. s.count .. " " .. string.format("%g", s.max)
end

function tests.duration_order()
    local t = metric()
    t:register_timer("duration_order")
    return err(t.update_duration, t) .. "|" .. err(t.finish_duration, t)
end

function run(request, response)
    response.content = tests[request.args.t]()
    return response
end
"""

SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/run", "run") end\n',
    "run.lua": RUN,
}


def line_of(marker: str) -> int:
    return next(i for i, line in enumerate(RUN.split("\n"), 1) if marker in line)


@pytest.fixture
def server(start_server, engine):
    return start_server(SERVICE, engine)


def run(server, name, status=200):
    reply = httpx.get(f"{server.url}/run", params={"t": name})
    assert reply.status_code == status, server.log()
    return reply.text


def test_handles_are_objects(server):
    text = run(server, "tostring").split(" ")
    # "metric: N metric: M nil false": numbered as other library objects, no field to see
    assert text[0] == "metric:" and text[2] == "metric:" and int(text[3]) == int(text[1]) + 1
    assert text[4:] == ["nil", "false"]
    assert run(server, "bad_self") == ("false calling 'increment' on bad self|"
                                       "false calling 'register_counter' on bad self")
    assert "attempt to set field 'count' of a metric object" in run(server, "set_field")


def test_kind_messages(server):
    assert run(server, "unregistered") == (
        "false 'total' needs a counter or meter, called on an unregistered metric|"
        "false 'update' needs a timer, called on an unregistered metric")
    assert run(server, "wrong_kind") == ("false 'snapshot' needs a timer, called on a counter|"
                                         "false 'rates' needs a meter, called on a counter")
    assert run(server, "duration_order") == (
        "false 'update_duration' called before 'start_duration'|"
        "false 'update_duration' called before 'start_duration'")


@pytest.mark.parametrize("name, marker, message", [
    ("arg_name", "ARG_NAME", "bad argument #1 to 'register_counter' (string expected, got nil)"),
    ("arg_count", "ARG_COUNT", "bad argument #1 to 'increment' (number expected, got string)"),
    ("missing", "MISSING", "no meter named 'never_made'"),
])
def test_errors_name_the_handler_line(server, name, marker, message):
    run(server, name, status=500)
    assert f"run.lua:{line_of(marker)}: {message}" in server.log()


def test_a_state_remembers_bindings_by_kind_and_name(server):
    # Every request binds again; the second time from the state's memory, with the same answers.
    for round_ in (1, 2):
        clash, total = run(server, "kinds_apart").split("|")
        assert clash == "false metric 'kinds_apart' is a counter, not a meter"
        assert int(total) == 2 * round_
        assert run(server, "number_name") == str(round_)
        assert run(server, "rebind") == f"{5 * round_} {round_} 12"


def test_many_names_past_what_a_state_remembers(start_server, engine):
    # Past the names a state keeps (1000 of a kind), binding still finds the same metric.
    server = start_server({
        "bootstrap.lua": 'function bootstrap() petrel.add_route("/many", "many") end\n',
        "many.lua": """
            function many(request, response)
                for i = 1, 1100 do
                    local m = metric()
                    m:register_counter("many." .. i)
                    m:increment(i)
                end
                local last = metric()
                last:get_counter("many.1100")
                response.content = tostring(last:total())
                return response
            end
        """,
    }, engine)
    assert [httpx.get(f"{server.url}/many").text for _ in range(2)] == ["1100", "2200"]
