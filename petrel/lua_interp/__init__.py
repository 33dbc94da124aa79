"""petrel.lua_interp: a pure-Python Lua 5.4.

Pipeline (one way, as in Lua's own sources)::

    llex (tokens) -> lua.lark + lparser (LALR, AST of lnodes) -> lcode (Python source,
    compiled once per chunk) -> code running on lvm (Runtime) and lobject (values)
    standard libraries: lbaselib, lstrlib, ltablib, lmathlib, loslib, lutf8lib (linit opens them)
    facade: interpreter (Interpreter, State); command line: __main__

The facade the server's engine uses::

    from petrel.lua_interp import Interpreter, LuaError, LuaSyntaxError, LuaTable
    interp = Interpreter()                  # one per process: owns the compiled-chunk cache
    state = interp.new_state()              # fresh globals with the full standard library opened
    fn = state.load(source, chunkname)      # source: str (text, encoded UTF-8) or bytes;
                                            # chunkname like "@handler.lua" or "=stdin"
                                            # -> a Lua function; raises LuaSyntaxError("handler.lua:3: ...")
    results = state.call(fn, *args)         # call any Lua function; a tuple of results; raises LuaError
    state.globals                           # a LuaTable; state.globals["x"] / state.globals["x"] = v
    state.table(mapping_or_list=None)       # new LuaTable from a dict/list (nested ones converted)
    state.function(pycallable, name)        # a Python callable as a Lua function: it receives Lua values;
                                            # its return value is the results (tuple = several, None = none)
    state.set_interrupt(callback, every)    # callback() runs about every `every` loop back-edges and
                                            # calls; it may raise LuaError(msg) to abort
    state.set_memory_hook(hook)             # hook(nbytes) hears of big strings/tables; may raise LuaError
    state.stdout                            # where print writes bytes (None: sys.stdout)
    state.to_python(value) / state.to_lua(value)

    LuaError: .value (the Lua error value), .traceback ("stack traceback:" text),
              str(e) = the message with its "chunk:line: " prefix.
    LuaSyntaxError is a LuaError.

Values: nil=None, booleans, int (64-bit, wrapping) and float are distinct, strings are
``str`` holding one character per byte (latin-1; ``to_python`` gives bytes), tables are
``LuaTable``, functions are Python callables returning a tuple of results.
Values passed to and returned by ``state.function`` callables are raw Lua values: a ``str``
result is taken as a Lua string as is (use bytes, or ``state.to_lua``, for text).

Errors a wrapped callable raises as ``LuaError(msg)`` get the calling Lua line prefixed and
are catchable by pcall; any other Python exception becomes a Lua error with its text.
Deep recursion ends in a Lua "stack overflow" error (the depth available is Python's
recursion limit; the command line raises it in a thread with a large stack).
"""
from .interpreter import Interpreter, State
from .lobject import LuaError, LuaSyntaxError, LuaTable

__all__ = ["Interpreter", "State", "LuaError", "LuaSyntaxError", "LuaTable"]
