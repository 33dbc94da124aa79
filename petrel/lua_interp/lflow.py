"""Control flow and scopes: blocks (labels, to-be-closed locals), goto (a dispatch loop over a
block's segments), if, the loops (a body with fresh bindings per iteration, or nested too
deeply for Python, runs as a nested function), break and continue out of whichever Python
construct the code is in.
"""
from __future__ import annotations

from . import lnodes as N
from .lemit import TICK, ForState, Loop, PyScope
from .lresolve import CompileError


class FlowMixin:
    """Compiler part: blocks and control flow."""

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
        if id(stats) not in self.repeat_bodies:  # a repeat's locals last until its condition
            self.mark_locals(False, self.block_locals(stats))

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
                self.mark_locals(True, s.vars)
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
            if type(s) is N.Local:
                self.mark_locals(True, self.declared(s))
            elif type(s) is N.LocalFunction:
                self.mark_locals(True, (s.vinfo,))

    @staticmethod
    def _captured_locals(stats) -> bool:
        """Whether the block declares a local a closure captures (outside nested loops)."""
        for s in stats:
            t = type(s)
            if t is N.Local and any(v.captured for v in s.vars):
                return True
            if t is N.LocalFunction and s.vinfo is not None and s.vinfo.captured:
                return True
            if t is N.Do and FlowMixin._captured_locals(s.body):
                return True
            if t is N.If and (any(FlowMixin._captured_locals(b) for _, b in s.tests)
                              or s.orelse and FlowMixin._captured_locals(s.orelse)):
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
        loop = Loop("dispatch")
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
        loop = Loop("dispatchfn")
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
        self.emit("if %s.__class__ is not int: break" % r)
        self.indent -= 1
        self.emit("if %s is not None:" % r)
        self.indent += 1
        if any(lp.kind == "lua" or lp.kind == "blk" for lp in self.loops):
            # a break or continue of the enclosing loop
            self.emit("if %s is BRK:" % r)
            self.indent += 1
            self.do_break(None)
            self.indent -= 1
            self.emit("elif %s.__class__ is str:" % r)
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

    def st_Do(self, s):
        self.block(s.body)

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
        states = (ForState(), ForState(), ForState())
        self.mark_locals(True, states)
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
        self.mark_locals(False, states)

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
        states = (ForState(), ForState(), ForState(), ForState())
        self.mark_locals(True, states)
        self.emit("for %s in RT.genfor(%d, *%s):" % (target, n, vals))
        self.indent += 1
        # the loop may have a closing value: as in Lua 5.4, no call in its body is a tail call
        self.close_depth += 1
        self.loop_body(s, s.body, pairs)
        self.close_depth -= 1
        self.indent -= 1
        self.mark_locals(False, states)

    def loop_body(self, node, body, fresh_pairs, until=None):
        """Emit a loop body; as a nested function when it needs fresh bindings."""
        cont_label = self._trailing_label(body) if until is None else None
        if cont_label is not None:
            self._mark_continue_gotos(body, cont_label)
        t = type(node)
        loopvars = (node.vinfo,) if t is N.NumFor else node.vars if t is N.GenFor else ()
        if not node.fresh:
            self.loops.append(Loop("lua", node, cont_label))
            self.mark_locals(True, loopvars)
            self.block(body)
            if until is not None:
                self.emit("if %s: break" % self.truth_scoped(until, body))
                self.mark_locals(False, self.block_locals(body))
            self.mark_locals(False, loopvars)
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
        self.loops = parent_loops + [Loop("blk", node, cont_label)]
        self.mark_locals(True, loopvars)
        self.block(body)
        if until is not None:
            self.emit("if %s: return BRK" % self.truth_scoped(until, body))
            self.mark_locals(False, self.block_locals(body))
        self.mark_locals(False, loopvars)
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
