"""Name resolution and integer inference for the compiler (lcode): what Lua's lparser does
while it parses -- binding each name to a local, an upvalue or a global, numbering each
function's upvalues in Lua's order, checking the static rules (const locals, break, vararg)
-- and what lets the compiler drop type tests: the locals that always hold integers.
"""
from __future__ import annotations

from . import lnodes as N

# --------------------------------------------------------------------------- resolver


LOOP_NEST = 6


class VarInfo:
    __slots__ = ("name", "pyname", "func", "loop", "captured", "attrib", "pyscope", "assigned_inner", "isint")

    def __init__(self, name, pyname, func, loop, attrib=None):
        self.name = name
        self.pyname = pyname
        self.func = func
        self.loop = loop
        self.captured = False
        self.attrib = attrib
        self.pyscope = None
        self.assigned_inner = False
        self.isint = False        # holds an integer whenever it is read (see Resolver.infer_ints)


class _FuncCtx:
    __slots__ = ("parent", "scopes", "loops", "node", "has_calls", "is_vararg")

    def __init__(self, parent, node, is_vararg):
        self.parent = parent
        self.scopes = [{}]
        self.loops = []
        self.node = node
        self.has_calls = False
        self.is_vararg = is_vararg


class CompileError(Exception):
    def __init__(self, msg, line):
        super().__init__(msg)
        self.msg = msg
        self.line = line


class Resolver:
    """Binds names to VarInfos, finds captured loop locals, checks static rules."""

    def __init__(self):
        self.counter = 0
        self.env = VarInfo("_ENV", "ENV", None, None)
        self.decls = []       # locals declared with a value that may be an integer
        self.stores = []      # (var, expression or None) for every assignment to a local
        self.int_ops = []     # binary operators with an integer constant operand
        self.name_cmps = []   # order comparisons of two names (j < n)
        self.nested = set()   # ids of functions that define functions
        self.sizes = {}       # id(function) -> statements in it
        self.funcs = []
        self.int_params = {}  # id(function) -> (params tested at entry, vars integer in that version)

    def _nth(self, exps, i):
        """The expression giving the i-th value of an expression list, None if not a plain one."""
        if i < len(exps) and not (i == len(exps) - 1 and type(exps[i]) in (N.Call, N.Method, N.Vararg)):
            return exps[i]
        return None

    def infer_ints(self):
        """Mark the locals that always hold an integer: declared (local or numeric for) and
        assigned only integer-valued expressions, never from a nested function."""
        ints = {v for v in self.decls if not v.assigned_inner and v.attrib != "close"}
        changed = True
        while changed:
            changed = False
            for v, e in self.stores:
                if v in ints and not is_int_exp(e, ints):
                    ints.discard(v)
                    changed = True
        for v in ints:
            v.isint = True
        self.specialise(ints)

    def specialise(self, ints):
        """Functions whose parameters are used with integer constants (n - 1, n < 2), or compared
        with integer locals (a loop's bound: j < n), get an integer version: entered when those
        parameters are integers, it knows every local that then only ever holds integers (see
        Compiler.function)."""
        numeric = set()
        for e in self.int_ops:
            for x in (e.a, e.b):
                if type(x) is N.Name and x.var is not None:
                    numeric.add(x.var)
        for e in self.name_cmps:  # a name compared with an integer local (a loop's bound)
            a, b = e.a.var, e.b.var
            if a is not None and b is not None:
                if a in ints:
                    numeric.add(b)
                if b in ints:
                    numeric.add(a)
        for f in self.funcs:
            if id(f) in self.nested or self.sizes.get(id(f), 0) > 40:
                continue
            params = [v for v in f.vars if v in numeric and not v.assigned_inner]
            if not params:
                continue
            spec = ints | set(params)
            changed = True
            while changed:
                changed = False
                for v, e in self.stores:
                    if v in spec and not is_int_exp(e, spec):
                        spec.discard(v)
                        changed = True
            params = [v for v in params if v in spec]
            if params:
                self.int_params[id(f)] = (params, spec - ints)

    def newvar(self, ctx, name, attrib=None):
        self.counter += 1
        v = VarInfo(name, "%s_%d" % (name, self.counter), ctx, ctx.loops[-1] if ctx.loops else None, attrib)
        ctx.scopes[-1][name] = v
        return v

    def lookup(self, ctx, name):
        c = ctx
        while c is not None:
            for scope in reversed(c.scopes):
                v = scope.get(name)
                if v is not None:
                    if c is not ctx:
                        v.captured = True
                        if v.loop is not None:
                            v.loop.fresh = True
                        self._upvalue(ctx, c, v)
                    return v
            c = c.parent
        if name == "_ENV":
            self._upvalue(ctx, None, self.env)
            return self.env
        return None

    @staticmethod
    def _upvalue(ctx, owner, v):
        """v, a local of function owner (None: the chunk's _ENV), is an upvalue of ctx and of
        every function between: each lists it where it first refers to it, as Lua numbers them."""
        c = ctx
        while c is not owner and c is not None:
            ups = c.node.upvals
            if v in ups:
                return
            ups.append(v)
            c = c.parent

    def chunk(self, block):
        main = N.Function(0, [], True, block, 0, "main chunk")
        main.upvals.append(self.env)
        self.function(None, main)
        self.infer_ints()
        return main

    def function(self, parent, f):
        ctx = _FuncCtx(parent, f, f.is_vararg)
        if parent is not None:
            self.nested.add(id(parent.node))
        self.funcs.append(f)
        f.vars = [self.newvar(ctx, p) for p in f.params]
        self.block(ctx, f.body, new_scope=False)
        f.info = ctx.has_calls

    def block(self, ctx, stats, new_scope=True):
        if new_scope:
            ctx.scopes.append({})
        for s in stats:
            self.stat(ctx, s)
        if new_scope:
            ctx.scopes.pop()

    def stat(self, ctx, s):
        t = type(s)
        k = id(ctx.node)
        self.sizes[k] = self.sizes.get(k, 0) + 1
        if t is N.Local:
            for e in s.exps:
                self.exp(ctx, e)
            closes = 0
            s.vars = []
            for name, att in zip(s.names, s.attribs):
                if att == "close":
                    closes += 1
                    if closes > 1:
                        raise CompileError("multiple to-be-closed variables in local list", s.line)
                s.vars.append(self.newvar(ctx, name, att))
            for i, v in enumerate(s.vars):
                self.decls.append(v)
                self.stores.append((v, self._nth(s.exps, i)))
        elif t is N.Assign:
            for tg in s.targets:
                self.target(ctx, tg)
            for e in s.exps:
                self.exp(ctx, e)
            for i, tg in enumerate(s.targets):
                if type(tg) is N.Name and tg.var is not None:
                    self.stores.append((tg.var, self._nth(s.exps, i)))
        elif t is N.CallStat:
            self.exp(ctx, s.call)
        elif t is N.Do:
            self.block(ctx, s.body)
        elif t is N.While:
            self.exp(ctx, s.cond)
            ctx.loops.append(s)
            self._deep_loop(ctx, s)
            self.block(ctx, s.body)
            ctx.loops.pop()
        elif t is N.Repeat:
            ctx.loops.append(s)
            self._deep_loop(ctx, s)
            ctx.scopes.append({})
            for st in s.body:
                self.stat(ctx, st)
            self.exp(ctx, s.cond)
            ctx.scopes.pop()
            ctx.loops.pop()
        elif t is N.If:
            for cond, blk in s.tests:
                self.exp(ctx, cond)
                self.block(ctx, blk)
            if s.orelse is not None:
                self.block(ctx, s.orelse)
        elif t is N.NumFor:
            self.exp(ctx, s.start)
            self.exp(ctx, s.stop)
            if s.step is not None:
                self.exp(ctx, s.step)
            ctx.loops.append(s)
            self._deep_loop(ctx, s)
            ctx.scopes.append({})
            s.vinfo = self.newvar(ctx, s.var)
            self.decls.append(s.vinfo)
            self.stores.append((s.vinfo, s.start))
            self.stores.append((s.vinfo, s.step if s.step is not None else N.Number(s.line, 1)))
            self.block(ctx, s.body)
            ctx.scopes.pop()
            ctx.loops.pop()
        elif t is N.GenFor:
            for e in s.exps:
                self.exp(ctx, e)
            ctx.loops.append(s)
            self._deep_loop(ctx, s)
            ctx.scopes.append({})
            s.vars = [self.newvar(ctx, n) for n in s.names]
            self.block(ctx, s.body)
            ctx.scopes.pop()
            ctx.loops.pop()
        elif t is N.FunctionStat:
            self.target(ctx, s.target, is_function=True)
            self.function(ctx, s.func)
        elif t is N.LocalFunction:
            s.vinfo = self.newvar(ctx, s.name)
            self.function(ctx, s.func)
        elif t is N.Return:
            for e in s.exps:
                self.exp(ctx, e)
        elif t is N.Break:
            if not ctx.loops:
                raise CompileError("break outside loop at line %d" % s.line, s.line)
        elif t is N.Goto or t is N.Label:
            pass
        else:  # pragma: no cover
            raise AssertionError(t)

    @staticmethod
    def _deep_loop(ctx, s):
        """Every LOOP_NEST-th nested loop of a function runs its body as a nested Python
        function, as a loop with fresh bindings does: Python allows only 20 nested blocks."""
        if len(ctx.loops) % LOOP_NEST == 0:
            s.fresh = True

    def target(self, ctx, tg, is_function=False):
        if type(tg) is N.Name:
            v = self.lookup(ctx, tg.name)
            tg.var = v
            if v is None:
                tg.env = self.lookup(ctx, "_ENV")
            else:
                if v.attrib in ("const", "close"):
                    raise CompileError("attempt to assign to const variable '%s'" % tg.name, tg.line)
                if v.func is not ctx:
                    v.assigned_inner = True
        else:
            self.exp(ctx, tg.obj)
            self.exp(ctx, tg.key)

    def exp(self, ctx, e):
        t = type(e)
        if t is N.BinOp or t is N.And or t is N.Or or t is N.UnOp or t is N.Paren:
            # operator trees can be a thousand levels deep: walk them with a stack
            stack = [e]
            while stack:
                e = stack.pop()
                t = type(e)
                if t is N.BinOp and e.op in _NUM_OPS and (
                        type(e.b) is N.Number and type(e.b.value) is int and type(e.a) is N.Name or
                        type(e.a) is N.Number and type(e.a.value) is int and type(e.b) is N.Name):
                    self.int_ops.append(e)
                elif t is N.BinOp and e.op in _CMP_OPS and type(e.a) is N.Name and type(e.b) is N.Name:
                    self.name_cmps.append(e)
                if t is N.BinOp or t is N.And or t is N.Or:
                    stack.append(e.b)
                    stack.append(e.a)
                elif t is N.UnOp:
                    stack.append(e.a)
                elif t is N.Paren:
                    stack.append(e.exp)
                else:
                    self.exp(ctx, e)
            return
        if t is N.Name:
            v = self.lookup(ctx, e.name)
            e.var = v
            if v is None:
                e.env = self.lookup(ctx, "_ENV")
        elif t is N.Index:
            self.exp(ctx, e.obj)
            self.exp(ctx, e.key)
        elif t is N.Call:
            ctx.has_calls = True
            self.exp(ctx, e.func)
            for a in e.args:
                self.exp(ctx, a)
        elif t is N.Method:
            ctx.has_calls = True
            self.exp(ctx, e.obj)
            for a in e.args:
                self.exp(ctx, a)
        elif t is N.BinOp or t is N.And or t is N.Or:
            self.exp(ctx, e.a)
            self.exp(ctx, e.b)
        elif t is N.UnOp:
            self.exp(ctx, e.a)
        elif t is N.Paren:
            self.exp(ctx, e.exp)
        elif t is N.Table:
            for k, v in e.items:
                if k is not None:
                    self.exp(ctx, k)
                self.exp(ctx, v)
        elif t is N.Function:
            self.function(ctx, e)
        elif t is N.Vararg:
            if not ctx.is_vararg:
                raise CompileError("cannot use '...' outside a vararg function near '...'", e.line)


_NUM_OPS = frozenset(("+", "-", "*", "//", "%", "<", "<=", ">", ">="))
_CMP_OPS = frozenset(("<", "<=", ">", ">="))
_INT_BINOPS = frozenset(("+", "-", "*", "//", "%", "&", "|", "~", "<<", ">>"))


def is_int_exp(e, ints=None):
    """Whether e always yields an integer (or raises): integer constants, integer locals, and
    + - * // % and bitwise operators on integers (which wrap around, staying integers)."""
    while True:  # down the left spine without recursion (chains can be long)
        t = type(e)
        if t is N.Paren:
            e = e.exp
        elif t is N.BinOp:
            if e.op not in _INT_BINOPS or not is_int_exp(e.b, ints):
                return False
            e = e.a
        elif t is N.UnOp:
            if e.op not in ("-", "~"):
                return False
            e = e.a
        elif t is N.Number:
            return type(e.value) is int
        elif t is N.Name:
            v = e.var
            return v is not None and (v.isint if ints is None else v in ints)
        elif t is _Pre:
            return e.isint
        else:
            return False


class _Pre:
    """An operand already compiled into a Python name (long operator chains, see Compiler.deep)."""
    __slots__ = ("code", "isint", "desc")

    def __init__(self, code, isint, desc=None):
        self.code = code
        self.isint = isint
        self.desc = desc


# --------------------------------------------------------------------------- emitter
