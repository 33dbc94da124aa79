"""Expressions: names, constants, operators with their type-checked fast paths, table reads and
constructors, calls and method calls, truth tests and the names errors give operands (desc).
"""
from __future__ import annotations

import copy
import math

from . import lnodes as N
from .lemit import CONSTS, PyExpr, PyScope
from .lobject import MAXINT, MININT
from .lresolve import _Pre, is_int_exp

_DEEP = 16   # operators along a left operand chain before ExpMixin.deep takes over
_MIN, _MAX = str(MININT), str(MAXINT)   # literal bounds: LOAD_CONST, cheaper than a global

_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "//": "idiv", "^": "pow",
          "&": "band", "|": "bor", "~": "bxor", "<<": "shl", ">>": "shr", "..": "concat"}


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


class ExpMixin:
    """Compiler part: expressions (PyExpr values; helper statements emitted before them)."""

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
        if (t is N.And or t is N.Or) and type(e.a) in CONSTS:
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
            return PyExpr("(%s if %s.__class__ is LuaTable and (%s) else RT.index(%s, %s, %r))" % (
                r, ob, self._chain_test(r, on, k), on, k, desc))
        kx = self.exp(e.key)
        r = self.temp()
        if kx.kind == "simple" and is_int_exp(e.key):
            return PyExpr("(%s if %s.__class__ is LuaTable and ((%s := %s.hash.get(%s)) is not None "
                          "or %s.meta is None) else RT.index(%s, %s, %r))" % (r, ob, r, on, kx.code, on, on, kx.code, desc))
        if kx.kind == "simple":
            kn = kx.code
            return PyExpr("(%s if %s.__class__ is LuaTable and %s.__class__ is not bool and ((%s := %s.hash.get(%s)) is not None "
                          "or %s.meta is None) else RT.index(%s, %s, %r))" % (r, ob, kn, r, on, kn, on, on, kn, desc))
        kt = self.temp()
        # evaluate object then key, whatever happens next
        return PyExpr("(%s if ((%s, (%s := %s)) and %s.__class__ is LuaTable and %s.__class__ is not bool and "
                      "((%s := %s.hash.get(%s)) is not None or %s.meta is None)) else RT.index(%s, %s, %r))"
                      % (r, ob, kt, kx.code, on, kt, r, on, kt, on, on, kt, desc))

    def _chain(self, t, k, miss):
        """t[k] for a table t by raw reads: its own field, else (no metatable: nil) a field of
        its metatable's __index table (class defaults, the sandbox's globals and read-only
        library proxies); anything else is `miss`."""
        r = self.temp()
        return "(%s if %s else %s)" % (r, self._chain_test(r, t, k), miss)

    def _chain_test(self, r, t, k):
        m, i = self.temp(), self.temp()
        return ("(%s := %s.hash.get(%s)) is not None or (%s := %s.meta) is None or "
                "(%s := %s.hash.get('__index')).__class__ is LuaTable and (%s := %s.hash.get(%s)) is not None"
                % (r, t, k, m, t, i, m, r, i, k))

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

    def arglist_parts(self, exps):
        """The code of the fixed arguments, and of the last one's values when it has many (or None)."""
        if not exps:
            return [], None
        parts = [self.exp(e).code for e in exps[:-1]]
        last = exps[-1]
        if self._is_multi(last):
            return parts, self.multi(last)
        parts.append(self.exp(last).code)
        return parts, None

    @staticmethod
    def _is_multi(e):
        return type(e) in (N.Call, N.Method, N.Vararg)

    def multi(self, e):
        if type(e) is N.Vararg:
            return "VA"
        return self.call(e)

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

    def _method_lookup(self, ob, on, r, k, desc):
        """obj.name for a method call; inlines the usual class pattern (__index table)."""
        # a method is rarely the object's own field: a membership test first (a raw hit in the
        # object, or a miss in the class, reads the object's field as before)
        mt, ix = self.temp(), self.temp()
        return ("(%s if %s.__class__ is LuaTable and (%s not in %s.hash and (%s := %s.meta) is not None "
                "and (%s := %s.hash.get('__index')).__class__ is LuaTable and (%s := %s.hash.get(%s)) is not None "
                "or (%s := %s.hash.get(%s)) is not None) "
                "else RT.index(%s, %s, %r))" % (r, ob, k, on, mt, on, ix, mt, r, ix, k, r, on, k, on, k, desc))

    def _stable_node(self, e):
        t = type(e)
        return t in CONSTS or t is N.Name and e.var is not None and not e.var.assigned_inner

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
            self.fresh_tables().add(t)
            names = [x.code for (_, v), (_, x) in zip(items, vals) if type(v) is N.Name]
            if names and len(names) <= 4 and not any(type(v) is N.Nil for _, v in items):
                # a few locals: test each (cheaper than scanning the values)
                self.emit("%s.hash = %s if %s else {k: v for k, v in %s.items() if v is not None}"
                          % (t, d, " and ".join("%s is not None" % n for n in names), d))
            elif any(type(v) in (N.Name, N.Nil) for _, v in items):
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
            return PyExpr("(-%s if (%s.__class__ is int and %s != MININT) or %s.__class__ is float else RT.unm(%s, %r))"
                          % (an, ab, an, an, an, d))
        if op == "#" and type(e.a) is N.Number:  # '5.hash' would not even parse
            return PyExpr("RT.len(%s, %r)" % (an, d))
        if op == "#":
            t, n, h = self.temp(), self.temp(), self.temp()
            # a plain table whose border is its size (an array): no call at all
            return PyExpr("(len(%s) if (%s := %s.__class__) is str else (%s if ((%s := len(%s := %s.hash)) == 0 or %s in %s) "
                          "and %s + 1 not in %s else %s.length()) if %s is LuaTable and %s.meta is None "
                          "else RT.len(%s, %r))" % (an, t, ab, n, n, h, an, n, h, n, h, an, t, an, an, d))
        if op == "~":
            return PyExpr("(~%s if %s.__class__ is int else RT.bnot(%s, %r))" % (an, ab, an, d))
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
                return PyExpr("(%s %s %s if (%s := %s.__class__) is int or %s is float else RT.%s(%s, %s))"
                              % (an, op, bn, t, ab, t, name, sl, sr), "bool")
            if a.kind == "simple" and (ia or type(e.a) is N.Number):
                t = self.temp()
                return PyExpr("(%s %s %s if (%s := %s.__class__) is int or %s is float else RT.%s(%s, %s))"
                              % (an, op, bn, t, bb, t, name, sl, sr), "bool")
            t = self.temp()
            return PyExpr("(%s %s %s if (%s := %s.__class__) is %s.__class__ and (%s is int or %s is float or %s is str) "
                          "else RT.%s(%s, %s))" % (an, op, bn, t, ab, bb, t, t, t, name, sl, sr), "bool")
        helper = _ARITH[op]
        slow = "RT.%s(%s, %s, %r, %r)" % (helper, an, bn, da, db)
        bconst = e.b.value if type(e.b) is N.Number else None
        if op in ("+", "-", "*"):
            r = self.temp()
            small = type(bconst) is int and 0 <= bconst < 2 ** 32 and op != "*"
            eb = e.b.exp if type(e.b) is N.Paren else e.b
            if op != "*" and ia and ib and type(eb) is N.BinOp and eb.op == "%" and type(eb.b) is N.Number:
                m = eb.b.value   # an integer modulo a positive constant is in [0, m): one bound
                small = small or type(m) is int and 0 < m < 2 ** 32
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
                    return PyExpr("(%s if %s.__class__ is int and %s else %s)" % (r, ab, bound, slow))
                return PyExpr("(%s if %s.__class__ is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, ab, r, an, op, bn, slow))
            if type(bconst) is float:
                return PyExpr("(%s %s %s if %s.__class__ is float else %s)" % (an, op, bn, ab, slow))
            if (ia or type(e.a) is N.Number and type(e.a.value) is int) and a.kind == "simple":
                return PyExpr("(%s if %s.__class__ is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, bb, r, an, op, bn, slow))
            if ib and b.kind == "simple":
                return PyExpr("(%s if %s.__class__ is int and (%s := %s %s %s).bit_length() < 64 else %s)"
                              % (r, ab, r, an, op, bn, slow))
            t = self.temp()
            # (r.bit_length() < 64: the result fits in 64 bits; -2**63 itself takes the slow path)
            # (both operands are evaluated before any branch: a chained test unless b is a plain name)
            both = "(%s := %s.__class__) is int and %s.__class__ is int" if b.kind == "simple" else "(%s := %s.__class__) is %s.__class__ is int"
            return PyExpr(("(%s if " + both + " and (%s := %s %s %s).bit_length() < 64 else "
                           "%s %s %s if %s is float and %s.__class__ is float else %s)")
                          % (r, t, ab, bb, r, an, op, bn, an, op, bn, t, bn, slow))
        if op in ("//", "%") and type(bconst) is int and bconst > 0:
            if ia:
                return PyExpr("(%s %s %s)" % (a.code, op, b.code))
            return PyExpr("(%s %s %s if %s.__class__ is int else %s)" % (an, op, bn, ab, slow))
        if op == ".." and type(e.a) is N.String and type(e.b) is N.String and \
                len(e.a.value) + len(e.b.value) < 65000:
            # joined at run time, as Lua does (Python would fold 'a' + 'b' into one constant,
            # the same object as an equal literal: string.format('%p') tells them apart)
            return PyExpr("''.join((%s, %s))" % (a.code, b.code))
        if op == ".." and ib and type(e.a) is N.String and len(e.a.value) < 65000:
            return PyExpr("(%s + str(%s))" % (a.code, b.code))
        if op == ".." and type(e.a) is N.String and len(e.a.value) < 65000:
            t = self.temp()
            return PyExpr("(%s + %s if (%s := %s.__class__) is str and len(%s) < %d else %s + str(%s) if %s is int else %s)"
                          % (an, bn, t, bb, bn, 65536 - len(e.a.value), an, bn, t, slow))
        if op == "/":
            return PyExpr("(%s / %s if %s.__class__ is %s.__class__ is float and %s else %s)" % (an, bn, ab, bb, bn, slow))
        if op in ("//", "%"):
            return PyExpr("(%s %s %s if %s.__class__ is %s.__class__ is int and %s > 0 else %s)"
                          % (an, op, bn, ab, bb, bn, slow))
        if op == "..":
            t = self.temp()
            return PyExpr("(%s + %s if (%s := %s.__class__) is %s.__class__ is str and len(%s) + len(%s) < 65536 else "
                          "%s + str(%s) if %s is str and %s.__class__ is int and len(%s) < 65536 else %s)"
                          % (an, bn, t, ab, bb, an, bn, an, bn, t, bn, an, slow))
        if op in ("&", "|", "~"):
            pyop = "^" if op == "~" else op
            return PyExpr("(%s %s %s if %s.__class__ is %s.__class__ is int else %s)" % (an, pyop, bn, ab, bb, slow))
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
        return ("(%s == %s if (%s := %s.__class__) is %s.__class__ and %s is not LuaTable else RT.eq(%s, %s))"
                % (xn, yn, t, xb, yb, t, xn, yn))
