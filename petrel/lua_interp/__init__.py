"""petrel.lua_interp: a pure-Python Lua 5.4 (placeholder docs, see below)."""
from .interpreter import Interpreter, State
from .lobject import LuaError, LuaSyntaxError, LuaTable

__all__ = ["Interpreter", "State", "LuaError", "LuaSyntaxError", "LuaTable"]
