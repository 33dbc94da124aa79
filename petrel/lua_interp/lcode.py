"""Compiler: AST -> Python source -> one code object per chunk (the lcode of this interpreter).

A chunk becomes a Python module body defining ``__chunk__(ENV, RT)``; calling it
with a state's globals and runtime returns the main function.  Every Lua function
is a nested Python ``def``; Lua locals are Python locals, upvalues are Python
closure cells (declared ``nonlocal`` where assigned), so closures share upvalues
exactly as Lua does.  A loop whose body declares locals captured by a closure
runs its body as a nested function, giving each iteration fresh bindings.

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
  twice, an integer version entered when ``type(n) is int`` and the general one.
* Table reads ``t.k`` and globals are ``t.hash.get(k)`` behind ``type(t) is
  LuaTable``, the metatable consulted only on a miss, and then one ``__index`` table
  inline (class defaults, method calls, the sandbox's globals and read-only library
  proxies) before the runtime's general ``RT.index``.
* Calls are plain Python calls (a compiled Lua function is a plain function taking
  Lua values positionally and returning a tuple); one value is read as
  ``(f(...) or N1)[0]``.  A call in tail position to a Lua function returns a
  ``TailCall`` built without a constructor call (``object.__new__`` plus two slot
  stores); the consumer resolves it through one ``__getitem__`` -- a plain tuple
  result costs nothing extra.  Lua functions are told from library ones by their
  globals (``'__luachunk__' in f.__globals__``), not by hashing code objects.
* Intrinsics (``_INTRINSICS``): ``setmetatable``, ``type``, ``math.abs``,
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

The line map (Python line -> Lua line) and call-site names (``(_cN := f)(...)``)
let the debugger phrase errors without any run-time cost.
"""
from __future__ import annotations

import copy
import math
import re

from . import lnodes as N
from .ldebug import ChunkInfo, short_src
from .lobject import LuaSyntaxError, MAXINT, MININT
from .lresolve import CompileError, Resolver, _Pre, is_int_exp

_LINE_MARK = re.compile(r"#@(\d+)$")
_DEEP = 16   # operators along a left operand chain before Compiler.deep takes over
_MIN, _MAX = str(MININT), str(MAXINT)   # literal bounds: LOAD_CONST, cheaper than a global


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


class _Loop:
    """A Python loop construct the emitted code is inside of."""
    __slots__ = ("kind", "node", "flag", "continue_label")

    def __init__(self, kind, node=None, continue_label=None):
        self.kind = kind          # 'lua' | 'dispatch' | 'blk'
        self.node = node
        self.flag = None
        self.continue_label = continue_label


_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "//": "idiv", "^": "pow",
          "&": "band", "|": "bor", "~": "bxor", "<<": "shl", ">>": "shr", "..": "concat"}


_CONSTS = (N.Nil, N.TrueExp, N.FalseExp, N.Number, N.String)

# The interrupt counter: one shared cell per chunk instance, counted down by one at each call
# and loop back-edge; RT.tick() runs the state's interrupt callback and returns the next quota
# (>= 1), so the counter hits exactly zero.  Five bytecodes.
TICK = "if not (tick := tick - 1): tick = RT.tick()"

# Library functions run inline when the callee is exactly the library's function object:
# (global name, field) -> (argument count, identity test, guard, inline value).  {0}, {1} are
# the arguments, {f} the callee, {t} a scratch temp; when the guard fails (odd arguments, a
# protected metatable...) the ordinary call runs and phrases any error as before.
_INTRINSICS = {
    ("setmetatable", None): (2, "{f} is K_setmetatable",
                             "type({0}) is LuaTable and {0}.meta is None and type({1}) is LuaTable"
                             " and '__mode' not in {1}.hash",
                             "(SETMETA({0}, {1}) or {0})"),
    ("type", None): (1, "{f} is K_type", "({t} := TN.get(type({0}))) is not None", "{t}"),
    ("math", "abs"): (1, "{f} is K_abs", "(({t} := type({0})) is float or {t} is int and {0} != MININT)",
                      "abs({0})"),
    ("math", "floor"): (1, "{f} is K_floor",
                        "(({t} := type({0})) is int or {t} is float and -9.2e18 < {0} < 9.2e18)", "FLOOR({0})"),
    # statement only (value None): table.insert(t, v) appending to a plain table's array part
    ("table", "insert"): (2, "type({f}) is PARTIAL and {f}.func is K_tinsert",
                          "type({0}) is LuaTable and {0}.meta is None and {1} is not None and "
                          "(({t} := len({h} := {0}.hash)) == 0 or {t} in {h}) and {t} + 1 not in {h}",
                          None, "{h}[{t} + 1] = {1}; {0}.keys = None"),
}


def _pyconst(v):
    if type(v) is float:
        if v != v:
            return "NAN"
        if v == math.inf:
            return "INF"
        if v == -math.inf:
            return "(-INF)"
        return repr(v)
    return repr(v)


class Compiler:
    def __init__(self, chunkname):
        self.chunkname = chunkname
        self.short_src = short_src(chunkname)
        self.out = []            # final (text, lualine)
        self.funcs = {}
        self.upvals = {}        # python function name -> ((lua name, python name), ...)
        self.spans = {}         # python function name -> (text span, line, is_method)
        self.callsites = {}
        self.nsites = 0
        self.nfuncs = 0
        self.scope = None
        self.indent = 0
        self.line = 0
        self.loops = []          # stack of _Loop within the current PyScope chain
        self.labels_stack = []   # per Lua block: dict label -> info
        self.labels_base = 0     # where the labels of the function being compiled start
        self.repeat_bodies = set()  # a repeat body's end is still in its locals' scope (until)
        self.close_depth = 0     # inside to-be-closed scopes of the current Lua function
        self.ndispatch = 0

    # ---- output helpers
    def emit(self, text):
        self.scope.lines.append((self.indent, text, self.line))

    def temp(self):
        self.scope.ntemps += 1
        return "_%d" % self.scope.ntemps

    def site(self, desc):
        self.nsites += 1
        self.callsites[self.nsites] = desc
        return "_c%d" % self.nsites

    # ---- entry point
    def compile_chunk(self, block):
        resolver = Resolver()
        main = resolver.chunk(block)
        self.int_params = resolver.int_params
        outer = PyScope(None, "outer")
        self.scope = outer
        self.indent = 1
        fname = self.function(main, is_main=True)
        self.emit("return %s" % fname)
        lines = ["def __chunk__(ENV, RT):", "    tick = 1"]
        linemap = [0, 0, 0]
        for indent, text, lualine in outer.lines:
            for sub in text.split("\n"):
                lines.append("    " * indent + sub)
                linemap.append(lualine)
                if sub.endswith(tuple("0123456789")) and "#@" in sub:  # see Compiler.call
                    m = _LINE_MARK.search(sub)
                    if m is not None:
                        lualine = int(m.group(1))
        return "\n".join(lines) + "\n", linemap

    # ---- functions
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
        if f.info or self._has_loops(f.body):
            scope.nonlocals.add("tick")
            self.emit(TICK)
        spec = self.int_params.get(id(f))
        if spec is not None:
            # the integer version first, then the general one
            tested, ints = spec
            self.emit("if %s:" % " and ".join("type(%s) is int" % v.pyname for v in tested))
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

    # ---- blocks
    def block(self, stats):
        labels = {}
        for i, s in enumerate(stats):
            if type(s) is N.Label:
                if s.name in labels:
                    raise CompileError("label '%s' already defined on line %d" % (s.name, labels[s.name].line), s.line)
                for outer in self.labels_stack[self.labels_base:]:
                    # an enclosing block's label is visible from its definition on
                    if s.name in outer and outer[s.name] is not None and outer[s.name].line <= s.line:
                        raise CompileError("label '%s' already defined on line %d" % (s.name, outer[s.name].line), s.line)
                labels[s.name] = s
        gotos = self._gotos_in(stats) if labels else []
        if gotos:
            self._check_jumps_into_scope(stats, labels)
        needs_dispatch = any(g.label in labels and not self._is_continue_goto(g) for g in gotos)
        self.labels_stack.append(labels)
        try:
            if needs_dispatch:
                self.dispatch_block(stats, labels)
            else:
                self.stats(stats, 0)
        finally:
            self.labels_stack.pop()

    def _check_jumps_into_scope(self, stats, labels):
        """A forward goto may not jump into the scope of a local, unless the label ends the block."""
        where = {id(s): i for i, s in enumerate(stats)}
        for i, s in enumerate(stats):
            for g in self._gotos_in([s]):
                lab = labels.get(g.label)
                if lab is None:
                    continue
                li = where[id(lab)]
                if li <= i or (id(stats) not in self.repeat_bodies
                               and all(type(t) is N.Label for t in stats[li + 1:])):
                    continue
                for t in stats[i + 1:li]:
                    if type(t) is N.Local or type(t) is N.LocalFunction:
                        name = t.names[0] if type(t) is N.Local else t.name
                        raise CompileError("<goto %s> at line %d jumps into the scope of local '%s'"
                                           % (g.label, g.line, name), g.line)

    def _gotos_in(self, stats):
        out = []

        def walk(ss):
            for s in ss:
                t = type(s)
                if t is N.Goto:
                    out.append(s)
                elif t is N.Do:
                    walk(s.body)
                elif t is N.If:
                    for _, b in s.tests:
                        walk(b)
                    if s.orelse:
                        walk(s.orelse)
                elif t in (N.While, N.Repeat, N.NumFor, N.GenFor):
                    walk(s.body)
        walk(stats)
        return out

    def _is_continue_goto(self, g):
        return getattr(g, "as_continue", False)

    def stats(self, stats, start):
        for i in range(start, len(stats)):
            s = stats[i]
            if type(s) is N.Local and "close" in s.attribs:
                self.local(s)
                v = s.vars[s.attribs.index("close")]
                self.emit("RT.check_close(%s, %r)" % (v.pyname, v.name))
                self.emit("try:")
                self.indent += 1
                self.close_depth += 1
                self.stats(stats, i + 1)
                self.close_depth -= 1
                self.emit("pass")
                self.indent -= 1
                self.emit("finally:")
                self.indent += 1
                self.emit("RT.close(%s, EXC())" % v.pyname)
                self.indent -= 1
                return
            self.stat(s)

    @staticmethod
    def _captured_locals(stats) -> bool:
        """Whether the block declares a local a closure captures (outside nested loops)."""
        for s in stats:
            t = type(s)
            if t is N.Local and any(v.captured for v in s.vars):
                return True
            if t is N.LocalFunction and s.vinfo is not None and s.vinfo.captured:
                return True
            if t is N.Do and Compiler._captured_locals(s.body):
                return True
            if t is N.If and (any(Compiler._captured_locals(b) for _, b in s.tests)
                              or s.orelse and Compiler._captured_locals(s.orelse)):
                return True
        return False

    def _fresh_dispatch(self, stats, labels) -> bool:
        """A block with one label that gotos jump back to, after which locals that closures
        capture are declared: those must be fresh locals at each pass (dispatch_block_fresh).
        The statements before the label may not jump to it nor declare a to-be-closed local."""
        marks = [i for i, s in enumerate(stats) if type(s) is N.Label and s.name in labels]
        if len(marks) != 1:
            return False
        head, rest = stats[:marks[0]], stats[marks[0] + 1:]
        if any(type(s) is N.Local and "close" in s.attribs for s in head):
            return False
        label = stats[marks[0]].name
        if any(g.label == label for g in self._gotos_in(head)):
            return False
        return self._captured_locals(rest)

    def dispatch_block(self, stats, labels):
        """A block with labels that gotos jump to: a loop over segments."""
        if self._fresh_dispatch(stats, labels):
            self.dispatch_block_fresh(stats, labels)
            return
        var = self.temp()
        segs = [[]]
        names = []
        for s in stats:
            if type(s) is N.Label and s.name in labels:
                segs.append([])
                names.append(s.name)
            else:
                segs[-1].append(s)
        index = {name: i + 1 for i, name in enumerate(names)}
        loop = _Loop("dispatch")
        loop.flag = self.temp()
        self.ndispatch += 1
        loop.node = (var, index, self.ndispatch)
        loop.continue_label = set()
        self.emit("%s = 0; %s = None" % (var, loop.flag))
        self.emit("while True:")
        self.indent += 1
        self.loops.append(loop)
        self.emit(TICK)
        self.scope.nonlocals.add("tick")
        self.emit("try:")
        self.indent += 1
        for i, seg in enumerate(segs):
            self.emit("if %s <= %d:" % (var, i))
            self.indent += 1
            self.stats(seg, 0)
            self.emit("pass")
            self.indent -= 1
        self.indent -= 1
        self.emit("except GotoJump as _gj:")
        self.emit("    if _gj.target != %d: raise" % self.ndispatch if False else
                  "    if _gj.target != %d: raise" % loop.node[2])
        self.emit("    %s = _gj.index; continue" % var)
        self.emit("break")
        self.loops.pop()
        self.indent -= 1
        # perform a break/continue requested from inside the dispatch loop
        used = loop.continue_label
        if "break" in used:
            self.emit("if %s == 'break':" % loop.flag)
            self.indent += 1
            self.do_break(None)
            self.indent -= 1
        if "continue" in used:
            self.emit("if %s == 'continue':" % loop.flag)
            self.indent += 1
            self.do_continue()
            self.indent -= 1

    def dispatch_block_fresh(self, stats, labels):
        """A block `head ::label:: rest` whose rest declares locals that closures capture: the
        head runs once, then each pass over the rest runs in a nested function, so a goto
        back to the label declares fresh locals, as in Lua.  The function returns None (the
        block ended), 1 (a goto to the label), BRK or 'continue' (for the enclosing loop), or
        the results of a return."""
        mark = next(i for i, s in enumerate(stats) if type(s) is N.Label and s.name in labels)
        head, rest = stats[:mark], stats[mark + 1:]
        label = stats[mark].name
        self.stats(head, 0)
        self.ndispatch += 1
        ident = self.ndispatch
        self.nfuncs += 1
        name = "B_%d" % self.nfuncs
        parent_scope, parent_indent, parent_loops = self.scope, self.indent, self.loops
        scope = PyScope(parent_scope, "blk")
        self.scope = scope
        self.indent = 1
        loop = _Loop("dispatchfn")
        loop.node = (None, {label: 1}, ident)
        self.loops = parent_loops + [loop]
        self.emit("try:")
        self.indent += 1
        self.stats(rest, 0)
        self.emit("pass")
        self.indent -= 1
        self.emit("except GotoJump as _gj:")
        self.emit("    if _gj.target != %d: raise" % ident)
        self.emit("    return _gj.index")
        self.emit("return None")
        lines = scope.lines
        self.scope, self.indent, self.loops = parent_scope, parent_indent, parent_loops
        self.emit("def %s():" % name)
        if scope.nonlocals:
            self.scope.lines.append((self.indent + 1, "nonlocal " + ", ".join(sorted(scope.nonlocals)), self.line))
            if "tick" in scope.nonlocals:
                self.scope.nonlocals.add("tick")
        for ind, text, ll in lines:
            self.scope.lines.append((ind + self.indent, text, ll))
        r = self.temp()
        self.emit("while True:")
        self.indent += 1
        self.emit(TICK)
        self.scope.nonlocals.add("tick")
        self.emit("%s = %s()" % (r, name))
        self.emit("if type(%s) is not int: break" % r)
        self.indent -= 1
        self.emit("if %s is not None:" % r)
        self.indent += 1
        if any(lp.kind == "lua" or lp.kind == "blk" for lp in self.loops):
            # a break or continue of the enclosing loop
            self.emit("if %s is BRK:" % r)
            self.indent += 1
            self.do_break(None)
            self.indent -= 1
            self.emit("elif type(%s) is str:" % r)
            self.indent += 1
            self.do_continue()
            self.indent -= 1
            self.emit("else:")
            self.indent += 1
            self.do_return_value(r)
            self.indent -= 1
        else:
            self.do_return_value(r)
        self.indent -= 1

    # ---- statements
    def stat(self, s):
        self.line = s.line or self.line
        t = type(s)
        m = getattr(self, "st_" + t.__name__)
        m(s)

    def st_Local(self, s):
        self.local(s)

    def local(self, s):
        targets = [v.pyname for v in s.vars]
        for v in s.vars:
            v.pyscope = self.scope
        self.assign_values(targets, s.exps)

    def assign_values(self, targets, exps):
        n = len(targets)
        if not exps:
            self.emit("%s = %s" % (" = ".join(targets), "None"))
            return
        if n == 1 and len(exps) == 1:
            self.emit("%s = %s" % (targets[0], self.exp(exps[0]).code))
            return
        if len(exps) == n and not self._is_multi(exps[-1]):
            vals = [self.exp(e).code for e in exps]
            self.emit("%s = %s" % (", ".join(targets), ", ".join(vals)))
            return
        vals = self.explist_tuple(exps)
        if n == 1:
            self.emit("%s = (%s + N1)[0]" % (targets[0], vals))
        else:
            self.emit("%s, = (%s + %s)[:%d]" % (", ".join(targets), vals, "(None,) * %d" % n, n))

    def explist_tuple(self, exps):
        """Python expression for a tuple holding all values of an expression list."""
        if not exps:
            return "()"
        return "(%s,)" % self.arglist(exps)

    def arglist(self, exps):
        if not exps:
            return ""
        parts = [self.exp(e).code for e in exps[:-1]]
        last = exps[-1]
        if self._is_multi(last):
            parts.append("*" + self.multi(last))
        else:
            parts.append(self.exp(last).code)
        return ", ".join(parts)

    @staticmethod
    def _is_multi(e):
        return type(e) in (N.Call, N.Method, N.Vararg)

    def multi(self, e):
        if type(e) is N.Vararg:
            return "VA"
        return self.call(e)

    def st_Assign(self, s):
        if len(s.targets) == 1 and len(s.exps) == 1:
            tg = s.targets[0]
            if type(tg) is N.Name:
                self.assign_name(tg, self.exp(s.exps[0]).code)
            elif self._is_append(tg, s.exps[0]):
                # t[#t + 1] = v on a plain array-like table: one store
                t, n, h = tg.obj.var.pyname, self.temp(), self.temp()
                self.emit("if type(%s) is LuaTable and %s.meta is None and ((%s := len(%s := %s.hash)) == 0 or %s in %s) "
                          "and %s + 1 not in %s: %s[%s + 1] = %s; %s.keys = None" % (
                              t, t, n, h, t, n, h, n, h, h, n, self.exp(s.exps[0]).code, t))
                self.emit("else:")
                self.indent += 1
                ot, kt, vt = (self._stable(x) for x in (tg.obj, tg.key, s.exps[0]))
                self.setindex(ot, kt, vt, self.desc(tg.obj), tg.key)
                self.indent -= 1
            else:
                # table, key, value evaluated in order; a local that no closure assigns cannot
                # change meanwhile and is used as it is
                ot, kt, vt = (self._stable(x) for x in (tg.obj, tg.key, s.exps[0]))
                self.setindex(ot, kt, vt, self.desc(tg.obj), tg.key)
            return
        # general case: evaluate table/key subexpressions, then all values, then assign
        prepared = []
        for tg in s.targets:
            if type(tg) is N.Name:
                prepared.append((tg, None, None))
            else:
                ot, kt = self.temp(), self.temp()
                self.emit("%s = %s" % (ot, self.exp(tg.obj).code))
                self.emit("%s = %s" % (kt, self.exp(tg.key).code))
                prepared.append((tg, ot, kt))
        temps = [self.temp() for _ in s.targets]
        self.assign_values(temps, s.exps)
        for (tg, ot, kt), vt in zip(prepared, temps):
            if ot is None:
                self.assign_name(tg, vt)
            else:
                self.setindex(ot, kt, vt, self.desc(tg.obj), tg.key)

    def assign_name(self, tg, code):
        v = tg.var
        if v is not None:
            if v.pyscope is not self.scope:
                self.scope.nonlocals.add(v.pyname)
            self.emit("%s = %s" % (v.pyname, code))
            return
        env = self.env_code(tg.env)
        vt = self.temp()
        self.emit("%s = %s" % (vt, code))
        self.setindex(env, repr(tg.name), vt, None, N.String(0, tg.name))

    def env_code(self, envvar):
        return envvar.pyname

    def _pure(self, e):
        """e has a value that is never nil, and evaluating it runs no code (no call, no metamethod)."""
        t = type(e)
        if t is N.Paren:
            return self._pure(e.exp)
        if t in (N.Number, N.String, N.TrueExp, N.FalseExp):
            return True
        if t is N.BinOp and e.op == ".." and type(e.a) is N.String:
            return is_int_exp(e.b) and self._pure_int(e.b)
        if t is N.BinOp and e.op in ("+", "-", "*", "%", "//", "&", "|", "~", "<<", ">>") and is_int_exp(e):
            # integer operands: only // and % by zero could raise, and then nothing was stored
            return e.op not in ("//", "%") and self._pure_int(e.a) and self._pure_int(e.b)
        return False

    def _pure_int(self, e):
        return (type(e) is N.Name and e.var is not None and e.var.isint) or self._pure(e)

    def _is_append(self, tg, v):
        """t[#t + 1] = v, t a local no closure assigns, v a pure expression."""
        o, k = tg.obj, tg.key
        return (type(o) is N.Name and o.var is not None and not o.var.assigned_inner
                and type(k) is N.BinOp and k.op == "+" and type(k.b) is N.Number and k.b.value == 1
                and type(k.a) is N.UnOp and k.a.op == "#" and type(k.a.a) is N.Name and k.a.a.var is o.var
                and self._pure(v))

    def _stable(self, e):
        """A Python name or constant for e's value, through a temp unless it cannot change."""
        x = self.exp(e)
        t = type(e)
        if x.kind == "simple" and (t in _CONSTS or t is N.Name and e.var is not None and not e.var.assigned_inner):
            return x.code if x.code.isidentifier() else "(%s)" % x.code
        r = self.temp()
        self.emit("%s = %s" % (r, x.code))
        return r

    def setindex(self, o, k, v, desc, keynode):
        const_str = type(keynode) is N.String or is_int_exp(keynode)
        if const_str:
            cond = "type(%s) is LuaTable and %s is not None and (%s.meta is None or %s in %s.hash)" % (o, v, o, k, o)
        else:
            cond = ("type(%s) is LuaTable and %s is not None and type(%s) in RAWKEYS and (%s.meta is None or %s in %s.hash)"
                    % (o, v, k, o, k, o))
        self.emit("if %s:" % cond)
        self.indent += 1
        h = self.temp()
        self.emit("%s = %s.hash" % (h, o))
        self.emit("if %s not in %s: %s.keys = None" % (k, h, o))
        self.emit("%s[%s] = %s" % (h, k, v))
        self.indent -= 1
        self.emit("else: RT.setindex(%s, %s, %s, %r)" % (o, k, v, desc))

    def st_CallStat(self, s):
        r = self.temp()
        spec = self._intrinsic(s.call)
        if spec is not None:
            site = self.site(self.desc(s.call.func))
            stmt = spec[4] if len(spec) > 4 else spec[3]
            self._intrinsic_block(s.call, spec, lambda names, t, h: stmt.format(*names, t=t, h=h),
                                  lambda f, names: "(%s := %s)(%s)" % (site, f, ", ".join(names)))
            self.emit("if type(%s := %s) is TailCall: %s.resolve()" % (r, self.call(s.call), r))
            self.indent -= 1
            return
        self.emit("if type(%s := %s) is TailCall: %s.resolve()" % (r, self.call(s.call), r))

    def st_Do(self, s):
        self.block(s.body)

    def st_While(self, s):
        pre_len = len(self.scope.lines)
        cond = self.truth(s.cond)
        if len(self.scope.lines) != pre_len:
            # the condition needed helper statements: re-evaluate them each iteration
            pre = self.scope.lines[pre_len:]
            del self.scope.lines[pre_len:]
            self.emit("while True:")
            self.indent += 1
            for ind, text, ll in pre:
                self.scope.lines.append((ind + 1, text, ll))
            self.emit("if not (%s): break" % cond)
        else:
            self.emit("while %s:" % cond)
            self.indent += 1
        self.scope.nonlocals.add("tick")
        self.emit(TICK)
        self.loop_body(s, s.body, [])
        self.indent -= 1

    def st_Repeat(self, s):
        self.emit("while True:")
        self.indent += 1
        self.scope.nonlocals.add("tick")
        self.emit(TICK)
        self.repeat_bodies.add(id(s.body))
        self.loop_body(s, s.body, [], until=s.cond)
        self.indent -= 1

    def st_NumFor(self, s):
        a = self.exp(s.start).code
        b = self.exp(s.stop).code
        c = self.exp(s.step).code if s.step is not None else "1"
        v = s.vinfo
        v.pyscope = self.scope
        if s.fresh:
            it = self.temp()
            self.emit("for %s in RT.numfor(%s, %s, %s):" % (it, a, b, c))
            self.indent += 1
            self.loop_body(s, s.body, [(v, it)])
        else:
            self.emit("for %s in RT.numfor(%s, %s, %s):" % (v.pyname, a, b, c))
            self.indent += 1
            self.loop_body(s, s.body, [])
        self.indent -= 1

    def st_GenFor(self, s):
        vals = self.explist_tuple(s.exps)
        n = len(s.vars)
        for v in s.vars:
            v.pyscope = self.scope
        if s.fresh:
            temps = [self.temp() for _ in s.vars]
            target = ", ".join(temps)
            pairs = list(zip(s.vars, temps))
        else:
            target = ", ".join(v.pyname for v in s.vars)
            pairs = []
        self.emit("for %s in RT.genfor(%d, *%s):" % (target, n, vals))
        self.indent += 1
        # the loop may have a closing value: as in Lua 5.4, no call in its body is a tail call
        self.close_depth += 1
        self.loop_body(s, s.body, pairs)
        self.close_depth -= 1
        self.indent -= 1

    def loop_body(self, node, body, fresh_pairs, until=None):
        """Emit a loop body; as a nested function when it needs fresh bindings."""
        cont_label = self._trailing_label(body) if until is None else None
        if cont_label is not None:
            self._mark_continue_gotos(body, cont_label)
        if not node.fresh:
            self.loops.append(_Loop("lua", node, cont_label))
            self.block(body)
            if until is not None:
                self.emit("if %s: break" % self.truth_scoped(until, body))
            self.emit("pass")
            self.loops.pop()
            return
        # nested function: each call has its own locals (fresh upvalues per iteration)
        self.nfuncs += 1
        name = "B_%d" % self.nfuncs
        params = [v.pyname for v, _ in fresh_pairs]
        args = [t for _, t in fresh_pairs]
        parent_scope, parent_indent, parent_loops = self.scope, self.indent, self.loops
        scope = PyScope(parent_scope, "blk")
        for v, _ in fresh_pairs:
            v.pyscope = scope
        self.scope = scope
        self.indent = 1
        self.loops = parent_loops + [_Loop("blk", node, cont_label)]
        self.block(body)
        if until is not None:
            self.emit("if %s: return BRK" % self.truth_scoped(until, body))
        self.emit("return None")
        lines = scope.lines
        self.scope, self.indent, self.loops = parent_scope, parent_indent, parent_loops
        self.emit("def %s(%s):" % (name, ", ".join(params)))
        if scope.nonlocals:
            self.scope.lines.append((self.indent + 1, "nonlocal " + ", ".join(sorted(scope.nonlocals)), self.line))
            if "tick" in scope.nonlocals:
                self.scope.nonlocals.add("tick")
        for ind, text, ll in lines:
            self.scope.lines.append((ind + self.indent, text, ll))
        r = self.temp()
        self.emit("%s = %s(%s)" % (r, name, ", ".join(args)))
        self.emit("if %s is not None:" % r)
        self.indent += 1
        self.emit("if %s is BRK: break" % r)
        self.do_return_value(r)
        self.indent -= 1

    def truth_scoped(self, cond, body):
        return self.truth(cond)

    def _trailing_label(self, body):
        i = len(body)
        while i > 0 and type(body[i - 1]) is N.Label:
            i -= 1
        if i < len(body):
            return {s.name for s in body[i:]}
        return None

    def _mark_continue_gotos(self, body, labels):
        """Gotos to a label ending the loop body, not inside a nested loop: 'continue'."""
        def walk(ss):
            for s in ss:
                t = type(s)
                if t is N.Goto and s.label in labels:
                    s.as_continue = True
                elif t is N.Do:
                    walk(s.body)
                elif t is N.If:
                    for _, b in s.tests:
                        walk(b)
                    if s.orelse:
                        walk(s.orelse)
        walk(body)

    def st_If(self, s):
        first = True
        depth = 0
        for cond, blk in s.tests:
            pre_len = len(self.scope.lines)
            c = self.truth(cond)
            has_pre = len(self.scope.lines) != pre_len
            if first:
                self.emit("if %s:" % c)
            elif not has_pre:
                self.emit("elif %s:" % c)
            else:
                pre = self.scope.lines[pre_len:]
                del self.scope.lines[pre_len:]
                self.emit("else:")
                self.indent += 1
                depth += 1
                for ind, text, ll in pre:
                    self.scope.lines.append((ind + 1, text, ll))
                self.emit("if %s:" % c)
            first = False
            self.indent += 1
            self.block(blk)
            self.emit("pass")
            self.indent -= 1
        if s.orelse:
            self.emit("else:")
            self.indent += 1
            self.block(s.orelse)
            self.emit("pass")
            self.indent -= 1
        self.indent -= depth

    def st_FunctionStat(self, s):
        name = self.function(s.func)
        tg = s.target
        if type(tg) is N.Name:
            self.assign_name(tg, name)
        else:
            ot, kt = self.temp(), self.temp()
            self.emit("%s = %s" % (ot, self.exp(tg.obj).code))
            self.emit("%s = %s" % (kt, self.exp(tg.key).code))
            self.setindex(ot, kt, name, self.desc(tg.obj), tg.key)

    def st_LocalFunction(self, s):
        v = s.vinfo
        v.pyscope = self.scope
        self.emit("%s = None" % v.pyname)
        name = self.function(s.func)
        self.emit("%s = %s" % (v.pyname, name))

    def st_Return(self, s):
        exps = s.exps
        in_close = self.close_depth > 0
        if len(exps) == 1 and type(exps[0]) in (N.Call, N.Method) and not in_close:
            self.tailcall(exps[0])
            return
        elif len(exps) == 1 and type(exps[0]) is N.Vararg:
            code = "VA"
        elif len(exps) == 1 and type(exps[0]) in (N.Call, N.Method):
            code = "(*%s,)" % self.call(exps[0])
        else:
            code = self.explist_tuple(exps)
        self.do_return_value(code)

    def do_return_value(self, code):
        self.emit("return %s" % code)

    def st_Break(self, s):
        self.do_break(s)

    def do_break(self, s):
        # innermost Python construct decides how to leave
        if not self.loops:
            raise CompileError("break outside loop at line %d" % (s.line if s else self.line), self.line)
        loop = self.loops[-1]
        if loop.kind == "lua":
            self.emit("break")
        elif loop.kind == "blk" or loop.kind == "dispatchfn":
            self.emit("return BRK")
        else:  # dispatch loop: leave it, then break the enclosing loop
            loop.continue_label.add("break")
            self.emit("%s = 'break'; break" % loop.flag)

    def do_continue(self):
        loop = self.loops[-1] if self.loops else None
        if loop is None:
            raise CompileError("internal: continue outside loop", self.line)
        if loop.kind == "lua":
            self.emit("continue")
        elif loop.kind == "blk":
            self.emit("return None")
        elif loop.kind == "dispatchfn":
            self.emit("return 'continue'")
        else:
            loop.continue_label.add("continue")
            self.emit("%s = 'continue'; break" % loop.flag)

    def st_Goto(self, s):
        if getattr(s, "as_continue", False):
            self.do_continue()
            return
        # find the dispatch loop owning the label
        for i in range(len(self.loops) - 1, -1, -1):
            loop = self.loops[i]
            if (loop.kind == "dispatch" or loop.kind == "dispatchfn") and s.label in loop.node[1]:
                var, index, ident = loop.node
                if i == len(self.loops) - 1:
                    if loop.kind == "dispatchfn":
                        self.emit("return %d" % index[s.label])
                    else:
                        self.emit("%s = %d; continue" % (var, index[s.label]))
                else:
                    self.emit("raise GotoJump(%d, %d)" % (ident, index[s.label]))
                return
        raise CompileError("no visible label '%s' for <goto> at line %d" % (s.label, s.line), s.line)

    def st_Label(self, s):
        pass

    # ---- expressions
    def desc(self, e):
        while type(e) is N.Paren:
            e = e.exp
        t = type(e)
        if t is _Pre:
            return e.desc
        if t is N.Name:
            v = e.var
            if v is None:
                return "global '%s'" % e.name
            if v.func is not None and self._is_upvalue(v):
                return "upvalue '%s'" % e.name
            return "local '%s'" % e.name
        if t is N.Index:  # as 5.4's getobjname names OP_GETFIELD, OP_GETI and OP_GETTABLE
            k = e.key
            if type(k) is N.String:
                on_env = type(e.obj) is N.Name and e.obj.name == "_ENV"
                return "%s '%s'" % ("global" if on_env else "field", k.value)
            if type(k) is N.Number and type(k.value) is int and 0 <= k.value <= 255:
                return "field 'integer index'"
            return "field '?'"
        if t is N.Method:
            return "method '%s'" % e.name
        if t is N.String:
            return "constant '%s'" % e.value
        return None

    def _is_upvalue(self, v):
        s = self.scope
        while s is not None and s.kind == "blk":
            s = s.parent
        # v belongs to the current Lua function if its pyscope is this function or a blk in it
        p = v.pyscope
        while p is not None and p.kind == "blk":
            p = p.parent
        return p is not s

    def exp(self, e) -> PyExpr:
        t = type(e)
        if t is _Pre:
            return PyExpr(e.code, "simple")
        if (t is N.BinOp or t is N.UnOp) and self._spine(e) > _DEEP:
            return self.deep(e)
        if t is N.Name:
            v = e.var
            if v is not None:
                if v.pyname == "ENV" and v.func is None:  # the chunk's _ENV read as a value
                    return PyExpr("UNENV(ENV)")
                return PyExpr(v.pyname, "simple")
            env = self.env_code(e.env)
            # (not `hash.get(k) or ...`: a table's truth test would call LuaTable.__len__)
            if e.env.pyname != "ENV":
                return PyExpr("RT.index(%s, %r, %r)" % (env, e.name, "upvalue '_ENV'"))
            return PyExpr(self._chain(env, repr(e.name), "RT.index(%s, %r, None)" % (env, e.name)))
        if t is N.Number:
            v = e.value
            if type(v) is int:
                # parenthesised: the code may be followed by an attribute (`(10).hash`)
                return PyExpr("(%d)" % v, "simple")
            c = _pyconst(v)
            return PyExpr(c if c.isidentifier() or c.startswith("(") else "(%s)" % c, "simple")
        if t is N.String:
            return PyExpr(repr(e.value), "simple")
        if t is N.Nil:
            return PyExpr("None", "simple")
        if t is N.TrueExp:
            return PyExpr("True", "simple")
        if t is N.FalseExp:
            return PyExpr("False", "simple")
        if t is N.Vararg:
            return PyExpr("(VA[0] if VA else None)")
        if t is N.Paren:
            inner = self.exp(e.exp)
            return inner
        if t is N.Call or t is N.Method:
            spec = self._intrinsic(e)
            if spec is not None and spec[3] is not None:
                return PyExpr(self._inline_call(e, spec))
            return PyExpr("(%s or N1)[0]" % self.call(e))
        if t is N.Index:
            return self.index(e)
        if t is N.Function:
            return PyExpr(self.function(e))
        if t is N.Table:
            return self.table(e)
        if (t is N.And or t is N.Or) and type(e.a) in _CONSTS:
            falsy = type(e.a) in (N.Nil, N.FalseExp)
            if t is N.And:
                return self.exp(e.a) if falsy else self.exp(e.b)
            return self.exp(e.b) if falsy else self.exp(e.a)
        if t is N.And:
            a = self.exp(e.a)
            b = self.exp(e.b)
            if a.kind == "bool":
                return PyExpr("(%s and %s)" % (a.code, b.code))
            r = self.temp()
            return PyExpr("(%s if (%s := %s) is None or %s is False else %s)" % (r, r, a.code, r, b.code))
        if t is N.Or:
            a = self.exp(e.a)
            b = self.exp(e.b)
            if a.kind == "bool":
                return PyExpr("(%s or %s)" % (a.code, b.code))
            r = self.temp()
            return PyExpr("(%s if (%s := %s) is not None and %s is not False else %s)" % (r, r, a.code, r, b.code))
        if t is N.UnOp:
            return self.unop(e)
        if t is N.BinOp:
            return self.binop(e)
        raise AssertionError(t)

    @staticmethod
    def _spine(e):
        """How many operators deep the left operand chain of e goes."""
        n = 0
        while True:
            t = type(e)
            if t is N.BinOp and not (e.op == ".." and type(e.b) is N.BinOp and e.b.op == ".."):
                e = e.a
            elif t is N.UnOp:
                e = e.a
            elif t is N.Paren:
                e = e.exp
                continue
            else:
                return n
            n += 1
            if n > _DEEP:
                return n

    def deep(self, e):
        """A long operator chain (x + x + ... a thousand times): Python refuses expressions nested
        that deeply, so a block function evaluates it one operator per statement, in Lua's order."""
        nodes = []
        x = e
        while True:
            t = type(x)
            if t is N.BinOp and not (x.op == ".." and type(x.b) is N.BinOp and x.b.op == ".."):
                nodes.append(x)
                x = x.a
            elif t is N.UnOp:
                nodes.append(x)
                x = x.a
            elif t is N.Paren:
                x = x.exp
            else:
                break
        self.nfuncs += 1
        name = "B_%d" % self.nfuncs
        parent_scope, parent_indent = self.scope, self.indent
        scope = PyScope(parent_scope, "blk")
        self.scope, self.indent = scope, 1
        bottom = self.exp(x)
        if bottom.kind == "simple":
            pre = _Pre(bottom.code, is_int_exp(x), self.desc(x))
        else:
            r = self.temp()
            self.emit("%s = %s" % (r, bottom.code))
            pre = _Pre(r, is_int_exp(x), self.desc(x))
        for node in reversed(nodes):
            node = copy.copy(node)
            node.a = pre
            code = (self.binop(node) if type(node) is N.BinOp else self.unop(node)).code
            r = self.temp()
            self.emit("%s = %s" % (r, code))
            pre = _Pre(r, is_int_exp(node))
        self.emit("return %s" % r)
        lines = scope.lines
        self.scope, self.indent = parent_scope, parent_indent
        self.emit("def %s():" % name)
        if scope.nonlocals:
            self.scope.lines.append((self.indent + 1, "nonlocal " + ", ".join(sorted(scope.nonlocals)), self.line))
            self.scope.nonlocals.update(n for n in scope.nonlocals if n == "tick")
        for ind, text, ll in lines:
            self.scope.lines.append((ind + self.indent, text, ll))
        return PyExpr("%s()" % name)

    def truth(self, e) -> str:
        """Python condition for Lua truthiness of e."""
        x = self.exp(e)
        if x.kind == "bool":
            return x.code
        if x.code in ("None", "False"):
            return "False"
        if x.code == "True":
            return "True"
        if x.kind == "simple":
            if x.code[0] in "'\"(0123456789" or x.code in ("INF", "NAN"):
                return "True"
            return "(%s is not None and %s is not False)" % (x.code, x.code)
        r = self.temp()
        return "((%s := %s) is not None and %s is not False)" % (r, x.code, r)

    def _bind(self, x: PyExpr):
        """(binding code, name): evaluate once into a temp unless already simple."""
        if x.kind == "simple":
            return x.code, x.code
        r = self.temp()
        return "(%s := %s)" % (r, x.code), r

    def index(self, e):
        o = self.exp(e.obj)
        desc = self.desc(e.obj)
        ob, on = self._bind(o)
        if type(e.key) is N.String:
            k = repr(e.key.value)
            r = self.temp()
            return PyExpr("(%s if type(%s) is LuaTable and (%s) else RT.index(%s, %s, %r))" % (
                r, ob, self._chain_test(r, on, k), on, k, desc))
        kx = self.exp(e.key)
        r = self.temp()
        if kx.kind == "simple" and is_int_exp(e.key):
            return PyExpr("(%s if type(%s) is LuaTable and ((%s := %s.hash.get(%s)) is not None "
                          "or %s.meta is None) else RT.index(%s, %s, %r))" % (r, ob, r, on, kx.code, on, on, kx.code, desc))
        if kx.kind == "simple":
            kn = kx.code
            return PyExpr("(%s if type(%s) is LuaTable and type(%s) is not bool and ((%s := %s.hash.get(%s)) is not None "
                          "or %s.meta is None) else RT.index(%s, %s, %r))" % (r, ob, kn, r, on, kn, on, on, kn, desc))
        kt = self.temp()
        # evaluate object then key, whatever happens next
        return PyExpr("(%s if ((%s, (%s := %s)) and type(%s) is LuaTable and type(%s) is not bool and "
                      "((%s := %s.hash.get(%s)) is not None or %s.meta is None)) else RT.index(%s, %s, %r))"
                      % (r, ob, kt, kx.code, on, kt, r, on, kt, on, on, kt, desc))

    def call(self, e) -> str:
        """Python expression for the full result (tuple or TailCall) of a call.

        A call on another line than its statement's goes on a Python line of its own (inside
        parentheses, after a line marker that compile_chunk reads): the positions of its errors
        and debug.getinfo's currentline are its line, as Lua's."""
        code = self._call(e)
        if e.line and e.line != self.line:
            return "(#@%d\n%s #@%d\n)" % (e.line, code, self.line)
        return code

    def _call(self, e) -> str:
        if type(e) is N.Method:
            o = self.exp(e.obj)
            ob, on = self._bind(o)
            if o.kind != "simple":
                # make sure the receiver is bound before the arguments use it
                pass
            r = self.temp()
            k = repr(e.name)
            site = self.site("method '%s'" % e.name)
            f = self._method_lookup(ob, on, r, k, self.desc(e.obj))
            args = self.arglist(e.args)
            return "(%s := %s)(%s%s)" % (site, f, on, (", " + args) if args else "")
        f = self.exp(e.func)
        site = self.site(self.desc(e.func))
        return "(%s := %s)(%s)" % (site, f.code, self.arglist(e.args))

    def _intrinsic(self, e):
        """The _INTRINSICS entry for a call like `setmetatable(a, b)` or `math.abs(x)`, or None."""
        if type(e) is not N.Call:
            return None
        fn = e.func
        if type(fn) is N.Name and fn.var is None and fn.env.pyname == "ENV":
            key = (fn.name, None)
        elif (type(fn) is N.Index and type(fn.obj) is N.Name and fn.obj.var is None
              and fn.obj.env.pyname == "ENV" and type(fn.key) is N.String):
            key = (fn.obj.name, fn.key.value)
        else:
            return None
        spec = _INTRINSICS.get(key)
        if spec is None or len(e.args) != spec[0] or (e.args and self._is_multi(e.args[-1])):
            return None
        return spec

    def _chain(self, t, k, miss):
        """t[k] for a table t by raw reads: its own field, else (no metatable: nil) a field of
        its metatable's __index table (class defaults, the sandbox's globals and read-only
        library proxies); anything else is `miss`."""
        r = self.temp()
        return "(%s if %s else %s)" % (r, self._chain_test(r, t, k), miss)

    def _chain_test(self, r, t, k):
        m, i = self.temp(), self.temp()
        return ("(%s := %s.hash.get(%s)) is not None or (%s := %s.meta) is None or "
                "type(%s := %s.hash.get('__index')) is LuaTable and (%s := %s.hash.get(%s)) is not None"
                % (r, t, k, m, t, i, m, r, i, k))

    def _meta_get(self, t, k):
        """Raw read of k in the __index table of t's metatable, or None (t: a table)."""
        m, i = self.temp(), self.temp()
        return ("(%s.hash.get(%s) if (%s := %s.meta) is not None and type(%s := %s.hash.get('__index')) is LuaTable "
                "else None)" % (i, k, m, t, i, m))

    def _raw_check(self, e, spec, f):
        """Test that the callee is the library function, by raw reads of the globals (no
        metamethod, so no side effect: when it fails, the ordinary code looks again).  A miss
        looks once in the metatable's __index table (the sandbox's globals, read-only library
        proxies); a hit costs one dict read per name."""
        fn = e.func
        if "{f} is K" in spec[1]:
            def is_k(get, t, k):
                return "((%s := %s) is %s or %s is None and (%s := %s) is %s)" % (
                    f, get, spec[1][7:], f, f, self._meta_get(t, k), spec[1][7:])
        else:
            def is_k(get, t, k):
                test = spec[1].format(f=f)
                return "(((%s := %s) is not None or (%s := %s) is not None) and %s)" % (
                    f, get, f, self._meta_get(t, k), test)
        if type(fn) is N.Name:
            return is_k("ENV.hash.get(%r)" % fn.name, "ENV", repr(fn.name))
        m = self.temp()
        lib = "(type(%s := ENV.hash.get(%r)) is LuaTable or %s is None and type(%s := %s) is LuaTable)" % (
            m, fn.obj.name, m, m, self._meta_get("ENV", repr(fn.obj.name)))
        return "(%s and %s)" % (lib, is_k("%s.hash.get(%r)" % (m, fn.key.value), m, repr(fn.key.value)))

    def _bind_args(self, e):
        """Statements binding the arguments in order; returns their Python names."""
        names = []
        for a in e.args:
            x = self.exp(a)
            if x.kind == "simple":
                names.append(x.code if x.code.isidentifier() else "(%s)" % x.code)
            else:
                r = self.temp()
                self.emit("%s = %s" % (r, x.code))
                names.append(r)
        return names

    def _intrinsic_block(self, e, spec, inline, fallback):
        """if <callee is the library function>: arguments, then inline(...) when the guard holds,
        else fallback(callee, names) -- the library function called with the same values.
        Returns with the emitter inside the 'else:' branch (the ordinary code goes there)."""
        f = self.temp()
        self.emit("if %s:" % self._raw_check(e, spec, f))
        self.indent += 1
        names = self._bind_args(e)
        t, h = self.temp(), self.temp()
        self.emit("if %s: %s" % (spec[2].format(*names, t=t, h=h), inline(names, t, h)))
        self.emit("else: %s" % fallback(f, names))
        self.indent -= 1
        self.emit("else:")
        self.indent += 1

    def _inline_call(self, e, spec):
        """One value of an intrinsic call: inline when the callee is the library function."""
        f, k = self.temp(), self.temp()
        check = self._raw_check(e, spec, f)
        binds = []
        names = []
        for a in e.args:
            x = self.exp(a)
            if x.kind == "simple":
                names.append(x.code if x.code.isidentifier() else "(%s)" % x.code)
            else:
                r = self.temp()
                binds.append("(%s := %s)" % (r, x.code))
                names.append(r)
        t = self.temp()
        guard = spec[2].format(*names, t=t)
        value = spec[3].format(*names, t=t)
        if binds:  # the arguments, each evaluated once, after the callee
            guard = "(%s,) and %s" % (", ".join(binds), guard)
        site = self.site(self.desc(e.func))
        return "(%s if (%s := %s) and %s else ((%s := %s)(%s) or N1)[0] if %s else (%s or N1)[0])" % (
            value, k, check, guard, site, f, ", ".join(names), k, self.call(e))

    def _method_lookup(self, ob, on, r, k, desc):
        """obj.name for a method call; inlines the usual class pattern (__index table)."""
        mt, ix = self.temp(), self.temp()
        return ("(%s if type(%s) is LuaTable and ((%s := %s.hash.get(%s)) is not None or ((%s := %s.meta) is not None "
                "and type(%s := %s.hash.get('__index')) is LuaTable and (%s := %s.hash.get(%s)) is not None)) "
                "else RT.index(%s, %s, %r))" % (r, ob, r, on, k, mt, on, ix, mt, r, ix, k, on, k, desc))

    def tailcall(self, e):
        spec = self._intrinsic(e)
        if spec is not None and spec[3] is not None:
            site = self.site(self.desc(e.func))
            self._intrinsic_block(e, spec, lambda names, t, h: "return (%s,)" % spec[3].format(*names, t=t, h=h),
                                  lambda f, names: "return (%s := %s)(%s)" % (site, f, ", ".join(names)))
            self.tailcall_plain(e)
            self.indent -= 1
            return
        self.tailcall_plain(e)

    def tailcall_plain(self, e):
        if type(e) is N.Method:
            o = self.exp(e.obj)
            ob, on = self._bind(o)
            r = self.temp()
            k = repr(e.name)
            fcode = self._method_lookup(ob, on, r, k, self.desc(e.obj))
            args = self.arglist(e.args)
            args = on + ((", " + args) if args else "")
            desc = "method '%s'" % e.name
        else:
            fcode = self.exp(e.func).code
            args = self.arglist(e.args)
            desc = self.desc(e.func)
        f = self.temp()
        site = self.site(desc)
        t = self.temp()
        # a Lua callee runs after this frame is gone (TailCall); a library function is called here
        self.emit("%s = %s" % (f, fcode))
        if args:
            a = self.temp()
            self.emit("%s = (%s,)" % (a, args))
        else:
            a = "()"
        # a Lua function (its globals hold the chunk info) or a Python function that is not a
        # library function; hashing a code object is slow, so Lua functions are told apart first
        self.emit("if type(%s) is FT and ('__luachunk__' in %s.__globals__ or %s.__code__ not in LIBC)"
                  " or type(%s) is LuaTable and CTAB(%s):" % (f, f, f, f, f))
        self.emit("    %s = NEW(TailCall); %s.f = %s; %s.args = %s; return %s" % (t, t, f, t, a, t))
        self.do_return_value("(%s := %s)(*%s)" % (site, f, a) if args else "(%s := %s)()" % (site, f))

    def _stable_node(self, e):
        t = type(e)
        return t in _CONSTS or t is N.Name and e.var is not None and not e.var.assigned_inner

    def table(self, e):
        items = e.items
        if all(self._stable_node(v) and (k is None or type(k) is N.String) for k, v in items) and \
                (all(k is None for k, _ in items) or all(k is not None for k, _ in items)):
            # items that nothing can change meanwhile: build the table in statements before the
            # expression (no constructor call), in a temp
            t = self.temp()
            vals = [(k, self.exp(v)) for k, v in items]
            if not items:
                d = "{}"
            elif items[0][0] is None:
                d = "{%s}" % ", ".join("%d: %s" % (i, x.code) for i, (_, x) in enumerate(vals, 1))
            else:
                d = "{%s}" % ", ".join("%r: %s" % (k.value, x.code) for k, x in vals)
            self.emit("%s = NEW(LuaTable); %s.meta = %s.keys = None" % (t, t, t))
            if any(type(v) in (N.Name, N.Nil) for _, v in items):
                h = self.temp()
                self.emit("%s.hash = %s if None not in (%s := %s).values() else {k: v for k, v in %s.items() if v is not None}"
                          % (t, h, h, d, h))
            else:
                self.emit("%s.hash = %s" % (t, d))
            return PyExpr(t, "simple")
        if not e.items:
            return PyExpr("LuaTable()")
        pos = []
        keyed = []
        last_multi = None
        for i, (k, v) in enumerate(e.items):
            if k is None:
                if i == len(e.items) - 1 and self._is_multi(v):
                    last_multi = v
                else:
                    pos.append(self.exp(v).code)
            else:
                keyed.append((self.exp(k).code, self.exp(v).code))
        if last_multi is not None:
            pos.append("*" + self.multi(last_multi))
        p = "(%s,)" % ", ".join(pos) if pos else "()"
        if keyed and not pos and all(type(k) is N.String for k, _ in e.items):
            d = "{%s}" % ", ".join("%r: %s" % (k.value, v) for (k, _), (_, v) in zip(e.items, keyed))
            return PyExpr("TD(%s)" % d)
        if not keyed and last_multi is None:
            return PyExpr("TP(%s)" % p)
        if keyed:
            kv = "(%s,)" % ", ".join("(%s, %s)" % kv for kv in keyed)
            return PyExpr("RT.newtable(%s, %s)" % (p, kv))
        return PyExpr("RT.newtable(%s)" % p)

    def unop(self, e):
        op = e.op
        if op == "-" and type(e.a) is N.Number:
            v = e.a.value
            if type(v) is float or v != 0 or True:
                if type(v) is int and v == MININT:
                    pass
                else:
                    return self.exp(N.Number(e.line, -v if type(v) is float else (-v if -v >= MININT else float(-v))))
        a = self.exp(e.a)
        ab, an = self._bind(a)
        d = self.desc(e.a)
        if op == "not":
            if a.kind == "bool":
                return PyExpr("(not %s)" % a.code, "bool")
            return PyExpr("(%s is None or %s is False)" % (ab, an), "bool")
        if op == "-":
            return PyExpr("(-%s if (type(%s) is int and %s != MININT) or type(%s) is float else RT.unm(%s, %r))"
                          % (an, ab, an, an, an, d))
        if op == "#" and type(e.a) is N.Number:  # '5.hash' would not even parse
            return PyExpr("RT.len(%s, %r)" % (an, d))
        if op == "#":
            t, n, h = self.temp(), self.temp(), self.temp()
            # a plain table whose border is its size (an array): no call at all
            return PyExpr("(len(%s) if (%s := type(%s)) is str else (%s if ((%s := len(%s := %s.hash)) == 0 or %s in %s) "
                          "and %s + 1 not in %s else %s.length()) if %s is LuaTable and %s.meta is None "
                          "else RT.len(%s, %r))" % (an, t, ab, n, n, h, an, n, h, n, h, an, t, an, an, d))
        if op == "~":
            return PyExpr("(~%s if type(%s) is int else RT.bnot(%s, %r))" % (an, ab, an, d))
        raise AssertionError(op)

    def binop(self, e):
        op = e.op
        if op == ".." and type(e.b) is N.BinOp and e.b.op == "..":
            return self.concat_chain(e)
        if op in ("==", "~="):
            code = self.equality(e)
            return PyExpr(code if op == "==" else "(not %s)" % code, "bool")
        a = self.exp(e.a)
        b = self.exp(e.b)
        da, db = self.desc(e.a), self.desc(e.b)
        ab, an = self._bind(a)
        bb, bn = self._bind(b)
        ia, ib = is_int_exp(e.a), is_int_exp(e.b)
        if op in ("<", "<=", ">", ">="):
            name = {"<": "lt", "<=": "le", ">": "lt", ">=": "le"}[op]
            sl, sr = (an, bn) if op in ("<", "<=") else (bn, an)
            if ia and ib:
                return PyExpr("(%s %s %s)" % (a.code, op, b.code), "bool")
            if b.kind == "simple" and (ib or type(e.b) is N.Number):
                t = self.temp()
                return PyExpr("(%s %s %s if (%s := type(%s)) is int or %s is float else RT.%s(%s, %s))"
                              % (an, op, bn, t, ab, t, name, sl, sr), "bool")
            if a.kind == "simple" and (ia or type(e.a) is N.Number):
                t = self.temp()
                return PyExpr("(%s %s %s if (%s := type(%s)) is int or %s is float else RT.%s(%s, %s))"
                              % (an, op, bn, t, bb, t, name, sl, sr), "bool")
            t = self.temp()
            return PyExpr("(%s %s %s if (%s := type(%s)) is type(%s) and (%s is int or %s is float or %s is str) "
                          "else RT.%s(%s, %s))" % (an, op, bn, t, ab, bb, t, t, t, name, sl, sr), "bool")
        helper = _ARITH[op]
        slow = "RT.%s(%s, %s, %r, %r)" % (helper, an, bn, da, db)
        bconst = e.b.value if type(e.b) is N.Number else None
        if op in ("+", "-", "*"):
            r = self.temp()
            small = type(bconst) is int and 0 <= bconst < 2 ** 32 and op != "*"
            if ia and ib:
                # integers in, integer out: only the 64-bit wrap-around goes to the runtime
                if small:
                    bound = ("(%s := %s + %s) <= %s" % (r, ab, bb, _MAX) if op == "+" else
                             "%s <= (%s := %s - %s)" % (_MIN, r, ab, bb))
                    return PyExpr("(%s if %s else %s)" % (r, bound, slow))
                return PyExpr("(%s if (%s := %s %s %s).bit_length() < 64 else %s)" % (r, r, ab, op, bb, slow))
            if type(bconst) is int:
                if small:
                    bound = "(%s := %s %s %s) <= %s" % (r, an, op, bn, _MAX) if op == "+" else \
                        "%s <= (%s := %s %s %s)" % (_MIN, r, an, op, bn)
                    return PyExpr("(%s if type(%s) is int and %s else %s)" % (r, ab, bound, slow))
                return PyExpr("(%s if type(%s) is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, ab, r, an, op, bn, slow))
            if type(bconst) is float:
                return PyExpr("(%s %s %s if type(%s) is float else %s)" % (an, op, bn, ab, slow))
            if (ia or type(e.a) is N.Number and type(e.a.value) is int) and a.kind == "simple":
                return PyExpr("(%s if type(%s) is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, bb, r, an, op, bn, slow))
            if ib and b.kind == "simple":
                return PyExpr("(%s if type(%s) is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, ab, r, an, op, bn, slow))
            t = self.temp()
            # (r.bit_length() < 64: the result fits in 64 bits; -2**63 itself takes the slow path)
            # (both operands are evaluated before any branch: a chained test unless b is a plain name)
            both = "(%s := type(%s)) is int and type(%s) is int" if b.kind == "simple" else "(%s := type(%s)) is type(%s) is int"
            return PyExpr(("(%s if " + both + " and (%s := %s %s %s).bit_length() < 64 else "
                           "%s %s %s if %s is float and type(%s) is float else %s)")
                          % (r, t, ab, bb, r, an, op, bn, an, op, bn, t, bn, slow))
        if op in ("//", "%") and type(bconst) is int and bconst > 0:
            if ia:
                return PyExpr("(%s %s %s)" % (a.code, op, b.code))
            return PyExpr("(%s %s %s if type(%s) is int else %s)" % (an, op, bn, ab, slow))
        if op == ".." and type(e.a) is N.String and type(e.b) is N.String and \
                len(e.a.value) + len(e.b.value) < 65000:
            # joined at run time, as Lua does (Python would fold 'a' + 'b' into one constant,
            # the same object as an equal literal: string.format('%p') tells them apart)
            return PyExpr("''.join((%s, %s))" % (a.code, b.code))
        if op == ".." and ib and type(e.a) is N.String and len(e.a.value) < 65000:
            return PyExpr("(%s + str(%s))" % (a.code, b.code))
        if op == ".." and type(e.a) is N.String and len(e.a.value) < 65000:
            t = self.temp()
            return PyExpr("(%s + %s if (%s := type(%s)) is str and len(%s) < %d else %s + str(%s) if %s is int else %s)"
                          % (an, bn, t, bb, bn, 65536 - len(e.a.value), an, bn, t, slow))
        if op == "/":
            return PyExpr("(%s / %s if type(%s) is type(%s) is float and %s else %s)" % (an, bn, ab, bb, bn, slow))
        if op in ("//", "%"):
            return PyExpr("(%s %s %s if type(%s) is type(%s) is int and %s > 0 else %s)"
                          % (an, op, bn, ab, bb, bn, slow))
        if op == "..":
            t = self.temp()
            return PyExpr("(%s + %s if (%s := type(%s)) is type(%s) is str and len(%s) + len(%s) < 65536 else "
                          "%s + str(%s) if %s is str and type(%s) is int and len(%s) < 65536 else %s)"
                          % (an, bn, t, ab, bb, an, bn, an, bn, t, bn, an, slow))
        if op in ("&", "|", "~"):
            pyop = "^" if op == "~" else op
            return PyExpr("(%s %s %s if type(%s) is type(%s) is int else %s)" % (an, pyop, bn, ab, bb, slow))
        # ^ << >>: always through the runtime
        return PyExpr("RT.%s(%s, %s, %r, %r)" % (helper, ab, bb, da, db))

    def concat_chain(self, e):
        """a .. b .. c ...: one flat call (Python limits how deeply expressions may nest)."""
        ops = []
        while type(e) is N.BinOp and e.op == "..":
            ops.append(e.a)
            e = e.b
        ops.append(e)
        vals = [self.exp(x).code for x in ops]
        descs = tuple(self.desc(x) for x in ops)
        return PyExpr("RT.concatn((%s,), %r)" % (", ".join(vals), descs))

    def equality(self, e):
        a, b = e.a, e.b
        if type(a) in (N.Nil, N.TrueExp, N.FalseExp, N.String, N.Number) and \
                type(b) not in (N.Nil, N.TrueExp, N.FalseExp, N.String, N.Number):
            a, b = b, a  # constant on the right (no side effects to reorder)
        x = self.exp(a)
        tb = type(b)
        if tb is N.Nil:
            return "(%s is None)" % x.code
        if tb is N.TrueExp:
            return "(%s is True)" % x.code
        if tb is N.FalseExp:
            return "(%s is False)" % x.code
        if tb is N.String:
            return "(%s == %r)" % (x.code, b.value)
        if tb is N.Number and b.value not in (0, 1):
            return "(%s == %s)" % (x.code, self.exp(b).code)
        y = self.exp(b)
        xb, xn = self._bind(x)
        yb, yn = self._bind(y)
        t = self.temp()
        return ("(%s == %s if (%s := type(%s)) is type(%s) and %s is not LuaTable else RT.eq(%s, %s))"
                % (xn, yn, t, xb, yb, t, xn, yn))


def compile_chunk(block, chunkname: str, text: str | None = None):
    """AST -> (python source, ChunkInfo); text, the chunk's source, lets string.dump work."""
    c = Compiler(chunkname)
    try:
        src, linemap = c.compile_chunk(block)
    except CompileError as e:
        raise LuaSyntaxError("%s:%d: %s" % (c.short_src, e.line, e.msg)) from None
    info = ChunkInfo(chunkname, c.short_src, linemap, c.funcs, c.callsites, src.split("\n"), c.upvals)
    info.source = text
    info.spans = c.spans
    return src, info
