"""The json library on every engine: what encode writes, what decode gives, hostile input, the limits,
the same bytes on every runtime, and integers that stay integers across the bridge."""

from __future__ import annotations

import json as pyjson
import threading
import time

import httpx
import pytest

from support import write_service
from petrel.testing import Client

# Every case is a Lua expression; the handler answers one line per case: its result, or "ERR " and
# the error message. No case is a tail call, so errors name the line of the case.
RUNNER = """
function bootstrap() petrel.add_route("/", "run") end
function run(request, response)
    local out = {}
    for i = 1, #CASES do
        local ok, result = pcall(CASES[i])
        out[i] = ok and tostring(result) or ("ERR " .. tostring(result))
    end
    response.content = table.concat(out, "\\30")
    return response
end
"""


def run_cases(engine: tuple[str, str | None], tmp_path, cases: list[str], extra: str = "") -> list[str]:
    """Each case is a Lua expression, at line index + 2 of cases.lua; the handler answers
    tostring() of each one's value, or "ERR " and its error."""
    lines = ["CASES = {"]
    lines += [f"    function() local r = {case} return r end," for case in cases]
    lines.append("}")
    name, runtime = engine
    root = write_service(tmp_path / "svc", {"run.lua": RUNNER, "cases.lua": "\n".join(lines) + "\n",
                                            "extra.lua": extra})
    with Client(root, engine=name, runtime=runtime) as client:
        reply = client.post("/", body="")
        assert reply.status == 200, reply.text
        return reply.body.decode("utf-8", "surrogateescape").split("\x1e")


ENCODE = [
    ("{1, 2, 3}", "[1,2,3]"),
    ("{}", "{}"),
    ("json.empty_array", "[]"),
    ("setmetatable({}, json.array_mt)", "[]"),
    ("setmetatable({1, 2}, json.array_mt)", "[1,2]"),
    ("{a = 1, b = {true, false, json.null}}", '{"a":1,"b":[true,false,null]}'),
    ('{b = 1, a = 2, A = 3, ["\\195\\169"] = 4, [""] = 5}', '{"":5,"A":3,"a":2,"b":1,"\u00e9":4}'),
    ('{[1] = "a", [3] = "c"}', '["a",null,"c"]'),
    ("{[1] = 1, [10] = 2}", "[1,null,null,null,null,null,null,null,null,2]"),
    ("{[1] = 1, [2] = 2, x = 3}", '{"1":1,"2":2,"x":3}'),
    ('{[1.5] = "x", [-2] = "y"}', '{"-2":"y","1.5":"x"}'),
    ("{[0] = 1}", '{"0":1}'),
    ("0.1", "0.1"),
    ("1 / 3", "0.3333333333333333"),
    ("3 / 2 * 2", "3"),
    ("2 ^ 53", "9007199254740992"),
    ("2 ^ 62", "4611686018427387904"),
    ("2 ^ 63", "9.223372036854776e+18"),
    ("-2 ^ 63", "-9223372036854775808"),
    ("1e300", "1e+300"),
    ("-1.5e-7", "-1.5e-07"),
    ("123456.789", "123456.789"),
    ('tonumber("-0.0")', "-0"),
    ("0", "0"),
    ("nil", "null"),
    ("json.null", "null"),
    ("true", "true"),
    ('"a\\"b\\\\c\\n\\t\\r\\b\\f\\1\\31/\\127"', '"a\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/\x7f"'),
    ('"\\240\\159\\152\\128"', '"\U0001F600"'),
    ('{{{}}, {json.empty_array}}', "[[{}],[[]]]"),
    ('json.encode(json.decode("[]"))', '"[]"'),
]


def test_encode(engine, tmp_path):
    got = run_cases(engine, tmp_path, [f"json.encode({lua})" for lua, _ in ENCODE])
    expected = [want for _, want in ENCODE]
    assert got == expected


ENCODE_ERRORS = [
    ("0 / 0", "cannot encode NaN (JSON has neither)"),
    ("math.huge", "cannot encode infinity (JSON has neither)"),
    ("{-math.huge}", "cannot encode -infinity (JSON has neither)"),
    ("(function() local t = {} t.self = t return t end)()", "cannot encode a table that contains itself"),
    ("(function() local t = {} t[1] = {t} return t end)()", "cannot encode a table that contains itself"),
    ("{[true] = 1}", "table keys must be strings or numbers, not booleans"),
    ("{x = {[{}] = 1}}", "table keys must be strings or numbers, not tables"),
    ("{[math.huge] = 1, x = 2}", "cannot encode a table key that is infinite"),
    ('{[1] = "a", ["1"] = "b"}', 'two table keys are both written as "1"'),
    ("{print}", "cannot encode a function"),
    ("{m = metric()}", "cannot encode a metric object"),
    ('shared.dict("d")', "cannot encode a shared_dict object"),
    ("{[1] = 1, [12] = 2}", "cannot encode an excessively sparse array (2 items, largest index 12)"),
    ('"\\255"', "invalid UTF-8 in a string at byte 1"),
    ('{"ok", "a\\192\\128"}', "invalid UTF-8 in a string at byte 2"),         # overlong
    ('"\\237\\160\\128"', "invalid UTF-8 in a string at byte 1"),             # a surrogate
    ('"\\244\\144\\128\\128"', "invalid UTF-8 in a string at byte 1"),        # past U+10FFFF
    ('"ab\\226\\130"', "invalid UTF-8 in a string at byte 3"),                # cut short
    ('{["\\255"] = 1}', "invalid UTF-8 in a string at byte 1"),
    ("(function() local t = {} local c = t for i = 1, 1001 do c[1] = {} c = c[1] end return t end)()",
     "nested deeper than 1000 levels"),
]


def test_encode_refuses(engine, tmp_path):
    cases = [f"json.encode({lua})" for lua, _ in ENCODE_ERRORS] + ["json.encode()"]
    got = run_cases(engine, tmp_path, cases)
    for index, (lua, message) in enumerate(ENCODE_ERRORS):
        # Every error names the line of its case: cases.lua's line index + 2.
        assert got[index] == f"ERR cases.lua:{index + 2}: json.encode: {message}", lua
    assert got[-1] == f"ERR cases.lua:{len(cases) + 1}: bad argument #1 to 'encode' (value expected)"


DESCRIBE = """
function DESCRIBE(v)
    local kind = type(v)
    if kind == "number" then
        return (math.type and math.type(v) or "number") .. ":" .. json.encode(v)
    elseif kind == "table" then
        if v == json.null then return "null" end
        local keys = {}
        for k in pairs(v) do keys[#keys + 1] = k end
        table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
        local out = {}
        for _, k in ipairs(keys) do out[#out + 1] = type(k) .. " " .. tostring(k) .. "=" .. DESCRIBE(v[k]) end
        local array = getmetatable(v) == json.array_mt and "array" or "table"
        return array .. "{" .. table.concat(out, ",") .. "}"
    elseif kind == "string" then
        return "string:" .. v
    end
    return kind .. ":" .. tostring(v)
end
"""


def test_decode(engine, tmp_path):
    cases = [
        ('[1, 1.0, 1.5, -0, 1e2, -7, 0.5E-3]', None),
        ('{"a": {"b": [true, false, null]}, "a2": {}, "e": []}',
         "table{string a=table{string b=array{number 1=boolean:true,number 2=boolean:false,"
         "number 3=null}},string a2=table{},string e=array{}}"),
        ('"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\\\u0000x"',
         "string:\u00e9\U0001F600/\b\f\n\r\t\"\\\x00x"),
        ('{"k": 1, "k": 2}', None),
        ('  \t\r\n"x"  \n', "string:x"),
        ('"\x7f\u00e9"', "string:\x7f\u00e9"),
    ]
    lua = [f'DESCRIBE(json.decode({_lua_string(text)}))' for text, _ in cases]
    lua += ['json.decode("null") == json.null', 'tostring(json.null)',
            'json.encode(json.decode(\'{"b":[1,{"c":[]}],"a":"x"}\'))']
    got = run_cases(engine, tmp_path, lua, DESCRIBE)
    i, f = ("integer", "float") if has_integers(engine) else ("number", "number")
    assert got[0] == (f"array{{number 1={i}:1,number 2={f}:1,number 3={f}:1.5,number 4={i}:0,"
                      f"number 5={f}:100,number 6={i}:-7,number 7={f}:0.0005}}")
    assert got[1] == cases[1][1]
    assert got[2] == cases[2][1]
    assert got[3] == f"table{{string k={i}:2}}"
    assert got[4:6] == [cases[4][1], cases[5][1]]
    assert got[6:] == ["true", "json.null", '{"a":"x","b":[1,{"c":[]}]}']


def has_integers(engine: tuple[str, str | None]) -> bool:
    """Lua 5.3 and later (lark is 5.4) have an integer subtype; LuaJIT, 5.1 and 5.2 only doubles."""
    return engine[1] not in ("luajit", "lua51", "lua52")


def _lua_string(text: str | bytes) -> str:
    """A Lua string literal holding ``text`` (bytes, or the UTF-8 bytes of a str)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return '"' + "".join(f"\\{b}" for b in data) + '"'


def test_huge_numbers(engine, tmp_path):
    texts = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e400", "-1e400",
             "1" * 400, "-0", "-0.0", "1E+2", "4.9e-324", "1e-400"]
    got = run_cases(engine, tmp_path, [f"DESCRIBE(json.decode({_lua_string(t)}))" for t in texts], DESCRIBE)
    if not has_integers(engine):   # numbers are doubles: integers past 2^53 are approximate
        assert got[0:3] == ["number:9.223372036854776e+18", "number:-9223372036854775808",
                            "number:9.223372036854776e+18"]
    else:
        assert got[0:3] == ["integer:9223372036854775807", "integer:-9223372036854775808",
                            "float:9.223372036854776e+18"]
    out_of_range = "json.decode: number out of range at byte 1"
    assert [line.split(": ", 1)[1] for line in got[3:6]] == [out_of_range] * 3
    assert all(line.startswith("ERR cases.lua:") for line in got[3:6])
    i, f = ("integer", "float") if has_integers(engine) else ("number", "number")
    assert got[6:] == [f"{i}:0", f"{f}:-0", f"{f}:100", f"{f}:4.9406564584125e-324", f"{f}:0"]


DECODE_ERRORS = [
    ("[" * 100000, "nested deeper than 1000 levels at byte 1001"),
    ('{"a":' * 1001 + "1" + "}" * 1001, "nested deeper than 1000 levels at byte 5001"),
    (b'"\xff"', "invalid UTF-8 at byte 2"),
    (b'["ok", "\xc0\x80"]', "invalid UTF-8 at byte 9"),
    (b'"\xed\xa0\x80"', "invalid UTF-8 at byte 2"),
    (b'"\xf4\x90\x80\x80"', "invalid UTF-8 at byte 2"),
    (b'"ab\xe2\x82"', "invalid UTF-8 at byte 4"),
    ('"\\ud800"', "lone surrogate \\ud800 (not valid UTF-8) at byte 2"),
    ('"\\udc00"', "lone surrogate \\udc00 (not valid UTF-8) at byte 2"),
    ('"\\ud800\\u0041"', "lone surrogate \\ud800 (not valid UTF-8) at byte 2"),
    ('"\\ud800x"', "lone surrogate \\ud800 (not valid UTF-8) at byte 2"),
    ('"\\u12"', "invalid \\u escape at byte 2"),
    ('"\\x"', "invalid escape at byte 2"),
    ('"a\tb"', "control character in a string at byte 3"),
    ('"abc', "unterminated string at byte 1"),
    ("[1] x", "unexpected character 'x' after the value at byte 5"),
    ("[1]]", "unexpected character ']' after the value at byte 4"),
    ("1 2", "unexpected character '2' after the value at byte 3"),
    ("NaN", "unexpected character 'N' at byte 1"),
    ("-Infinity", "unexpected character 'I' at byte 2"),
    ("[1,]", "unexpected character ']' at byte 4"),
    ("[1 2]", "unexpected character '2' (',' or ']' expected) at byte 4"),
    ('{"a" 1}', "unexpected character '1' (':' expected) at byte 6"),
    ("{1:2}", "unexpected character '1' (a string key expected) at byte 2"),
    ('{"a":1,}', "unexpected character '}' (a string key expected) at byte 8"),
    ("'a'", "unexpected character ''' at byte 1"),
    ("01", "leading zero in a number at byte 1"),
    ("-", "unexpected end of input at byte 2"),
    ("1.", "digits expected after '.' at byte 3"),
    ("1e+", "digits expected in the exponent at byte 3"),
    (".5", "unexpected character '.' at byte 1"),
    ("tru", "unexpected character 't' at byte 1"),
    ("", "unexpected end of input at byte 1"),
    ("   ", "unexpected end of input at byte 4"),
    ("\x00", "unexpected byte 0x00 at byte 1"),
    ('{"a":[1,{"b":"x"', "unexpected end of input (',' or '}' expected) at byte 17"),
]


def test_decode_refuses(engine, tmp_path):
    cases = [f"json.decode({_lua_string(text)})" for text, _ in DECODE_ERRORS]
    cases += ["json.decode(5)", "json.decode()"]
    got = run_cases(engine, tmp_path, cases)
    for index, (text, message) in enumerate(DECODE_ERRORS):
        assert got[index] == f"ERR cases.lua:{index + 2}: json.decode: {message}", text[:40]
    n = len(DECODE_ERRORS)
    assert got[n] == f"ERR cases.lua:{n + 2}: bad argument #1 to 'decode' (string expected, got number)"
    assert got[n + 1] == f"ERR cases.lua:{n + 3}: bad argument #1 to 'decode' (string expected, got nil)"


def test_sentinels_are_read_only(engine, tmp_path):
    cases = ["rawset(json.null, 'x', 1)", "table.insert(json.empty_array, 1)", "json.null.x",
             "(function() json.array_mt.__index = {} end)()", "json.encode(json.null)",
             "(function() json.encode = nil end)()"]
    got = run_cases(engine, tmp_path, cases)
    assert "the table 'json.null' cannot be changed" in got[0]
    assert "the table 'json.empty_array' cannot be changed" in got[1]
    assert got[2] == "nil"
    assert "read-only table 'json.array_mt'" in got[3]
    assert got[4] == "null"
    assert "read-only table 'json'" in got[5]


def test_nested_tables_reach_a_library_intact(engine, tmp_path):
    # lupa hands out a new wrapper per table access; the conversion must not take one table's
    # wrapper for another's (their ids are reused once freed).
    value = ('{items = {{id = 1, tags = {"a", "b"}, owner = {id = 3, login = "u1"}}, '
             '{id = 2, tags = {"c"}, owner = {id = 6, login = "u2"}}, {id = 3, tags = {}, owner = {id = 9}}}}')
    case = (f'(function() local v = {value} local d = shared.dict("nested") d:set("k", v) '
            'return json.encode(d:get("k")) .. " " .. json.encode(v) end)()')
    got, expected = run_cases(engine, tmp_path, [case])[0].split(" ")
    assert got == expected == ('{"items":[{"id":1,"owner":{"id":3,"login":"u1"},"tags":["a","b"]},'
                               '{"id":2,"owner":{"id":6,"login":"u2"},"tags":["c"]},'
                               '{"id":3,"owner":{"id":9},"tags":{}}]}')


# -- every runtime writes the same bytes -------------------------------------------------------------
SAME_BYTES = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/", "h") end\n',
    "h.lua": """
        function h(request, response)
            local value = {
                name = "caf\\195\\169 \\226\\130\\172", list = {1, 2.5, -3, 1e21, 2^60, 1/7, 0.1 + 0.2},
                nested = {deeper = {json.null, true, false, {}, json.empty_array}},
                [10] = "ten", [2.5] = "x", ["quote\\""] = "\\0\\31", sparse = {[1] = 1, [4] = 4},
            }
            local decoded = json.decode(request.content)
            response.content = json.encode(value) .. "\\n" .. json.encode(decoded)
            return response
        end
    """,
}
EXPECTED_BYTES = (
    '{"10":"ten","2.5":"x","list":[1,2.5,-3,1e+21,1152921504606846976,0.14285714285714285,'
    '0.30000000000000004],"name":"caf\u00e9 \u20ac","nested":{"deeper":[null,true,false,{},[]]},'
    '"quote\\"":"\\u0000\\u001f","sparse":[1,null,null,4]}'
    '\n{"a":[1,2.5,1e+100,{}],"b":"\\u0000\u00e9","c":null}').encode()
RUNTIMES = [("lupa", "luajit"), ("lupa", "lua51"), ("lupa", "lua52"), ("lupa", "lua53"), ("lupa", "lua54"),
            ("lark", None)]


def test_every_runtime_writes_the_same_bytes(tmp_path):
    from support import engine_available
    root = write_service(tmp_path / "svc", SAME_BYTES)
    outputs = {}
    for name, runtime in RUNTIMES:
        if engine_available(name, runtime):
            continue
        with Client(root, engine=name, runtime=runtime) as client:
            reply = client.post("/", body='{"c": null, "b": "\\u0000\u00e9", "a": [1, 2.50, 1E100, {}]}')
            assert reply.status == 200, reply.text
            outputs[f"{name}-{runtime}"] = reply.body
    assert outputs and all(body == EXPECTED_BYTES for body in outputs.values()), outputs
    assert pyjson.loads(EXPECTED_BYTES.split(b"\n")[0])["sparse"] == [1, None, None, 4]


# -- through a real server -----------------------------------------------------------------------------
SERVER = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/echo", "echo")
            petrel.add_route("/spin", "spin")
            petrel.add_route("/big", "big")
            petrel.add_route("/bridge", "bridge")
            petrel.add_route("/busy", "busy")
            petrel.add_route("/started", "started")
        end
    """,
    "handlers.lua": """
        function echo(request, response)
            local ok, value = pcall(json.decode, request.content)
            if not ok then
                response.status = 400
                response.content = json.encode({error = value})
                return response
            end
            value.seen = true
            response.headers["content-type"] = "application/json"
            response.content = json.encode(value)
            return response
        end
        function spin(request, response)
            local t = {}
            for i = 1, 1000 do t[i] = {id = i, name = "item " .. i} end
            while true do
                local text = json.encode(t)
                local back = json.decode(text)
            end
        end
        function big(request, response)
            local s = "[" .. string.rep("[1,2,3,4,5,6,7,8],", tonumber(request.args.n)) .. "0]"
            local t = json.decode(s)
            response.content = tostring(#t)
            return response
        end
        function busy(request, response)
            local n = tonumber(request.args.n)
            local t = {}
            for i = 1, n do t[i] = {id = i, name = "item " .. i, tags = {"a", "b"}} end
            shared.dict("flags"):set("busy", n > 1)
            local back = json.decode(json.encode(t))   -- one call each: their own check-ins
            response.content = "done " .. #back
            return response
        end
        function started(request, response)
            response.content = tostring(shared.dict("flags"):get("busy"))
            return response
        end
        function bridge(request, response)
            local m = metric()
            m:register_timer("t")
            m:update(5)
            local c = metric()
            c:register_counter("c")
            c:increment(3)
            local count, total = m:snapshot().count, c:total()
            local kinds = math.type and (math.type(count) .. " " .. math.type(total)) or "numbers"
            response.content = tostring(count) .. " " .. tostring(total) .. " " .. kinds .. " "
                .. json.encode({count = count, total = total, fnv = hash.fnv("a")})
            return response
        end
    """,
}


def test_through_a_server(engine, start_server):
    server = start_server(SERVER, engine)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        reply = client.post("/echo", content='{"items": [1, 2, {"x": null}], "name": "\u00e9"}'.encode())
        assert reply.status_code == 200
        assert reply.content == '{"items":[1,2,{"x":null}],"name":"\u00e9","seen":true}'.encode()
        reply = client.post("/echo", content=b'{"items": [1, 2')
        assert reply.status_code == 400
        assert reply.json()["error"].endswith("json.decode: unexpected end of input (',' or ']' expected) "
                                              "at byte 16")
        reply = client.post("/echo", content=b'"\\ud800"')
        assert reply.status_code == 400 and "lone surrogate" in reply.json()["error"]
        # A decoded array keeps json.array_mt: it stays an array, and its other keys are not written.
        assert client.post("/echo", content=b"[]").content == b"[]"
        reply = client.get("/bridge")
        assert reply.status_code == 200
        kinds = "integer integer" if has_integers(engine) else "numbers"
        assert reply.text == f'1 3 {kinds} {{"count":1,"fnv":3826002220,"total":3}}'


def test_limits_stop_an_endless_encode(engine, start_server):
    server = start_server(SERVER, engine, "--lua.timeout=500")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/spin").status_code == 503, server.log()[-6000:]
        line = server.wait_for_log(r"handler 'spin' failed: stopped at lua.timeout \(500 ms\) at (\S+)")
        if engine[0] == "lupa":   # the handler's line, not json.lua's (lark: "?" when its codec stops)
            assert line.group(1) in ("handlers.lua:18", "handlers.lua:19")
        assert client.post("/echo", content=b'{"a": 1}').content == b'{"a":1,"seen":true}'


def test_limits_stop_a_decode_past_the_memory_limit(engine, start_server):
    server = start_server(SERVER, engine, "--lua.timeout=60000", "--lua.max-memory=16")
    with httpx.Client(base_url=server.url, timeout=90) as client:
        # lark's tables take several times the memory of LuaJIT's or Lua 5.4's
        items = 50000 if engine[0] == "lark" else 200000
        assert client.get(f"/big?n={items}").status_code == 500
        server.wait_for_log(r"handler 'big' failed: stopped at lua.max-memory \(16 MiB\) at handlers.lua:24")
        assert client.post("/echo", content=b'{"a": 1}').content == b'{"a":1,"seen":true}'


def test_a_long_encode_lets_other_requests_through(engine, start_server):
    """json work ends its time slices: a request that arrives during a long run of encodes and
    decodes is answered before that run ends (the order of the answers, no timing)."""
    server = start_server(SERVER, engine)
    finished: list[str] = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.get("/busy?n=1").text == "done 1"   # warm: the state and the code exist
        items = 100000 if engine[0] == "lupa" else 50000

        def busy() -> None:
            with httpx.Client(base_url=server.url, timeout=60) as other:
                assert other.get(f"/busy?n={items}").text == f"done {items}"
            finished.append("busy")
        thread = threading.Thread(target=busy)
        thread.start()
        try:
            for _ in range(600):   # until the long request is in its handler (bounded)
                if client.get("/started").text == "true":
                    break
                time.sleep(0.01)
            reply = client.post("/echo", content=b'{"quick": true}')
            finished.append("echo")
            assert reply.content == b'{"quick":true,"seen":true}'
        finally:
            thread.join(60)
    assert finished == ["echo", "busy"]


# -- lark's codec against json.lua ---------------------------------------------------------------------
def _random_json(rng, depth: int = 0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 7, 2**31, 2**53 + 1, 2**63 - 1, -2**63, 10**20, rng.randrange(-10**6, 10**6)])
    if kind == 2:
        return rng.choice([0.5, -0.0, 1e-7, 1e300, 2.5e-320, 1 / 3, 123456.789, float(rng.randrange(1000)) / 8])
    if kind in (3, 4, 5):
        alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\x00', '\x1f', '\x7f', '\u00e9', '\u20ac', '\U0001F600']
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
    if kind in (6, 7):
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(rng.randrange(50)): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _mutations(rng, text: str) -> list[str]:
    out = [text]
    for _ in range(3):
        if not text:
            break
        i = rng.randrange(len(text))
        out.append(text[:i] + rng.choice(['"', ',', ']', '}', '\\', '\\ud800', 'x', '\x01', '1e999', '']) + text[i + 1:])
    return out


def test_lark_codec_agrees_with_json_lua():
    """lark_json.py gives json.lua's result or leaves the value to it, on generated texts and
    mutations of them (bytes and errors are json.lua's on every engine)."""
    import random
    from petrel.engines import lark_json
    from petrel.lua_interp import Interpreter
    state = Interpreter().new_state()
    helpers = state.call(state.load("""
        return {checkin = function() end,
                readonly = function(t) local mt = {} return setmetatable({}, mt), t, mt end}""", "=h"))[0]
    with open(lark_json.__file__.replace("engines/lark_json.py", "libs/json.lua"), "rb") as handle:
        chunk = handle.read()
    lua_json = state.call(state.load(chunk, "=petrel json"), helpers)[0]
    native = lark_json.make(state.runtime, lua_json.rawget("null"), lua_json.rawget("empty_array"),
                            lua_json.rawget("array_mt"))
    lua_encode, lua_decode = lua_json.rawget("encode"), lua_json.rawget("decode")
    protected = state.call(state.load("return function(f, ...) return pcall(f, ...) end", "=p"))[0]
    rng = random.Random(1234)
    compared = left = 0
    for _ in range(300):
        document = pyjson.dumps(_random_json(rng), ensure_ascii=rng.random() < 0.5)
        for text in _mutations(rng, document):
            lua_text = text.encode("utf-8", "surrogatepass").decode("latin-1")
            lua_ok, *lua_value = state.call(protected, lua_decode, lua_text)
            ours = native.rawget("decode")(lua_text)
            if not ours[0]:   # left to json.lua only where json.lua refuses the text
                assert not lua_ok, text
                left += 1
                continue
            assert lua_ok, (text, lua_value)
            compared += 1
            by_lua = state.call(protected, lua_encode, lua_value[0])
            assert by_lua[0], (text, by_lua)
            assert native.rawget("encode")(lua_value[0]) == (True, by_lua[1]), text
            assert native.rawget("encode")(ours[1]) == (True, by_lua[1]), text
    assert compared > 300 and left > 100
