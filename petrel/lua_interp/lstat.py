"""Statements other than control flow: locals, assignments (with their in-place table stores),
calls as statements, function definitions, and returns with their tail calls.
"""
from __future__ import annotations

from . import lnodes as N
from .lemit import CONSTS, FALLBACK_TICK
from .lresolve import is_int_exp


class StatMixin:
    """Compiler part: statements that run straight through."""

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

    def st_Assign(self, s):
        if len(s.targets) == 1 and len(s.exps) == 1:
            tg = s.targets[0]
            if type(tg) is N.Name:
                self.assign_name(tg, self.exp(s.exps[0]).code)
            elif self._is_append(tg, s.exps[0]):
                # t[#t + 1] = v on a plain array-like table: one store
                t, n, h = tg.obj.var.pyname, self.temp(), self.temp()
                self.emit("if %s.__class__ is LuaTable and %s.meta is None and ((%s := len(%s := %s.hash)) == 0 or %s in %s) "
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
        if x.kind == "simple" and (t in CONSTS or t is N.Name and e.var is not None and not e.var.assigned_inner):
            return x.code if x.code.isidentifier() else "(%s)" % x.code
        r = self.temp()
        self.emit("%s = %s" % (r, x.code))
        return r

    def setindex(self, o, k, v, desc, keynode):
        const_str = type(keynode) is N.String or is_int_exp(keynode)
        if const_str:
            cond = "%s.__class__ is LuaTable and %s is not None and (%s.meta is None or %s in %s.hash)" % (o, v, o, k, o)
        else:
            cond = ("%s.__class__ is LuaTable and %s is not None and %s.__class__ in RAWKEYS and (%s.meta is None or %s in %s.hash)"
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
            n = self.ncalls
            site = self.site(self.desc(s.call.func))
            self.ncalls = n
            stmt = spec[4] if len(spec) > 4 and spec[4] is not None else spec[3]
            self._intrinsic_block(s.call, spec, lambda names, t, h: stmt.format(*names, t=t, h=h),
                                  lambda f, names: "%s(%s := %s)(%s)" % (FALLBACK_TICK, site, f, ", ".join(names)))
            n = self.ncalls
            self.emit("if (%s := %s).__class__ is TailCall: %s.resolve()" % (r, self.call(s.call), r))
            self.ncalls = n
            self.indent -= 1
            return
        self.emit("if (%s := %s).__class__ is TailCall: %s.resolve()" % (r, self.call(s.call), r))

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

    def tailcall(self, e):
        spec = self._intrinsic(e)
        if spec is not None and spec[3] is not None:
            n = self.ncalls
            site = self.site(self.desc(e.func))
            self.ncalls = n
            def inline(names, t, h):
                if spec[1] == "{f} is K_setmetatable" and names[0] in self.fresh_tables():
                    return "%s.meta = %s; return (%s,)" % (names[0], names[1], names[0])
                return "return (%s,)" % spec[3].format(*names, t=t, h=h)
            self._intrinsic_block(e, spec, inline, lambda f, names: "return %s(%s := %s)(%s)" % (
                FALLBACK_TICK, site, f, ", ".join(names)))
            n = self.ncalls
            self.tailcall_plain(e)
            self.ncalls = n
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
            fixed, multi = self.arglist_parts(e.args)
            fixed = [on] + fixed
            desc = "method '%s'" % e.name
        else:
            fcode = self.exp(e.func).code
            fixed, multi = self.arglist_parts(e.args)
            desc = self.desc(e.func)
        f = self.temp()
        site = self.site(desc)
        t = self.temp()
        self.emit("%s = %s" % (f, fcode))
        # the arguments, evaluated in order after the function: fixed ones into temps
        names = [self.temp() for _ in fixed]
        if len(names) == 1:
            self.emit("%s = %s" % (names[0], fixed[0]))
        elif names:
            self.emit("%s = %s" % (", ".join(names), ", ".join(fixed)))
        if multi is not None:
            a = self.temp()
            self.emit("%s = (%s,)" % (a, ", ".join(names + ["*" + multi])))
            direct_args = "*" + a
        else:
            a = "(%s,)" % ", ".join(names) if names else "()"
            direct_args = ", ".join(names)
        if self.scope.kind == "func":
            # a Lua callee is called here, this frame staying below it, while fewer than TDMAX
            # such calls are running (the debugger skips the frame: ldebug.at_tail_call); beyond
            # that it runs after this frame is gone, from the caller's trampoline (TailCall)
            self.scope.nonlocals.add("td")
            self.emit("if %s.__class__ is FT and '__luachunk__' in %s.__globals__ and td < TDMAX:" % (f, f))
            self.emit("    td += 1")
            self.emit("    try: return (%s := %s)(%s)" % (site.replace("\0c", "\0t", 1), f, direct_args))
            self.emit("    finally: td -= 1")
        # a Lua function (its globals hold the chunk info) or a Python function that is not a
        # library function; hashing a code object is slow, so Lua functions are told apart first
        self.emit("if %s.__class__ is FT and ('__luachunk__' in %s.__globals__ or %s.__code__ not in LIBC)"
                  " or %s.__class__ is LuaTable and CTAB(%s):" % (f, f, f, f, f))
        self.emit("    %s = NEW(TailCall); %s.f = %s; %s.args = %s; return %s" % (t, t, f, t, a, t))
        self.do_return_value("(%s := %s)(%s)" % (site, f, direct_args))
