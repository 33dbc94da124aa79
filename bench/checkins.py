"""What the check-ins cost: Lua loops with and without them, per engine and runtime.

The lupa engine writes a counter check into the source (petrel/engines/instrument.py); lark's
compiler has its interrupt counter, here with and without the sandbox's checkin attached. Each case
runs the same Lua function, best of --repeat runs, in one process, so the ratios are comparable.

  empty loop      for i = 1, N do end                       (the worst case: nothing but the check)
  sum loop        s = s + i * 2 % 7
  calls           a small function called N times          (function-entry check)
  string work     t[#t+1] = tostring(i) .. "x", table.concat

Usage: python bench/checkins.py [-n N] [--repeat R]
For the getting-started handler, compare `python bench/engine_overhead.py` against the same
command on a commit before the check-ins (README, Performance).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from petrel.engines.base import read_sandbox  # noqa: E402
from petrel.engines.instrument import instrument  # noqa: E402

CASES = {
    "empty loop": "return function(n) for i = 1, n do end end",
    "sum loop": "return function(n) local s = 0 for i = 1, n do s = s + i * 2 % 7 end return s end",
    "calls": "local function f(x) return x + 1 end\n"
             "return function(n) local s = 0 for i = 1, n do s = f(s) end return s end",
    "string work": "return function(n) local t = {} for i = 1, math.floor(n / 20) do t[#t + 1] = tostring(i) .. 'x' end"
                   " return #table.concat(t) end",
}
CASES_51 = CASES


def best(fn, n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - started)
    return min(times)


def lupa_case(runtime: str, source: str, checked: bool):
    module = importlib.import_module({"luajit": "lupa.luajit21"}.get(runtime, f"lupa.{runtime}"))
    lua = module.LuaRuntime(encoding=None)
    if not checked:
        return lua.execute(source.encode())
    hooks = lua.table_from({b"read_module": None})
    fns = lua.execute(read_sandbox(), hooks, 0, 0)
    text = instrument(source, "bench", goto_keyword=runtime != "lua51").encode()
    loader = lua.globals()[b"loadstring"] or lua.globals()[b"load"]
    return loader(text)(fns[b"checkin"])()


def lark_case(source: str, checked: bool):
    from petrel.lua_interp import Interpreter
    state = Interpreter().new_state()
    fn = state.call(state.load(source, "=bench"))[0]
    if checked:
        hooks = state.table({"threaded": True})
        fns = state.call(state.load(read_sandbox(), "=petrel sandbox"), hooks, 0, 0)[0]
        checkin = fns["checkin"]
        state.set_interrupt(lambda: state.call(checkin), 1000)
    return lambda n: state.call(fn, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| engine | case | without check-ins | with check-ins | ratio |")
    print("|:--|:--|--:|--:|--:|")
    for runtime in ("luajit", "lua51", "lua54"):
        try:
            importlib.import_module({"luajit": "lupa.luajit21"}.get(runtime, f"lupa.{runtime}"))
        except ImportError:
            print(f"| lupa {runtime} | skipped: not installed | | | |")
            continue
        for name, source in (CASES_51 if runtime == "lua51" else CASES).items():
            plain = best(lupa_case(runtime, source, False), args.n, args.repeat)
            checked = best(lupa_case(runtime, source, True), args.n, args.repeat)
            print(f"| lupa {runtime} | {name} | {plain * 1e3:.1f} ms | {checked * 1e3:.1f} ms | "
                  f"{checked / plain:.2f}x |")
    n = max(1, args.n // 20)
    for name, source in CASES.items():
        plain = best(lark_case(source, False), n, args.repeat)
        checked = best(lark_case(source, True), n, args.repeat)
        print(f"| lark (n/20) | {name} | {plain * 1e3:.1f} ms | {checked * 1e3:.1f} ms | "
              f"{checked / plain:.2f}x |")


if __name__ == "__main__":
    main()
