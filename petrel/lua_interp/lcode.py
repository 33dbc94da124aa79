"""Compiler: AST -> Python source -> one code object per chunk (the lcode of this interpreter).

A chunk becomes a Python module body defining ``__chunk__(ENV, RT)``; calling it
with a state's globals and runtime returns the main function.  Every Lua function
is a nested Python ``def``; Lua locals are Python locals, upvalues are Python
closure cells (declared ``nonlocal`` where assigned), so closures share upvalues
exactly as Lua does.  A loop whose body declares locals captured by a closure
runs its body as a nested function, giving each iteration fresh bindings.

The compiler's parts, as Lua's lcode/lparser split theirs: this module (the Compiler, the
chunk and its functions), lflow (blocks, scopes and control flow), lstat (the other
statements), lexpr (expressions), lintrinsics (known library calls inline), lemit (what they
share); name resolution and integer inference come first, in lresolve.

Why the generated code is fast
------------------------------
CPython runs this code with its specialising interpreter, so the cost of a Lua
operation is roughly the number of bytecodes on its common path; the code is laid
out to keep that path short and free of Python-level calls:

* Operators are inline expressions with a type-checked fast path for int/float/str
  operands and a call into the runtime (``RT.add`` ...) otherwise, which implements
  coercions, metamethods and errors.  Integer overflow is one test,
  ``r.bit_length() < 64`` (or a one-sided bound when adding a small constant).
* Integer inference (``lresolve.Resolver.infer_ints``): a local declared with, and only ever
  assigned, integer-valued expressions (integer constants, numeric ``for``
  variables with integer start and step, + - * // % and bitwise operators on such
  values -- which wrap around and stay integers) needs no type test at all:
  ``s = s + i * 2 % 7`` compiles to two additions, a product, a modulo and an
  overflow test; comparisons of two integers are plain Python comparisons.  A small
  function whose parameters meet integer constants (``n - 1``, ``n < 2``) is compiled
  twice, an integer version entered when ``n.__class__ is int`` and the general one.
* Type tests read ``x.__class__`` (an attribute read: no call of ``type``, a quarter
  cheaper).  Table reads ``t.k`` and globals are ``t.hash.get(k)`` behind ``t.__class__ is
  LuaTable``, the metatable consulted only on a miss, and then one ``__index`` table
  inline (class defaults, method calls, the sandbox's globals and read-only library
  proxies) before the runtime's general ``RT.index``.
* Calls are plain Python calls (a compiled Lua function is a plain function taking
  Lua values positionally and returning a tuple); one value is read as
  ``(f(...) or N1)[0]``.  A call in tail position to a Lua function is a direct
  call while fewer than ``TDMAX`` of them are running (a counter per chunk instance,
  ``td``); the debugger skips the frame left below the callee (``ldebug.at_tail_call``).
  Beyond that it returns a ``TailCall`` built without a constructor call
  (``object.__new__`` plus two slot stores), which the consumer resolves through one
  ``__getitem__`` -- a plain tuple result costs nothing extra -- so tail recursion
  runs in constant stack.  Lua functions are told from library ones by their
  globals (``'__luachunk__' in f.__globals__``), not by hashing code objects.
* Intrinsics (``lintrinsics``): ``setmetatable``, ``type``, ``math.abs``,
  ``math.floor`` and ``table.insert(t, v)`` run inline when raw reads of the globals
  show that the callee is exactly the library's function object (a replaced or
  shadowed global takes the ordinary lookup and call, so nothing observable
  changes) and the arguments are the common case; otherwise the library function
  is called and phrases errors as before.
* Table constructors whose items cannot change meanwhile (constants, locals no
  closure assigns) are built in statements -- ``object.__new__`` and a dict
  display -- with no constructor call; ``#t`` of an array-like table is two dict
  membership tests.
* The interrupt counter is one closure cell per chunk instance, decremented at each
  function entry and loop back-edge (``if not (tick := tick - 1): tick =
  RT.tick()``, five bytecodes); numeric ``for`` loops iterate ``range`` segments
  and tick between them, so their bodies carry no counter.
* Python allows 20 nested blocks per function: every sixth nested loop of a Lua function
  (``LOOP_NEST``) runs its body as a nested function, as a loop with fresh bindings does.
  What Python still refuses (200 nested parentheses, 100 indentation levels) the facade
  reports as a Lua syntax error, "function or expression too complex".
* Python limits how deeply an expression may nest, so ``a .. b .. c ...`` is one
  ``RT.concatn`` call and a long left-deep chain (``x + x + ...``) is evaluated by a
  block function, one operator per statement, in Lua's order.

The line map (Python line -> Lua line) and the call sites' places (where each call
starts: ``Emitter.site``) let the debugger phrase errors without any run-time cost.
"""
from __future__ import annotations

import re

from . import lnodes as N
from .ldebug import ChunkInfo, short_src
from .lemit import FALLBACK_TICK, FALLBACK_TICK_EXP, LOCAL_MARK, TICK, Emitter, PyScope
from .lexpr import ExpMixin
from .lflow import FlowMixin
from .lintrinsics import IntrinsicMixin
from .lobject import LuaSyntaxError
from .lresolve import CompileError, Resolver
from .lstat import StatMixin

_LINE_MARK = re.compile(r"#@(\d+)$")
_SITE = re.compile(r"\(\0[ct](\d+)\0 := ")


class Compiler(FlowMixin, StatMixin, ExpMixin, IntrinsicMixin, Emitter):
    """One chunk's compiler: the parts (statements, control flow, expressions, intrinsics) are
    mixins over the emitter; this class holds the state they share and emits functions."""

    def __init__(self, chunkname):
        self.chunkname = chunkname
        self.short_src = short_src(chunkname)
        self.out = []            # final (text, lualine)
        self.funcs = {}
        self.upvals = {}        # python function name -> ((lua name, python name), ...)
        self.spans = {}         # python function name -> (text span, line, is_method)
        self.callsites = {}
        self.sitecols = {}       # python line -> ((column, call-site id), ...)
        self.nsites = 0
        self.ncalls = 0          # calls emitted in the Lua function being compiled (site)
        self.nfuncs = 0
        self.scope = None
        self.indent = 0
        self.line = 0
        self.loops = []          # stack of Loop within the current PyScope chain
        self.labels_stack = []   # per Lua block: dict label -> info
        self.labels_base = 0     # where the labels of the function being compiled start
        self.repeat_bodies = set()  # a repeat body's end is still in its locals' scope (until)
        self.close_depth = 0     # inside to-be-closed scopes of the current Lua function
        self.ndispatch = 0
        self.lmarks = []         # (start, variables) of each local-scope mark (Emitter.mark_locals)
        self.locvars = {}        # python function name -> ((lua name, python name, first, end line, isint), ...)

    def compile_chunk(self, block):
        resolver = Resolver()
        main = resolver.chunk(block)
        self.int_params = resolver.int_params
        outer = PyScope(None, "outer")
        self.scope = outer
        self.indent = 1
        fname = self.function(main, is_main=True)
        self.emit("return %s" % fname)
        lines = ["def __chunk__(ENV, RT):", "    tick = 1", "    td = 0"]
        linemap = [0, 0, 0, 0]
        defs = []       # the defs the next line is in: [indent, name, locals]
        active = {}     # id(variable) -> its record while its scope is open
        for indent, text, lualine in outer.lines:
            if text.startswith(LOCAL_MARK):
                self._scope_mark(int(text[len(LOCAL_MARK):]), indent * 4, len(lines) + 1, defs, active)
                continue
            if text:  # where the defs start and end (the lines of one text are of one statement)
                at = indent * 4
                if defs and defs[-1][0] >= at:
                    self._close_defs(at, len(lines) + 1, defs, active)
                if text.startswith("def "):
                    defs.append([at, text[4:text.index("(")], [], len(lines) + 1])
            for sub in text.split("\n"):
                if "\0" in sub:
                    sub = self._place_sites(sub, indent * 4, len(lines) + 1)
                lines.append("    " * indent + sub)
                linemap.append(lualine)
                if sub.endswith(tuple("0123456789")) and "#@" in sub:  # see Compiler.call
                    m = _LINE_MARK.search(sub)
                    if m is not None:
                        lualine = int(m.group(1))
        self._close_defs(-1, len(lines) + 1, defs, active)
        return "\n".join(lines) + "\n", linemap

    def _place_sites(self, text, at, lineno):
        """Blank the call-site markers of a line (Emitter.site), recording where each call
        starts: line -> ((byte column, site id), ...), as co_positions gives them."""
        cols = self.sitecols.setdefault(lineno, [])
        for m in _SITE.finditer(text):
            cols.append((at + len(text[:m.start()].encode("utf-8")), int(m.group(1))))
        return _SITE.sub(lambda m: "(" + " " * (len(m.group(0)) - 1), text)

    def _scope_mark(self, n, at, lineno, defs, active):
        """A local-scope mark at column `at` before line `lineno`: open or close its locals'
        records, each in the innermost def around the mark."""
        self._close_defs(at, lineno, defs, active)
        start, variables, ints = self.lmarks[n]
        if start == "params":  # active from the def line on, where a call hook sees the frame
            lineno = defs[-1][3]
        for v, isint in zip(variables, ints):
            if start:
                rec = [v.name, v.pyname, lineno, None, id(v), isint]
                defs[-1][2].append(rec)
                active[id(v)] = rec
            else:
                rec = active.pop(id(v), None)
                if rec is not None:
                    rec[3] = lineno

    def _close_defs(self, at, lineno, defs, active):
        """The defs indented at column `at` or deeper end before line `lineno`; so do the scopes
        of their locals."""
        while defs and defs[-1][0] >= at:
            _, name, recs, _ = defs.pop()
            for rec in recs:
                if rec[3] is None:
                    rec[3] = lineno
                    if active.get(rec[4]) is rec:
                        del active[rec[4]]
            if recs:
                self.locvars[name] = tuple((r[0], r[1], r[2], r[3], r[5]) for r in recs)

    def function(self, f, is_main=False, pyname=None):
        """Emit a nested def for Lua function f; returns its Python name."""
        self.nfuncs += 1
        name = pyname or "F%d" % self.nfuncs
        self.funcs[name] = (f.name, f.line)
        self.upvals[name] = tuple((v.name, v.pyname) for v in f.upvals)
        self.spans[name] = (f.span, f.line, f.is_method) if not is_main else ("main", 1, False)
        params = [v.pyname + "=None" for v in f.vars]
        params.append("*VA" if f.is_vararg else "*_")
        parent_scope, parent_indent, parent_loops = self.scope, self.indent, self.loops
        saved_line = self.line
        scope = PyScope(parent_scope, "func")
        self.scope = scope
        self.indent = 1
        self.loops = []
        saved_close, self.close_depth = self.close_depth, 0
        saved_labels, self.labels_base = self.labels_base, len(self.labels_stack)  # labels are per function
        for v in f.vars:
            v.pyscope = scope
        self.line = f.line
        self.mark_locals("params", f.vars)
        # a check-in at the entry of a function that calls or loops (the calls counted as they
        # are emitted; an inline library call's fallback ticks there when this one does not)
        tick_at = len(scope.lines)
        saved_calls, self.ncalls = self.ncalls, 0
        spec = self.int_params.get(id(f))
        if spec is not None:
            # the integer version first, then the general one
            tested, ints = spec
            self.emit("if %s:" % " and ".join("%s.__class__ is int" % v.pyname for v in tested))
            self.indent += 1
            for v in ints:
                v.isint = True
            try:
                self.block(f.body)
            finally:
                for v in ints:
                    v.isint = False
            self.emit("return ()")
            self.indent -= 1
        self.block(f.body)
        self.emit("return ()")
        body = scope.lines
        ticks = self.ncalls > 0 or self._has_loops(f.body)
        self.ncalls = saved_calls
        if ticks:
            scope.nonlocals.add("tick")
            body.insert(tick_at, (1, TICK, f.line))
        fb = "" if ticks else FALLBACK_TICK_EXP
        for i, (ind, text, ll) in enumerate(body):
            if FALLBACK_TICK in text:
                body[i] = (ind, text.replace(FALLBACK_TICK, fb), ll)
        self.scope, self.indent, self.loops = parent_scope, parent_indent, parent_loops
        self.close_depth = saved_close
        self.labels_base = saved_labels
        self.line = f.line
        self.emit("def %s(%s):" % (name, ", ".join(params)))
        if scope.nonlocals:
            self.scope.lines.append((self.indent + 1, "nonlocal " + ", ".join(sorted(scope.nonlocals)), f.line))
        for indent, text, lualine in body:
            self.scope.lines.append((indent + self.indent, text, lualine))
        self.line = saved_line
        return name

    @staticmethod
    def _has_loops(stats):
        for s in stats:
            t = type(s)
            if t in (N.While, N.Repeat, N.NumFor, N.GenFor, N.Goto):
                return True
            if t is N.Do and Compiler._has_loops(s.body):
                return True
            if t is N.If:
                for _, b in s.tests:
                    if Compiler._has_loops(b):
                        return True
                if s.orelse and Compiler._has_loops(s.orelse):
                    return True
        return False


def compile_chunk(block, chunkname: str, text: str | None = None):
    """AST -> (python source, ChunkInfo); text, the chunk's source, lets string.dump work."""
    c = Compiler(chunkname)
    try:
        src, linemap = c.compile_chunk(block)
    except CompileError as e:
        raise LuaSyntaxError("%s:%d: %s" % (c.short_src, e.line, e.msg)) from None
    info = ChunkInfo(chunkname, c.short_src, linemap, c.funcs, c.callsites, src.split("\n"), c.upvals)
    info.source = text
    info.locvars = c.locvars
    info.spans = c.spans
    info.sitecols = c.sitecols
    return src, info
