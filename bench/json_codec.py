"""What json.encode and json.decode cost on each engine, and what the alternatives would cost.

One document, an API-like list of N items (id, name with a non-ASCII letter, tags, a float score, a
boolean, a nested object, a null), encoded and decoded over and over. Per runtime:

  json.lua, handler   petrel's json library as a handler calls it (in a real engine state, the sandbox
                      and its check-ins; on lark this is lark_json.py, Python's json module on
                      lua_interp's tables)
  json.lua, bare      the same Lua code in a plain state, no sandbox, no check-ins
  dkjson, bare        dkjson 2.6, a pure-Lua JSON module (Debian's lua-dkjson, if installed), same state
  python json+bridge  the other design: the table converted to Python by the engine's own conversion,
                      walked as the shared library does and written by Python's C json module; read
                      back by json.loads and the engine's conversion to Lua (lupa only; on lark this
                      design is what "handler" measures)

Usage: python bench/json_codec.py [--items N] [--seconds S] [--runtime luajit lua54 ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

import anyio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.config import load_config  # noqa: E402
from petrel.engines import get_engine  # noqa: E402
from petrel.engines.base import SourceFile  # noqa: E402
from petrel.libs import LibraryContext, LibraryRegistry  # noqa: E402
from petrel.messages import Request  # noqa: E402
from petrel.metrics import MetricsRegistry  # noqa: E402
from petrel.store import codec  # noqa: E402

JSON_LUA = os.path.join(os.path.dirname(__file__), "..", "petrel", "libs", "json.lua")
DKJSON = "/usr/share/lua/5.1/dkjson.lua"

# Builds the document in Lua (so every codec encodes the same table) and times a codec on it.
DOCUMENT = """
function make_document(n, null)
    local items = {}
    for i = 1, n do
        items[i] = { id = i, name = "item \\195\\169 " .. i, tags = { "a", "b", "c" }, score = i / 7,
                     active = i % 2 == 0, owner = { id = i * 3, login = "user" .. i }, note = null }
    end
    return { items = items, count = n, next = null }
end
function time_codec(encode, decode, value, seconds)
    local text = encode(value)
    local clock = os.clock
    local function per_call(f, arg)
        local n, started = 0, clock()
        repeat
            for _ = 1, 5 do f(arg) end
            n = n + 5
        until clock() - started >= seconds
        return (clock() - started) / n
    end
    return per_call(encode, value), per_call(decode, text), #text
end
"""

HANDLER = DOCUMENT + """
function bench(request, response)
    local value = make_document(tonumber(request.args.n), json.null)
    local e, d, size = time_codec(json.encode, json.decode, value, tonumber(request.args.s))
    response.content = e .. " " .. d .. " " .. size
    return response
end
"""


def _request(n: int, seconds: float) -> Request:
    return Request(method="GET", path="/", query=f"n={n}&s={seconds}", http_version="1.1", proto="http",
                   host="localhost", headers=[("host", "localhost")], content=b"", remote_addr="127.0.0.1",
                   remote_port=1, timestamp=time.time())


def engine_and_state(engine_name: str, runtime: str | None):
    config = load_config(None, [("lua.runtime", runtime or "luajit"), ("lua.root", os.path.dirname(os.path.abspath(__file__)))])
    ctx = LibraryContext(config=config, logger=logging.getLogger("bench"), metrics=MetricsRegistry())
    engine = get_engine(engine_name)(config, LibraryRegistry(ctx))
    return engine, engine.new_state([SourceFile("bench.lua", "bench.lua", HANDLER.encode())])


def in_handler(engine_name: str, runtime: str | None, n: int, seconds: float) -> tuple[float, float, int]:
    engine, state = engine_and_state(engine_name, runtime)

    async def run() -> bytes:
        response = await engine.handle(state, "bench", _request(n, seconds))
        return response.body
    e, d, size = anyio.run(run).split()
    return float(e), float(d), int(size)


def bare_lupa(runtime: str, n: int, seconds: float) -> dict[str, tuple[float, float, int]]:
    import importlib
    module = importlib.import_module({"luajit": "lupa.luajit21"}.get(runtime, f"lupa.{runtime}"))
    lua = module.LuaRuntime(encoding=None)
    lua.execute(DOCUMENT.encode())
    g = lua.globals()
    results = {}
    # readonly hands back (proxy, fields, metatable): a stand-in without the sandbox.
    helpers = lua.execute(b"""
        return {checkin = function() end,
                readonly = function(t) local mt = {} return setmetatable({}, mt), t, mt end}""")
    with open(JSON_LUA, "rb") as handle:
        petrel_json = (g[b"loadstring"] or g[b"load"])(handle.read(), b"=json.lua")(helpers)
    doc = g[b"make_document"](n, petrel_json[b"null"])
    results["json.lua, bare"] = tuple(g[b"time_codec"](petrel_json[b"encode"], petrel_json[b"decode"], doc, seconds))
    if os.path.exists(DKJSON):
        with open(DKJSON, "rb") as handle:
            dkjson = (g[b"loadstring"] or g[b"load"])(handle.read(), b"=dkjson.lua")()
        doc = g[b"make_document"](n, dkjson[b"null"])
        results["dkjson, bare"] = tuple(g[b"time_codec"](dkjson[b"encode"], dkjson[b"decode"], doc, seconds))
    return results


def bridge_lupa(runtime: str, n: int, seconds: float) -> tuple[float, float, int]:
    """The table through the engine's own conversion to Python and json.dumps, and back."""
    engine, state = engine_and_state("lupa", runtime)
    lua = state.runtime
    lua.execute(DOCUMENT.encode())
    doc = lua.globals()[b"make_document"](n, None)

    def encode() -> bytes:
        # the table to dicts (the engine's conversion), then the shared library's walk and json.dumps
        return codec.table_to_json(engine._to_python(state, doc)).encode()

    text = encode()

    def decode() -> object:
        return engine._to_lua(state, json.loads(text))

    return _per_call(encode, seconds), _per_call(decode, seconds), len(text)


def bare_lark(n: int, seconds: float) -> tuple[float, float, int]:
    from petrel.lua_interp import Interpreter
    state = Interpreter().new_state()
    state.call(state.load(DOCUMENT, "=doc"))
    helpers = state.call(state.load("""
        return {checkin = function() end,
                readonly = function(t) local mt = {} return setmetatable({}, mt), t, mt end}""", "=h"))[0]
    with open(JSON_LUA, "rb") as handle:
        petrel_json = state.call(state.load(handle.read(), "=json.lua"), helpers)[0]
    make = state.call(state.load("return make_document", "=m"))[0]
    time_codec = state.call(state.load("return time_codec", "=t"))[0]
    doc = state.call(make, n, petrel_json.rawget("null"))[0]
    e, d, size = state.call(time_codec, petrel_json.rawget("encode"), petrel_json.rawget("decode"), doc, seconds)
    return e, d, size


def _per_call(f, seconds: float) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        f()
        count += 1
    return (time.perf_counter() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    parser.add_argument("--runtime", nargs="*", default=["luajit", "lua54", "lark"])
    args = parser.parse_args()
    rows = []
    for runtime in args.runtime:
        if runtime == "lark":
            rows.append(("lark", "json.lua, handler", in_handler("lark", None, args.items, args.seconds)))
            rows.append(("lark", "json.lua, bare", bare_lark(args.items, args.seconds)))
            continue
        rows.append((runtime, "json.lua, handler", in_handler("lupa", runtime, args.items, args.seconds)))
        for name, figures in bare_lupa(runtime, args.items, args.seconds).items():
            rows.append((runtime, name, figures))
        rows.append((runtime, "python json+bridge", bridge_lupa(runtime, args.items, args.seconds)))
    print(f"document: {args.items} items; times per call, MB/s of JSON text")
    print(f"{'runtime':8} {'codec':20} {'encode ms':>10} {'MB/s':>7} {'decode ms':>10} {'MB/s':>7} {'bytes':>8}")
    for runtime, name, (e, d, size) in rows:
        print(f"{runtime:8} {name:20} {e * 1000:10.2f} {size / e / 1e6:7.1f} {d * 1000:10.2f} "
              f"{size / d / 1e6:7.1f} {size:8d}")


if __name__ == "__main__":
    main()
