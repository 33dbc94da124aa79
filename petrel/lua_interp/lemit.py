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


class Emitter:
    """Output primitives of the Compiler (its state is set up by lcode.Compiler.__init__)."""

    def emit(self, text):
        self.scope.lines.append((self.indent, text, self.line))

    def temp(self):
        self.scope.ntemps += 1
        return "_%d" % self.scope.ntemps

    def site(self, desc):
        self.nsites += 1
        self.callsites[self.nsites] = desc
        return "_c%d" % self.nsites
