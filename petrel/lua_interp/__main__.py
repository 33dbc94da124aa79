"""``python -m petrel.lua_interp [options] [script [args]]``: a ``lua``-like command.

Options as in lua(1): ``-e stat`` runs a statement, ``-i`` enters interactive mode
after the script, ``-v`` prints the version, ``-`` runs standard input, ``--``
stops option handling.  Errors print ``lua: message`` and a stack traceback on
stderr and exit with status 1.
"""
from __future__ import annotations

import sys
import threading

from . import lgc
from .interpreter import Interpreter
from .linit import open_standalone
from .llex import skip_first_comment
from .lobject import LuaError, LuaSyntaxError, LuaTable

VERSION = "Lua 5.4 (petrel.lua_interp, pure Python)"
USAGE = """usage: %s [options] [script [args]]
Available options are:
  -e stat   execute string 'stat'
  -i        enter interactive mode after executing 'script'
  -v        show version information
  -W        turn warnings on
  --        stop handling options
  -         stop handling options and execute stdin
"""


def _report(e: BaseException, progname="lua"):
    if isinstance(e, LuaError):
        msg = str(e)
        tb = e.traceback or ""
    else:
        msg = "%s: %s" % (type(e).__name__, e)
        tb = ""
    sys.stderr.write("%s: %s\n" % (progname, msg))
    if tb:
        sys.stderr.write(tb + "\n")
    sys.stderr.flush()


def _run(state, source, chunkname, args=()):
    fn = state.load(source, chunkname)
    return state.call(fn, *args)


def _repl(state):
    buf = ""
    while True:
        try:
            prompt = ">> " if buf else "> "
            line = input(prompt)
        except EOFError:
            sys.stdout.write("\n")
            return
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            buf = ""
            continue
        src = buf + line if not buf else buf + "\n" + line
        try:
            try:
                fn = state.load("return " + src, "=stdin")
            except LuaSyntaxError:
                fn = state.load(src, "=stdin")
        except LuaSyntaxError as e:
            if str(e).endswith("<eof>"):
                buf = src
                continue
            buf = ""
            sys.stderr.write("%s\n" % e)
            continue
        buf = ""
        try:
            results = state.call(fn)
            if results:
                state.call(state.globals["print"], *results)
        except LuaError as e:
            sys.stderr.write("%s\n%s\n" % (e, e.traceback or ""))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    interp = Interpreter()
    state = interp.new_state()
    open_standalone(state.runtime, state.globals)
    try:
        return _main(state, argv)
    finally:
        # lua_close: the finalizers of the objects still marked run
        try:
            lgc.close_state(state.runtime)
        except LuaError as e:
            _report(e)


def _main(state, argv) -> int:
    stats = []
    interactive = False
    show_version = False
    script = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a == "-":
            break
        if a == "-e":
            if i + 1 >= len(argv):
                sys.stderr.write("lua: '-e' needs argument\n" + USAGE % "lua")
                return 1
            stats.append(argv[i + 1])
            i += 2
            continue
        if a.startswith("-e") and len(a) > 2:
            stats.append(a[2:])
            i += 1
            continue
        if a == "-i":
            interactive = show_version = True
            i += 1
            continue
        if a == "-v":
            show_version = True
            i += 1
            continue
        if a == "-W":
            lgc.warning(state.runtime, "@on")
            i += 1
            continue
        if a.startswith("-") and a != "-":
            sys.stderr.write("lua: unrecognized option '%s'\n" % a + USAGE % "lua")
            return 1
        break
    rest = argv[i:]
    if rest:
        script = rest[0]
    # the arg table: script at 0, its arguments at 1.., interpreter before
    arg = LuaTable()
    arg.rawset(-1, "lua")
    for k, v in enumerate(rest):
        arg.rawset(k, v)
    if not rest:
        arg.rawset(0, "lua")
    state.globals["arg"] = arg
    if show_version:
        sys.stdout.write(VERSION + "\n")
        sys.stdout.flush()
    try:
        for st in stats:
            _run(state, st, "=(command line)")
        if script is not None:
            if script == "-":
                src = skip_first_comment(sys.stdin.buffer.read())
                name = "=stdin"
            else:
                try:
                    with open(script, "rb") as f:
                        src = skip_first_comment(f.read())
                except OSError as e:
                    sys.stderr.write("lua: cannot open %s\n" % script)
                    return 1
                name = "@" + script
            _run(state, src, name, [state.to_lua(x) for x in rest[1:]])
        elif not stats and not show_version:
            if sys.stdin.isatty():
                interactive = True
            else:
                _run(state, sys.stdin.buffer.read(), "=stdin")
    except LuaError as e:
        _report(e)
        return 1
    if interactive:
        if not show_version:
            sys.stdout.write(VERSION + "\n")
        _repl(state)
    return 0


def run_with_big_stack(fn, *args):
    """Run fn in a thread with a large stack so deep Lua recursion works like lua(1)."""
    result = [1]

    def target():
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(200000)
        try:
            result[0] = fn(*args)
        finally:
            sys.setrecursionlimit(old)
    threading.stack_size(512 * 1024 * 1024)
    t = threading.Thread(target=target)
    t.start()
    t.join()
    return result[0]


if __name__ == "__main__":
    sys.exit(run_with_big_stack(main))
