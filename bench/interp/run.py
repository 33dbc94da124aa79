"""Benchmark: petrel.lua_interp vs the same algorithm in plain Python vs lupa's Lua 5.4.

Run from the repository root: python bench/interp/run.py [--quick] [--repeat N]
Prints a Markdown table (best of N runs per cell; default N=5, 1 with --quick) that the
README can quote as it is: seconds for this interpreter ("lark"), plain Python and lupa's
Lua 5.4, the ratios lark/python and lark/lupa, and the geometric mean of each ratio.
Timings on a shared machine are noisy: compare best-of runs, or count instructions
(valgrind --tool=callgrind) for A/B decisions.
"""
from __future__ import annotations

import math
import sys
import time

sys.setrecursionlimit(10000)

from petrel.lua_interp import Interpreter  # noqa: E402

QUICK = "--quick" in sys.argv
REPEAT = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5

CASES = []


def case(name, lua_src, py_fn, arg):
    CASES.append((name, lua_src, py_fn, arg))


# -- fib recursion
def py_fib(n):
    if n < 2:
        return n
    return py_fib(n - 1) + py_fib(n - 2)


case("fib(25)", """
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
return function(n) return fib(n) end
""", py_fib, 25)


# -- numeric loops
def py_loops(n):
    s = 0
    for i in range(1, n + 1):
        s = s + i * 2 % 7
    j = 0
    while j < n:
        j = j + 1
    return s + j


case("loops(1e6)", """
return function(n)
  local s = 0
  for i = 1, n do s = s + i * 2 % 7 end
  local j = 0
  while j < n do j = j + 1 end
  return s + j
end
""", py_loops, 1000000)


# -- string building with table.concat
def py_strings(n):
    parts = []
    for i in range(1, n + 1):
        parts.append("item" + str(i))
    s = ",".join(parts)
    return len(s)


case("strings(2e5)", """
return function(n)
  local parts = {}
  for i = 1, n do parts[#parts + 1] = "item" .. i end
  local s = table.concat(parts, ",")
  return #s
end
""", py_strings, 200000)


# -- table insert and read
def py_tables(n):
    t = []
    for i in range(n):
        t.append(i)
    s = 0
    for i in range(n):
        s += t[i]
    d = {}
    for i in range(n):
        d["k" + str(i % 1000)] = i
    return s + len(d)


case("tables(3e5)", """
return function(n)
  local t = {}
  for i = 1, n do table.insert(t, i - 1) end
  local s = 0
  for i = 1, n do s = s + t[i] end
  local d = {}
  for i = 0, n - 1 do d["k" .. (i % 1000)] = i end
  local c = 0
  for _ in pairs(d) do c = c + 1 end
  return s + c
end
""", py_tables, 300000)


# -- method calls on objects with metatables
class PyPoint:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, o):
        return PyPoint(self.x + o.x, self.y + o.y)

    def norm1(self):
        return abs(self.x) + abs(self.y)


def py_methods(n):
    p = PyPoint(0, 0)
    d = PyPoint(1, 2)
    s = 0
    for i in range(n):
        p = p.add(d)
        s += p.norm1()
    return s


case("methods(2e5)", """
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:norm1() return math.abs(self.x) + math.abs(self.y) end
return function(n)
  local p, d, s = Point.new(0, 0), Point.new(1, 2), 0
  for i = 1, n do p = p:add(d); s = s + p:norm1() end
  return s
end
""", py_methods, 200000)


# -- closures
def py_closures(n):
    def make_counter():
        c = 0

        def inc(k):
            nonlocal c
            c += k
            return c
        return inc
    total = 0
    for i in range(n // 100):
        f = make_counter()
        for j in range(100):
            total += f(j)
    return total


case("closures(3e5)", """
local function make_counter()
  local c = 0
  return function(k) c = c + k; return c end
end
return function(n)
  local total = 0
  for i = 1, n // 100 do
    local f = make_counter()
    for j = 0, 99 do total = total + f(j) end
  end
  return total
end
""", py_closures, 300000)


def best(fn, arg):
    t = math.inf
    r = None
    for _ in range(1 if QUICK else REPEAT):
        t0 = time.perf_counter()
        r = fn(arg)
        t = min(t, time.perf_counter() - t0)
    return t, r


def _gmean(xs):
    xs = [x for x in xs if x == x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main():
    interp = Interpreter()
    state = interp.new_state()
    try:
        from lupa import lua54
        lupa_rt = lua54.LuaRuntime()
    except ImportError:
        lupa_rt = None
    vs_py, vs_lupa = [], []
    print("| case | lark s | python s | lupa s | lark/python | lark/lupa |")
    print("|:--|--:|--:|--:|--:|--:|")
    for name, src, py_fn, arg in CASES:
        fn = state.call(state.load(src, "=" + name))[0]
        t_lark, r1 = best(lambda a: state.call(fn, a)[0], arg)
        t_py, r2 = best(py_fn, arg)
        if lupa_rt is not None:
            lfn = lupa_rt.execute(src)
            t_lupa, r3 = best(lfn, arg)
        else:
            t_lupa, r3 = float("nan"), None
        ok = "" if r1 == r2 else "  (results differ: %r vs %r)" % (r1, r2)
        vs_py.append(t_lark / t_py)
        vs_lupa.append(t_lark / t_lupa)
        print("| %s | %.4f | %.4f | %.4f | %.2f | %.1f |%s" % (name, t_lark, t_py, t_lupa, t_lark / t_py,
                                                            t_lark / t_lupa, ok))
    print("| geometric mean | | | | %.2f | %.1f |" % (_gmean(vs_py), _gmean(vs_lupa)))
    print()
    print("python %s, best of %d" % (sys.version.split()[0], 1 if QUICK else REPEAT))


if __name__ == "__main__":
    main()
