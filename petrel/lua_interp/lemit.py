"""What the parts of the compiler (lcode) share: the records of the code being emitted -- a
compiled expression, a Python function being emitted, a Python loop the code is inside of --
and the emitter's primitives: a line, a temp, a call site.
"""
from __future__ import annotations

from . import lnodes as N


class PyExpr:
    """A compiled expression: Python source, plus what kind of value it yields."""
    __slots__ = ("code", "kind")

    # kind: 'simple' (side-effect free name/constant), 'bool' (a Python bool),
    #       'value' (anything)
    def __init__(self, code, kind="value"):
        self.code = code
        self.kind = kind


class PyScope:
    """One Python function being emitted (a Lua function or a loop-body block)."""

    def __init__(self, parent, kind):
        self.parent = parent
        self.kind = kind          # 'func' or 'blk'
        self.lines = []           # (indent, text, lualine)
        self.nonlocals = set()
        self.ntemps = 0


class Loop:
    """A Python loop construct the emitted code is inside of."""
    __slots__ = ("kind", "node", "flag", "continue_label")

    def __init__(self, kind, node=None, continue_label=None):
        self.kind = kind          # 'lua' | 'dispatch' | 'blk'
        self.node = node
        self.flag = None
        self.continue_label = continue_label


CONSTS = (N.Nil, N.TrueExp, N.FalseExp, N.Number, N.String)

# The interrupt counter: one shared cell per chunk instance, counted down by one at each call
# and loop back-edge; RT.tick() runs the state's interrupt callback and returns the next quota
# (>= 1), so the counter hits exactly zero.  Five bytecodes.
TICK = "if not (tick := tick - 1): tick = RT.tick()"

# A local's scope, for the debugger (debug.getlocal): a comment line "#:L<n>" where the locals
# of record n become active or stop being so; lcode drops these lines from the Python source,
# keeping their line numbers as data beside the functions (ChunkInfo.locvars).
LOCAL_MARK = "#:L"

# The check-in on the fallback path of an inline library call (lintrinsics), in a function
# that calls nothing else and has no loop, so has no check-in at its entry: the marker is the
# tick expression there, and nothing in a function that ticks at its entry.
FALLBACK_TICK = "FBTICK and "
FALLBACK_TICK_EXP = "((tick := tick - 1) or (tick := RT.tick())) and "


class ForState:
    """The hidden locals of a for loop, named "(for state)" as Lua 5.4's are (no Python variable)."""
    __slots__ = ()
    name = "(for state)"
    pyname = None


class Emitter:
    """Output primitives of the Compiler (its state is set up by lcode.Compiler.__init__)."""

    def emit(self, text):
        self.scope.lines.append((self.indent, text, self.line))

    def temp(self):
        self.scope.ntemps += 1
        return "_%d" % self.scope.ntemps

    def mark_locals(self, start, vars):
        """The locals vars are active (start true: True, or "params" for a function's parameters)
        or not (start False) from the next emitted line on."""
        if vars:
            # (an integer version of a function marks its locals while they are integers)
            self.lmarks.append((start, tuple(vars), tuple(getattr(v, "isint", False) for v in vars)))
            self.scope.lines.append((self.indent, "%s%d" % (LOCAL_MARK, len(self.lmarks) - 1), self.line))

    def block_locals(self, stats):
        """The locals a block's statements declare (Lua 5.4's compile-time constants are none)."""
        out = []
        for s in stats:
            t = type(s)
            if t is N.Local:
                out.extend(self.declared(s))
            elif t is N.LocalFunction:
                out.append(s.vinfo)
        return out

    @staticmethod
    def declared(s):
        """The variables a local statement declares, but a compile-time constant: as in Lua 5.4,
        a last <const> variable given a literal, as many values as variables."""
        v = s.vars[-1]
        if v.attrib != "const" or len(s.exps) != len(s.vars):
            return s.vars
        e = s.exps[-1]
        while type(e) is N.UnOp and e.op == "-" and type(e.a) in (N.Number, N.UnOp):
            e = e.a
        return s.vars[:-1] if type(e) in CONSTS else s.vars

    def site(self, desc):
        """A call site, for the code "(site := f)(...)": the marker (NUL bytes, which no other
        generated text holds raw) becomes blanks in the final source, its place recorded
        (lcode.Compiler.compile_chunk): no run-time cost, and errors still name the callee."""
        self.ncalls += 1
        self.nsites += 1
        self.callsites[self.nsites] = desc
        return "\0c%d\0" % self.nsites
