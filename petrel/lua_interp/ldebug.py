"""Debug information: positions for error messages and Lua-style tracebacks.

Compiled chunks are ordinary Python code objects.  Each generated module
namespace holds ``__luachunk__`` (a ChunkInfo) mapping generated Python lines
back to Lua lines, so positions cost nothing until an error happens: the frames
are walked only then.
"""
from __future__ import annotations

import sys

# Code objects of library functions (the "C functions" of this interpreter).
# Filled while the standard libraries are registered at import time.
LIB_CODES: set = set()
# Runtime methods that do lauxlib's work (luaL_tolstring): their errors are positioned at
# the Lua caller like a library's, not like the runtime's own.
AUXLIB_CODES: set = set()
# Library function code object -> its qualified name ("string.char"), filled as the libraries
# are opened (lauxlib.new_lib): how errors name a library function called from C (pcall).
QUALIFIED: dict = {}
# Python frames that are plumbing, not a function Lua would see (tail-call trampoline).
TRANSPARENT_CODES: set = set()
# xpcall's frames running a message handler -> the innermost frames of the errors it handles
# (the handler runs, as in Lua, on top of the frames of the call that failed)
HANDLED_ERRORS: dict = {}


class ChunkInfo:
    """What the debugger knows about one compiled chunk."""

    __slots__ = ("chunkname", "short_src", "linemap", "funcs", "callsites", "source_lines", "upvals",
                 "source", "spans", "locvars", "sitecols")

    def __init__(self, chunkname, short_src, linemap, funcs, callsites, source_lines, upvals=None):
        self.chunkname = chunkname
        self.short_src = short_src
        self.linemap = linemap          # python line number -> lua line
        self.funcs = funcs              # python function name -> (description, linedefined)
        self.callsites = callsites      # call-site id -> description ("global 'f'")
        self.source_lines = source_lines  # generated python source lines (for call sites)
        self.upvals = upvals or {}      # python function name -> ((lua name, python name), ...)
        self.source = None              # the chunk's Lua text (for string.dump)
        self.spans = {}                 # python function name -> (text span, line, is_method)
        # python function name -> ((lua name, python name or None, first line, end line, isint), ...):
        # its locals in declaration order, each active from its first line to before its end
        # (isint: the compiled code there takes it to hold an integer)
        self.locvars = {}
        self.sitecols = {}              # python line -> ((byte column, call-site id), ...)

    def lua_line(self, pyline):
        lm = self.linemap
        if pyline is None or pyline >= len(lm):
            return 0
        return lm[pyline]


def short_src(chunkname: str) -> str:
    """luaO_chunkid: '=name' -> name, '@file' -> file, else [string "..."]."""
    if chunkname.startswith("=") or chunkname.startswith("@"):
        return chunkname[1:]
    first = chunkname.split("\n", 1)[0]
    if len(first) > 45 or "\n" in chunkname:
        return '[string "%s..."]' % first[:45]
    return '[string "%s"]' % first


def lib_function(f):
    """Mark f as a library ("C") function for level counting in error positions."""
    code = getattr(f, "__code__", None)
    if code is not None:
        LIB_CODES.add(code)
    return f


def _info(frame):
    return frame.f_globals.get("__luachunk__")


def is_block_frame(frame) -> bool:
    return frame.f_code.co_name.startswith("B_")


def frame_position(frame) -> str:
    info = _info(frame)
    return "%s:%d:" % (info.short_src, info.lua_line(frame.f_lineno))


_RUNTIME_MODULE = __name__.rsplit(".", 1)[0] + ".lvm"


def where_builtin() -> str:
    """Position prefix for an error raised by Python code.

    An error of the runtime (lvm: indexing, arithmetic, comparison...) is luaG_runerror:
    positioned only when the running function is Lua code, so none when a library
    function caused it.  Any other is luaL_error's level 1: the position of the Lua code
    that called the library function raising it.
    """
    f = sys._getframe(2)
    if f.f_globals.get("__name__") == _RUNTIME_MODULE and f.f_code not in AUXLIB_CODES:
        while f is not None:
            if "__luachunk__" in f.f_globals:
                return frame_position(f) + " "
            if f.f_code in LIB_CODES:
                return ""
            f = f.f_back
        return ""
    skipped_lib = False
    while f is not None:
        if "__luachunk__" in f.f_globals:
            return frame_position(f) + " "
        if f.f_code in LIB_CODES:
            if skipped_lib:
                return ""
            skipped_lib = True
        f = f.f_back
    return ""


def where_level(frame, level: int) -> str:
    """Position of the function at `level` above `frame` (the caller of error())."""
    if level <= 0:
        return ""
    f = frame
    while f is not None and f.f_code in TRANSPARENT_CODES:
        f = f.f_back
    act = 1
    first = None
    while f is not None:
        if "__luachunk__" in f.f_globals:
            if first is None and at_tail_call(f):
                f = f.f_back
                continue
            if first is None:
                first = f
            if not is_block_frame(f):
                if act == level:
                    return frame_position(first) + " "
                act += 1
                first = None
        elif f.f_code in TRANSPARENT_CODES:
            pass
        elif f.f_code in LIB_CODES and first is None:
            # a library function sits at this level: no position
            if act == level:
                return ""
            act += 1
        f = f.f_back
    return ""


def innermost_lua_frame(tb):
    """The innermost Lua frame in a traceback and its instruction offset."""
    found = None
    while tb is not None:
        if "__luachunk__" in tb.tb_frame.f_globals:
            found = tb
        tb = tb.tb_next
    return found


_TAIL_CALL = "try: return ("
_TAIL_END = "finally: td -= 1"


def at_tail_call(frame, lasti=None) -> bool:
    """Whether a Lua frame is making a direct call at a tail-call site (lstat.tailcall_plain),
    or was when an error came back through it: for Lua the frame is gone, its callee runs in
    its place.  Those sites have lines of their own."""
    info = _info(frame)
    if info is None:
        return False
    try:
        line = list(frame.f_code.co_positions())[(frame.f_lasti if lasti is None else lasti) // 2][0]
        text = info.source_lines[line - 1].lstrip()
    except (IndexError, AttributeError, TypeError):
        return False
    return text.startswith(_TAIL_CALL) or text == _TAIL_END


def callsite_description(tb) -> str | None:
    """For a 'not callable' TypeError: the description of the call site that failed."""
    return call_site_at(tb.tb_frame, tb.tb_lasti)


def call_site_at(frame, lasti) -> str | None:
    """The description ("global 'f'", "method 'm'"...) of the call a Lua frame is making: the
    call starting where the instruction's position starts, else the next one on its line."""
    info = _info(frame)
    code = frame.f_code
    try:
        positions = list(code.co_positions())
        pos = positions[lasti // 2]
    except (IndexError, AttributeError):
        return None
    line, _, col, _ = pos
    if line is None or col is None:
        return None
    cols = info.sitecols.get(line)
    if not cols:
        return None
    after = None
    for c, n in cols:
        if c == col:
            return info.callsites.get(n)
        if c > col and (after is None or c < after[0]):
            after = (c, n)
    return info.callsites.get(after[1]) if after is not None else None


def _called_as(desc: str | None) -> str | None:
    """How a traceback names a function from its call site, as 5.4's funcnamefromcall does:
    a global is "function 'name'", others keep their kind ("local 'f'", "method 'm'")."""
    if not desc:
        return None
    kind, _, name = desc.partition(" ")
    if kind == "global":
        return "function %s" % name
    if kind in ("local", "upvalue", "field", "method"):
        return desc
    return None


# Runtime methods that call metamethods -> the event Lua names ("in metamethod 'index'")
_MM_EVENTS = {"close": "close", "index": "index", "setindex": "newindex", "len": "len", "eq": "eq",
              "lt": "lt", "le": "le", "concat": "concat", "unm": "unm", "bnot": "bnot", "tostring": "tostring"}


def metamethod_event(frame) -> str | None:
    """The event when frame (a Lua function) runs as a metamethod called by the runtime."""
    f = frame.f_back
    while f is not None and f.f_code.co_name == "call" and f.f_globals.get("__name__") == _RUNTIME_MODULE:
        f = f.f_back
    if f is None or f.f_globals.get("__name__") != _RUNTIME_MODULE:
        return None
    name = f.f_code.co_name
    if name == "_arith_mt":
        ev = f.f_locals.get("event")
        return ev[2:] if type(ev) is str else None
    return _MM_EVENTS.get(name)


def function_description(frame) -> str:
    event = metamethod_event(frame)
    if event is not None:
        return "in metamethod '%s'" % event
    info = _info(frame)
    desc = info.funcs.get(frame.f_code.co_name)
    if desc is None:
        return "in function <%s:%d>" % (info.short_src, info.lua_line(frame.f_code.co_firstlineno))
    name, linedefined = desc
    if name == "main chunk":
        return "in main chunk"
    if name:
        return "in %s" % name
    return "in function <%s:%d>" % (info.short_src, linedefined)


def _c_function_name(code) -> str:
    name = QUALIFIED.get(code)
    if name is None:
        name = code.co_name
        for prefix in ("luaB_", "str_", "tab_", "math_", "utf8_", "os_"):
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
    return name


def traceback_from_tb(tb, message=None) -> str:
    """Lua-style 'stack traceback:' text from a Python traceback (innermost first).

    A Lua function is named the way its caller called it (the call site's description),
    as Lua names it from the calling instruction; called from a library function (pcall)
    or through a metamethod it is "function <chunk:line>".
    """
    frames = []
    while tb is not None:
        if tb.tb_next is None or not at_tail_call(tb.tb_frame, tb.tb_lasti):
            frames.append((tb.tb_frame, tb.tb_lineno, tb.tb_lasti))
        else:  # gone, for Lua: its callee is named as a tail-called function is
            frames.append((None, None, None))
        tb = tb.tb_next
    lines = []
    for i in range(len(frames) - 1, -1, -1):
        frame, lineno, _ = frames[i]
        if frame is None:
            continue
        info = _info(frame)
        if info is None:
            if frame.f_code in LIB_CODES:
                lines.append("\t[C]: in function '%s'" % _c_function_name(frame.f_code))
            continue
        if is_block_frame(frame):
            continue
        desc = info.funcs.get(frame.f_code.co_name)
        if desc is not None and desc[0] == "main chunk":
            what = "in main chunk"
        else:
            called = None
            if i > 0:
                caller, _, caller_lasti = frames[i - 1]
                if caller is not None and _info(caller) is not None:
                    called = _called_as(call_site_at(caller, caller_lasti))
            if called is not None:
                what = "in " + called
            else:
                linedefined = desc[1] if desc is not None else info.lua_line(frame.f_code.co_firstlineno)
                what = "in function <%s:%d>" % (info.short_src, linedefined)
        lines.append("\t%s:%d: %s" % (info.short_src, info.lua_line(lineno), what))
    lines.append("\t[C]: in ?")
    return "stack traceback:\n" + "\n".join(lines)


def traceback_from_frames(frames) -> str:
    """Lua-style 'stack traceback:' text of Lua-visible frames, innermost first."""
    lines = []
    for f in frames:
        info = _info(f)
        if info is not None:
            lines.append("\t%s:%d: %s" % (info.short_src, info.lua_line(f.f_lineno), function_description(f)))
        else:
            lines.append("\t[C]: in function '%s'" % _c_function_name(f.f_code))
    lines.append("\t[C]: in ?")
    return "stack traceback:\n" + "\n".join(lines)
