"""The lua command's require, package, coroutine and debug; a plain state gets none of them."""
from __future__ import annotations

import subprocess
import sys

from petrel.lua_interp import Interpreter

SCRIPT = r'''
package.path = "./?.lua"
local m = require "mymod"
print(m.name, package.loaded.mymod == m, select(2, require "mymod"))
package.preload.pre = function(name, extra) return {n = name, e = extra} end
local p = require "pre"
print(p.n, p.e)
print(pcall(require, "nosuchmod"))
print(package.searchpath("mymod", "./?.lua"))
local co = coroutine.create(function(a)
  local ok, v = pcall(function() return coroutine.yield(a + 1) end)
  local t = setmetatable({}, {__index = function(_, k) return coroutine.yield(k) end})
  local w = t.key
  for i in function(_, i) i = (i or 0) + 1; if i <= 2 then coroutine.yield("it" .. i); return i end end do end
  return ok, v, w
end)
print(coroutine.resume(co, 1))
print(coroutine.resume(co, "v"))
print(coroutine.resume(co, "w"))
print(coroutine.resume(co))
print(coroutine.resume(co))
print(coroutine.resume(co), coroutine.status(co))
print(coroutine.resume(co))
print(type(co), coroutine.isyieldable(), coroutine.status(coroutine.running()))
print(pcall(coroutine.yield, 1))
local g = coroutine.wrap(function() error({code = 7}) end)
local ok, e = pcall(g)
print(ok, type(e), e.code)
print(debug.getmetatable("").__index == string, debug.getinfo(1).currentline)
print(type(debug.traceback("x")), string.find(debug.traceback("x"), "^x\nstack traceback:") ~= nil)
'''

EXPECTED = """mymod	true
pre	:preload:
false	module 'nosuchmod' not found:
	no field package.preload['nosuchmod']
	no file './nosuchmod.lua'
./mymod.lua
true	2
true	key
true	it1
true	it2
true	true	v	w
false	dead
false	cannot resume dead coroutine
thread	false	running
false	attempt to yield from outside a coroutine
false	table	7
true	29
string	true
"""


def test_require_coroutine_debug(tmp_path):
    (tmp_path / "mymod.lua").write_text('return {name = ...}\n')
    (tmp_path / "main.lua").write_text(SCRIPT)
    p = subprocess.run([sys.executable, "-m", "petrel.lua_interp", "main.lua"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert p.stderr == ""
    assert p.stdout == EXPECTED


def test_plain_state_has_none_of_them():
    state = Interpreter().new_state()
    for name in ("require", "coroutine", "debug", "io"):
        assert state.globals[name] is None
    for name in ("exit", "execute", "remove", "rename", "tmpname", "setlocale"):
        assert state.globals["os"][name] is None


def test_os_setlocale_and_execute_status(tmp_path):
    # answers of C Lua 5.4's lua command (lupa's differ: it runs inside Python, whose locale
    # and child status handling are its own)
    (tmp_path / "m.lua").write_text('print(os.setlocale(), os.setlocale("pt_BR"))\n'
                                    'print(os.execute("exit 3"))\nos.exit(5)\n')
    p = subprocess.run([sys.executable, "-m", "petrel.lua_interp", "m.lua"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (5, "C\tnil\nnil\texit\t3\n", "")
