"""Intrinsics: calls of known library functions compiled inline.

``setmetatable``, ``type``, ``math.abs``, ``math.floor`` and ``table.insert(t, v)`` run inline
when raw reads of the globals show that the callee is exactly the library's function object (a
replaced or shadowed global takes the ordinary lookup and call, so nothing observable changes)
and the arguments are the common case; otherwise the library function is called and phrases
errors as before.  The functions themselves (``K_*`` in the generated code) are in the
chunk's namespace: the libraries register them into the runtime when they are opened
(lvm.register_intrinsics).
"""
from __future__ import annotations

import re

from . import lnodes as N
from .lemit import FALLBACK_TICK

# Library functions run inline when the callee is exactly the library's function object:
# (global name, field) -> (argument count, identity test, guard, inline value).  {0}, {1} are
# the arguments, {f} the callee, {t} a scratch temp; when the guard fails (odd arguments, a
# protected metatable...) the ordinary call runs and phrases any error as before.
INTRINSICS = {
    ("setmetatable", None): (2, "{f} is K_setmetatable",
                             "{0}.__class__ is LuaTable and {0}.meta is None and {1}.__class__ is LuaTable"
                             " and '__mode' not in ({t} := {1}.hash) and '__gc' not in {t}",
                             "(SETMETA({0}, {1}) or {0})"),
    ("type", None): (1, "{f} is K_type", "({t} := TN.get({0}.__class__)) is not None", "{t}"),
    ("math", "abs"): (1, "{f} is K_abs", "(({t} := {0}.__class__) is float or {t} is int and {0} != MININT)",
                      "abs({0})"),
    ("math", "floor"): (1, "{f} is K_floor",
                        "(({t} := {0}.__class__) is int or {t} is float and -9.2e18 < {0} < 9.2e18)", "FLOOR({0})"),
    # statement only (value None): table.insert(t, v) appending to a plain table's array part
    ("table", "insert"): (2, "{f}.__class__ is PARTIAL and {f}.func is K_tinsert",
                          "{0}.__class__ is LuaTable and {0}.meta is None and {1} is not None and "
                          "(({t} := len({h} := {0}.hash)) == 0 or {t} in {h}) and {t} + 1 not in {h}",
                          None, "{h}[{t} + 1] = {1}; {0}.keys = None"),
}

# The guard when the first argument is a table just built by a constructor in the same function
# (lexpr table: no metatable yet, and no other code holds it), as in setmetatable({...}, mt).
FRESH_GUARDS = {
    ("setmetatable", None): "{1}.__class__ is LuaTable and '__mode' not in ({t} := {1}.hash) and '__gc' not in {t}",
}


class IntrinsicMixin:
    """Compiler part: recognising intrinsic calls and emitting their inline forms."""

    def _intrinsic(self, e):
        """The INTRINSICS entry for a call like `setmetatable(a, b)` or `math.abs(x)`, or None."""
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
        spec = INTRINSICS.get(key)
        if spec is None or len(e.args) != spec[0] or (e.args and self._is_multi(e.args[-1])):
            return None
        if key in FRESH_GUARDS and type(e.args[0]) is N.Table:
            spec = spec + (FRESH_GUARDS[key],) if len(spec) > 4 else spec + (None, FRESH_GUARDS[key])
        return spec

    def fresh_tables(self):
        """The temps of the Python function being emitted that hold a table just built there by a
        constructor (lexpr table): no metatable, and no other code holds it."""
        d = self.__dict__.setdefault("_fresh", {})
        s = d.get(self.scope)
        if s is None:
            s = d[self.scope] = set()
        return s

    def _guard(self, spec, names):
        """The guard of an intrinsic's inline form for these bound arguments."""
        if len(spec) > 5 and names and names[0] in self.fresh_tables():
            return spec[5]
        return spec[2]

    def _meta_get(self, t, k):
        """Raw read of k in the __index table of t's metatable, or None (t: a table)."""
        m, i = self.temp(), self.temp()
        return ("(%s.hash.get(%s) if (%s := %s.meta) is not None and (%s := %s.hash.get('__index')).__class__ is LuaTable "
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
        lib = "((%s := ENV.hash.get(%r)).__class__ is LuaTable or %s is None and (%s := %s).__class__ is LuaTable)" % (
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
        Returns with the emitter inside the 'else:' branch (the ordinary code goes there, after
        the fallback's check-in); the calls of both fallbacks are not counted (Compiler.ncalls)."""
        f = self.temp()
        self.emit("if %s:" % self._raw_check(e, spec, f))
        self.indent += 1
        names = self._bind_args(e)
        t, h = self.temp(), self.temp()
        self.emit("if %s: %s" % (self._guard(spec, names).format(*names, t=t, h=h), inline(names, t, h)))
        self.emit("else: %s" % fallback(f, names))
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        self.scope.nonlocals.add("tick")
        self.emit(FALLBACK_TICK + "None")

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
        guard = self._guard(spec, names).format(*names, t=t)
        value = spec[3].format(*names, t=t)
        if len(binds) == 1 and len(names) == 1:
            # the one argument is bound where the guard first reads it (its first test)
            guard = re.sub(r"(?<!\w)%s(?!\w)" % names[0], lambda m: binds[0], guard, count=1)
        elif binds:  # the arguments, each evaluated once, after the callee
            guard = "(%s,) and %s" % (", ".join(binds), guard)
        n = self.ncalls  # the calls of the fallback: the check-in before them covers them
        site = self.site(self.desc(e.func))
        generic = self.call(e)
        self.ncalls = n
        self.scope.nonlocals.add("tick")
        return "(%s if (%s := %s) and %s else %s(((%s := %s)(%s) or N1)[0] if %s else (%s or N1)[0]))" % (
            value, k, check, guard, FALLBACK_TICK, site, f, ", ".join(names), k, generic)
