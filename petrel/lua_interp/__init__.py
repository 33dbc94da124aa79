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
    state.set_interrupt(callback, every)    # callback() runs about every `every` check-ins (below)
    state.set_memory_limit(nbytes)          # None (default): no accounting, no cost
    state.memory_used()                     # the current estimate in bytes (cheap, no walk)
    state.measure_memory()                  # walk what the state holds; bytes (costly)
    state.add_memory_root(table)            # count a table held outside the globals too
    state.set_memory_hook(hook)             # hook(nbytes) hears of big allocations first; may raise
    state.stdout                            # where print writes bytes (None: sys.stdout)
    state.to_python(value) / state.to_lua(value)

    LuaError: .value (the Lua error value), .traceback ("stack traceback:" text),
              str(e) = the message with its "chunk:line: " prefix.
    LuaSyntaxError is a LuaError.
    LuaInterrupt is a LuaError that no Lua code can catch (its class attribute ``catchable`` is
    False; LuaError's is True): pcall and xpcall re-raise it without running xpcall's message
    handler, error handlers do not see it, pending ``__close`` handlers are skipped (no Lua
    code runs on the way out) -- it reaches the caller of ``state.call``.  Raise it, or a
    subclass, from the interrupt callback to stop a program for good; any other LuaError
    raised there is an ordinary Lua error at the current line, which pcall may catch.
    LuaMemoryError is a LuaInterrupt: "not enough memory", raised by the memory limit.

Check-ins (where the interrupt callback may run): every loop back-edge (while, repeat,
numeric for -- in segments of ``every`` iterations --, generic for), every goto jump, the
entry of every function that calls or loops (so any recursion, tail calls included; a function
whose only calls are library calls run inline checks in before their fallback call instead), and
the long loops in library code: pattern matching steps (find, match, gmatch, gsub with any
replacement), table.sort partitions, table.concat and table.move per ``every`` items, load's
reader calls.  A function with neither calls nor loops does a bounded amount of work.

Memory accounting (``lmem``; active only while a limit is set): Python frees objects by
reference counting, out of sight, so the state keeps an estimate: ``held``, the size found
by the last *measurement* (a walk from the globals, the string metatable, the added roots and
the locals of the running Lua frames through tables, metatables, closures' upvalues and
varargs, adding up table dicts and string lengths), plus ``alloc``, the bytes allocated since:
counted *before* the allocation at every place that can make a big value (string.rep, ``..``,
table.concat, string.format, gsub, table constructors, table.unpack ranges) and an allowance
per check-in for what inline code makes.  When held + alloc would pass the limit the state
measures again; still over, it raises LuaMemoryError, so ``string.rep("x", 2^31)`` is refused
without being attempted and a table growing in a loop is stopped at the check-in after it
passes the limit (about: measurements are scheduled adaptively, so the overshoot is a fraction
of the limit, and a measurement's cost, proportional to what the state holds, is kept to
about a fifth of the run time).  With no limit the only cost is one attribute test per
check-in.

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
from .lobject import LuaError, LuaInterrupt, LuaMemoryError, LuaSyntaxError, LuaTable

__all__ = ["Interpreter", "State", "LuaError", "LuaInterrupt", "LuaMemoryError", "LuaSyntaxError", "LuaTable"]
