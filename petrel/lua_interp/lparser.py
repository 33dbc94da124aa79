"""Parser: tokens -> AST (the lparser of this interpreter).

The grammar lives in ``lua.lark`` and is parsed by lark's LALR(1) parser fed by
the hand-written lexer of ``llex``.  The parser object is built once per process.
Syntax errors are rephrased the way Lua phrases them
("'end' expected (to close 'function' at line 3) near <eof>").  Nesting deeper than Lua's
200 levels is refused on the token list, before any recursive pass over the tree:
"chunk has too many syntax levels".
"""
from __future__ import annotations

import os
import threading

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken, UnexpectedEOF, VisitError

from . import lnodes as N
from .llex import LexError, LuaLarkLexer, Scanner, source_text
from .lobject import LuaSyntaxError

_GRAMMAR = os.path.join(os.path.dirname(__file__), "lua.lark")
_lock = threading.Lock()
_parser = None


class _SyntaxProblem(Exception):
    def __init__(self, msg, line, needs_near=False):
        super().__init__(msg)
        self.msg = msg
        self.line = line
        self.needs_near = needs_near  # msg has a %s for the next token


def _line(*items):
    for it in items:
        if isinstance(it, Token):
            if it.line is not None:
                return it.line
        elif isinstance(it, N.Node):
            return it.line
        elif isinstance(it, list) and it:
            ln = _line(*it)
            if ln:
                return ln
    return 0


class _Funcbody:
    __slots__ = ("params", "is_vararg", "body", "line", "end_line", "span")

    def __init__(self, params, is_vararg, body, line, end_line, span=None):
        self.params, self.is_vararg, self.body = params, is_vararg, body
        self.line, self.end_line = line, end_line
        self.span = span


class _Tok:
    """Marker for keywords the tree keeps for their line numbers."""


class AstBuilder(Transformer):
    """Builds lnodes from the parse as lark reduces (used as the LALR callback set)."""

    # --- blocks and statements
    def start(self, c):
        return c[0]

    def block(self, c):
        out = []
        for s in c:
            if isinstance(s, list):  # retstat
                out.extend(s)
            elif s is not None:
                out.append(s)
        return out

    def empty(self, c):
        return None

    def retstat(self, c):
        exps = c[1] if len(c) > 1 and isinstance(c[1], list) else []
        return [N.Return(c[0].line, exps)]

    def assign(self, c):
        targets, exps = c
        for t in targets:
            if not isinstance(t, (N.Name, N.Index)):
                raise _SyntaxProblem("syntax error near '='", t.line)
        return N.Assign(_line(targets), targets, exps)

    def callstat(self, c):
        if not isinstance(c[0], (N.Call, N.Method)):
            raise _SyntaxProblem("syntax error near %s", c[0].line, True)
        return N.CallStat(c[0].line, c[0])

    def label(self, c):
        return N.Label(c[0].line, str(c[0]))

    def break_(self, c):
        return N.Break(c[0].line)

    def goto(self, c):
        return N.Goto(c[0].line, str(c[0]))

    def do(self, c):
        return N.Do(_line(c[0]), c[0])

    def while_(self, c):
        return N.While(c[0].line, c[0], c[1])

    def repeat(self, c):
        return N.Repeat(c[1].line, c[0], c[1])

    def if_(self, c):
        tests = [(c[0], c[1])]
        orelse = None
        for x in c[2:]:
            if isinstance(x, tuple):
                tests.append(x)
            elif x is not None:
                orelse = x[0]
        return N.If(c[0].line, tests, orelse)

    def elseif(self, c):
        return (c[0], c[1])

    def else_(self, c):
        return [c[0]]

    def numfor(self, c):
        name = c[0]
        if len(c) == 5:
            start, stop, step, body = c[1], c[2], c[3], c[4]
        else:
            start, stop, step, body = c[1], c[2], None, c[3]
        return N.NumFor(name.line, str(name), start, stop, step, body)

    def genfor(self, c):
        names, exps, body = c
        return N.GenFor(names[0].line, [str(n) for n in names], exps, body)

    def funcstat(self, c):
        parts, fb = c
        names, method = parts
        target = N.Name(names[0].line, str(names[0]))
        for nm in names[1:]:
            target = N.Index(nm.line, target, N.String(nm.line, str(nm)))
        fullname = ".".join(str(n) for n in names)
        if method is not None:
            target = N.Index(method.line, target, N.String(method.line, str(method)))
            fullname += ":" + str(method)
        f = self._function(fb, fullname, method is not None)
        if method is not None:
            kind = "method '%s'" % str(method)
        elif len(names) > 1:
            kind = "field '%s'" % str(names[-1])
        else:
            kind = "function '%s'" % fullname
        f.name = kind
        return N.FunctionStat(target.line, target, f)

    def funcname(self, c):
        names = [t for t in c if isinstance(t, Token)]
        # the grammar cannot tell '.' names from the ':' name; the lexer's marker does
        return (names, None) if not self._colon_last(c) else (names[:-1], names[-1])

    @staticmethod
    def _colon_last(c):
        return getattr(c[-1], "_is_method", False)

    def localfunc(self, c):
        name, fb = c
        f = self._function(fb, str(name), False)
        f.name = "local '%s'" % str(name)
        return N.LocalFunction(name.line, str(name), f)

    def local(self, c):
        attnames = c[0]
        exps = c[1] if len(c) > 1 else []
        names = [a[0] for a in attnames]
        attribs = [a[1] for a in attnames]
        return N.Local(_line(names), [str(n) for n in names], attribs, exps)

    def attnamelist(self, c):
        return c

    def attname(self, c):
        if len(c) == 1:
            return (c[0], None)
        att = str(c[1])
        if att not in ("const", "close"):
            raise _SyntaxProblem("unknown attribute '%s'" % att, c[1].line)
        return (c[0], att)

    def varlist(self, c):
        return c

    def namelist(self, c):
        return c

    def explist(self, c):
        return c

    # --- expressions
    def name(self, c):
        return N.Name(c[0].line, str(c[0]))

    def index(self, c):
        return N.Index(c[0].line, c[0], c[1])

    def field(self, c):
        return N.Index(c[1].line, c[0], N.String(c[1].line, str(c[1])))

    def paren(self, c):
        return N.Paren(c[0].line, c[0])

    def call(self, c):
        func, (args, line) = c
        return N.Call(func.line or line, func, args)  # Lua: the line where the call expression starts

    def method(self, c):
        obj, name, (args, line) = c
        return N.Method(name.line, obj, str(name), args)

    def args(self, c):
        if not c:
            return ([], 0)
        if isinstance(c[0], N.Table):
            return ([c[0]], c[0].line)
        return (c[0], _line(c[0]))

    def strarg(self, c):
        return ([N.String(c[0].line, c[0].value)], c[0].line)

    def funcbody(self, c):
        if len(c) == 5:
            params, body = c[1], c[3]
        else:
            params, body = ([], False), c[2]
        span = (c[0].start_pos, c[-1].end_pos) if c[0].start_pos is not None and c[-1].end_pos is not None else None
        return _Funcbody(params[0], params[1], body, c[0].line, c[-1].line, span)

    def params(self, c):
        return ([str(t) for t in c if t.type == "NAME"], any(str(t) == "..." for t in c))

    def vaparams(self, c):
        return ([], True)

    def funcexp(self, c):
        f = self._function(c[0], "", False)
        return f

    def _function(self, fb, name, is_method):
        params = list(fb.params)
        if is_method:
            params.insert(0, "self")
        line = fb.line or _line(fb.body)
        f = N.Function(line, params, fb.is_vararg, fb.body, fb.end_line, name, is_method)
        f.span = fb.span
        return f

    def tableconstructor(self, c):
        items = c[1] if len(c) == 3 else []
        return N.Table(c[0].line, items)

    def fieldlist(self, c):
        return [x for x in c if isinstance(x, tuple)]

    def fieldsep(self, c):
        return None

    def keyfield(self, c):
        return (c[0], c[1])

    def namefield(self, c):
        return (N.String(c[0].line, str(c[0])), c[1])

    def posfield(self, c):
        return (None, c[0])

    def or_(self, c):
        return N.Or(c[0].line, c[0], c[1])

    def and_(self, c):
        return N.And(c[0].line, c[0], c[1])

    def binop(self, c):
        a, op, b = c
        return N.BinOp(op.line or a.line, str(op), a, b)

    def unop(self, c):
        op, a = c
        return N.UnOp(op.line or a.line, str(op), a)

    def _op(self, c):
        return c[0]

    cmpop = borop = bxorop = bandop = shiftop = concatop = addop = mulop = unop_ = powop = _op

    def nil(self, c):
        return N.Nil(c[0].line)

    def true(self, c):
        return N.TrueExp(c[0].line)

    def false(self, c):
        return N.FalseExp(c[0].line)

    def number(self, c):
        return N.Number(c[0].line, c[0].value)

    def string(self, c):
        return N.String(c[0].line, c[0].value)

    def vararg(self, c):
        return N.Vararg(c[0].line)


def _build_parser():
    global _parser
    with _lock:
        if _parser is None:
            with open(_GRAMMAR) as f:
                grammar = f.read()
            _parser = Lark(grammar, parser="lalr", lexer=LuaLarkLexer,
                           transformer=_Callbacks(), maybe_placeholders=False, cache=True)
    return _parser


class _Callbacks(AstBuilder):
    """AstBuilder with the unary-operator rule name disambiguated."""

    def unop(self, c):
        if len(c) == 1:            # the '!unop' token rule
            return c[0]
        return AstBuilder.unop(self, c)


_OPENERS = {
    "function": "end", "do": "end", "then": "end", "else": "end", "elseif": "end",
    "repeat": "until", "(": ")", "{": "}", "[": "]",
}
_BLOCK_NAME = {"then": "if", "else": "if", "elseif": "if"}
_CLOSING = {"if": "end", "while": "end", "for": "end", "function": "end", "do": "end",
            "repeat": "until", "(": ")", "{": "}", "[": "]"}


def _find_opener(stack):
    """The unclosed construct whose closing token is missing, as Lua names it."""
    toks = [t for t in stack if isinstance(t, Token) and t.type != "STRING" and t.type != "NAME"]
    pending = []
    for i in range(len(toks) - 1, -1, -1):
        v = str(toks[i].value)
        if v in (")", "}", "]"):
            pending.append(v)
            continue
        if pending and v in ("(", "{", "[") and _CLOSING[v] == pending[-1]:
            pending.pop()
            continue
        if v in ("then", "else", "elseif"):
            for j in range(i - 1, -1, -1):
                if str(toks[j].value) == "if":
                    return toks[j]
            return None
        if v == "do":
            for j in range(i - 1, -1, -1):
                w = str(toks[j].value)
                if w in ("while", "for"):
                    return toks[j]
                if w in _CLOSING or w in ("then", "else", "elseif", "do", "in", "="):
                    if w in ("in", "="):
                        continue
                    break
            return toks[i]
        if v in _CLOSING and v not in ("while", "for", "if"):
            return toks[i]
    return None


def _near(tok) -> str:
    if tok is None or tok.type == "$END":
        return "<eof>"
    raw = getattr(tok, "raw", None)
    if raw is None:
        raw = str(tok.value)
    return "'%s'" % raw


def _message(err: UnexpectedToken, tokens, eof_line) -> tuple:
    tok = err.token
    line = tok.line if tok.type != "$END" else eof_line
    if not isinstance(line, int):
        line = eof_line
    near = _near(tok)
    expected = set(err.expected or ())
    # find the innermost unclosed opener on the parser's value stack
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        stack = []
    opener = _find_opener(stack)
    names = {v: k for k, v in _callback_names().items()}
    exp_text = {names.get(e, e) for e in expected}
    if opener is not None:
        closer = _CLOSING[str(opener.value)]
        if closer in exp_text and tok.type != "STRING" and str(tok.value) not in ("=",):
            what = _BLOCK_NAME.get(str(opener.value), str(opener.value))
            if opener.line == line:
                return "'%s' expected near %s" % (closer, near), line
            return ("'%s' expected (to close '%s' at line %d) near %s"
                    % (closer, what, opener.line, near)), line
    structural = exp_text & {"do", "then", "in", "=", ",", ")", "]", "}", "end", "until", "::"}
    if len(structural) == 1 and "=" not in structural:
        return "'%s' expected near %s" % (structural.pop(), near), line
    if "NAME" in exp_text and not ({"(", "NUMBER", "STRING", "{"} & exp_text):
        return "<name> expected near %s" % near, line
    if exp_text <= {"=", ","} or exp_text == {"="}:
        return "'=' expected near %s" % near, line
    if "=" in exp_text and "(" in exp_text and "NUMBER" not in exp_text:
        return "syntax error near %s" % near, line
    return "unexpected symbol near %s" % near, line


_names_cache = None


def _callback_names():
    global _names_cache
    if _names_cache is None:
        p = _build_parser()
        _names_cache = {}
        for t in p.terminals:
            if t.pattern.type == "str":
                _names_cache[t.pattern.value] = t.name
    return _names_cache


def parse(source, chunkname: str = "?") -> list:
    """Parse a chunk; returns the block (a list of statements).

    ``source`` is latin-1 text (see llex.source_text) or bytes.
    ``chunkname`` is the display name used in messages (already stripped of '@'/'=').
    Raises LuaSyntaxError("chunkname:line: message").
    """
    text = source if isinstance(source, str) else source_text(source)
    parser = _build_parser()
    try:
        scanner = Scanner(text)
        tokens = scanner.tokens()
    except LexError as e:
        raise LuaSyntaxError("%s:%d: %s" % (chunkname, e.line, e.msg)) from None
    _mark_methods(tokens)
    _check_levels(tokens, chunkname)
    try:
        return parser.parse(tokens)
    except UnexpectedToken as e:
        msg, line = _message(e, tokens, scanner.line)
        raise LuaSyntaxError("%s:%d: %s" % (chunkname, line, msg)) from None
    except UnexpectedEOF as e:
        line = scanner.line
        raise LuaSyntaxError("%s:%d: unexpected symbol near <eof>" % (chunkname, line)) from None
    except (_SyntaxProblem, VisitError) as e:
        orig = getattr(e, "orig_exc", e)
        if not isinstance(orig, _SyntaxProblem):
            raise
        msg = orig.msg
        if orig.needs_near:
            msg = msg % _near_after(tokens, orig.line)
        raise LuaSyntaxError("%s:%d: %s" % (chunkname, orig.line, msg)) from None
    except UnexpectedInput as e:
        raise LuaSyntaxError("%s:%s: unexpected symbol" % (chunkname, getattr(e, "line", "?"))) from None


# Lua's parser stops at LUAI_MAXCCALLS (200) nested levels; so does this one, before any
# recursive pass over the tree (and Python's limits on the generated code) is reached.
MAX_LEVELS = 200
_OPEN = {"(": 1, "[": 1, "{": 1, "function": 1, "do": 1, "then": 1, "repeat": 1,
         ")": -1, "]": -1, "}": -1, "end": -1, "until": -1, "elseif": -1}


def _check_levels(tokens, chunkname):
    depth = 0
    get = _OPEN.get
    for t in tokens:
        d = get(t.type)
        if d is not None:
            depth += d
            if depth > MAX_LEVELS:
                raise LuaSyntaxError("%s:%d: chunk has too many syntax levels" % (chunkname, t.line))


def _near_after(tokens, line):
    for t in tokens:
        if t.line > line:
            return _near(t)
    return "<eof>"


def _mark_methods(tokens):
    """Tag the NAME after ':' in 'function a.b:c' so funcname can tell it apart."""
    for i in range(len(tokens) - 1):
        if tokens[i].type == ":" and tokens[i + 1].type == "NAME":
            t = tokens[i + 1]
            nt = _MethodName("NAME", t.value, line=t.line)
            tokens[i + 1] = nt
        elif tokens[i].type == "function":
            pass


class _MethodName(Token):
    __slots__ = ()
    _is_method = True
