"""Fuzzing: generated and mutated Lua through the lexer, parser, compiler and runtime.

Property: the only exceptions are the interpreter's Lua errors -- a syntax error or a runtime
error whose message reads "chunk:line: ..." -- never a Python SyntaxError, TypeError,
AttributeError, RecursionError... escaping, and never a Python exception turned into a Lua
error behind the scenes (lvm.FOREIGN_ERROR_HOOK sees those).  Programs run with a small
interrupt budget and a memory limit, so nothing runs long.  Every bug this found left a
program in the differential corpus (corpus/fuzz_*.lua).
"""
import pathlib
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from petrel.lua_interp import Interpreter, LuaError, LuaInterrupt, LuaSyntaxError, lvm

INTERP = Interpreter(cache_size=64)
CORPUS = sorted((pathlib.Path(__file__).parent / "corpus").glob("*.lua"))
POSITION = re.compile(r"^prog:\d+: ")
PYTHONISH = re.compile(r"object has no attribute|not subscriptable|unsupported operand|object is not|NoneType|"
                       r"positional argument|argument must be|invalid literal|Traceback|LuaTable|"
                       r"can't multiply|must be str|__\w+__|maximum recursion")
MiB = 1024 * 1024


class Budget(LuaInterrupt):
    """The fuzzed program ran out of check-ins."""


def _legit(e):
    """Python exceptions the runtime turns into Lua errors by design."""
    if isinstance(e, (RecursionError, MemoryError)):
        return True
    return isinstance(e, TypeError) and lvm._NOT_CALLABLE.search(str(e)) is not None


def run_lua(source, budget=200):
    """Load and run source (in the calling thread); returns ('ok' | 'syntax' | 'error' | 'stopped', detail).  Fails the test
    on anything but a Lua error."""
    foreign = []
    lvm.FOREIGN_ERROR_HOOK = lambda e: None if _legit(e) else foreign.append(e)
    try:
        state = INTERP.new_state()
        state.stdout = lambda data: None
        calls = [0]

        def check():
            calls[0] += 1
            if calls[0] > budget:
                raise Budget("budget")
        state.set_interrupt(check, 50)
        state.set_memory_limit(32 * MiB)
        try:
            fn = state.load(source, "=prog")
        except LuaSyntaxError as e:
            assert POSITION.match(str(e)), str(e)
            return "syntax", str(e)
        try:
            state.call(fn)
        except LuaInterrupt as e:
            return "stopped", str(e)
        except LuaError as e:
            if isinstance(e.value, str):
                # with a position, or raised in a library function (as Lua's own C functions
                # do: "attempt to get length of a nil value" from table.unpack()); never Python's words
                assert not PYTHONISH.search(e.value), e.value
            return "error", str(e)
        return "ok", None
    finally:
        lvm.FOREIGN_ERROR_HOOK = None
        assert not foreign, "a Python error became a Lua error: %r" % (foreign[0],)


# --------------------------------------------------------------------------- a grammar of Lua

NAMES = ["a", "b", "c", "t", "f", "s", "n", "x"]
name = st.sampled_from(NAMES)

numeral = st.one_of(
    st.integers(min_value=0, max_value=2 ** 70).map(str),
    st.sampled_from(["0", "1", "3", "0x10", "0xff", "0XA", "0x7fffffffffffffff", "0xffffffffffffffff",
                     "0x1p4", "0x.8", "0x1.8P-1", "0xA.", "1e10", "1E+2", "2e-3", ".5", "5.", "3.25",
                     "9223372036854775807", "9223372036854775808", "1e308", "1e309", "0.0", "00012",
                     "0x0", "4e0", "0xep1"]),
    st.floats(allow_nan=False, allow_infinity=False, min_value=0).map(repr),
)
string_lit = st.one_of(
    st.text(alphabet="abc xyz\"'\\\n\t09", max_size=8).map(lambda s: '"%s"' % s.replace("\\", "\\\\")
                                                          .replace('"', '\\"').replace("\n", "\\n")),
    st.sampled_from(['"\\x41\\65\\u{48}\\u{7FFFFFFF}"', "'\\z   x'", "[[long\nstring]]", "[==[a]]b]==]",
                     "'\\0\\255\\a\\b\\f\\v\\r'", '"10"', '"0x10"', '" 3 "', '"1e1"', '"abc"', "''",
                     "'%d'", "'%s %q'", "'(%w+)'", "'[%a-z]'", "'%5.2f'"]),
)
literal = st.one_of(numeral, string_lit, st.sampled_from(["nil", "true", "false", "..."]))

BINOPS = ["+", "-", "*", "/", "//", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or",
          "&", "|", "~", "<<", ">>"]
UNOPS = ["-", "not ", "#", "~"]


def _expr(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(BINOPS), children).map(lambda t: "%s %s %s" % t),
        st.tuples(st.sampled_from(UNOPS), children).map(lambda t: "%s%s" % t),
        children.map(lambda e: "(%s)" % e),
        st.tuples(children, children).map(lambda t: "(%s)[%s]" % t),
        st.tuples(children, name).map(lambda t: "(%s).%s" % t),
        st.tuples(children, st.lists(children, max_size=3)).map(lambda t: "(%s)(%s)" % (t[0], ", ".join(t[1]))),
        st.tuples(children, name, st.lists(children, max_size=2)).map(
            lambda t: "(%s):%s(%s)" % (t[0], t[1], ", ".join(t[2]))),
        st.tuples(name, st.lists(children, max_size=3)).map(lambda t: "%s(%s)" % (t[0], ", ".join(t[1]))),
        st.tuples(name, name, st.lists(children, max_size=2)).map(lambda t: "%s:%s(%s)" % (t[0], t[1], ", ".join(t[2]))),
        st.tuples(st.sampled_from(["string", "table", "math", "utf8", "os"]),
                  st.sampled_from(["len", "sub", "rep", "format", "gsub", "find", "byte", "char", "concat",
                                   "insert", "unpack", "move", "sort", "floor", "tointeger", "fmod", "max",
                                   "type", "char", "codepoint", "offset", "time", "pack", "unpack"]),
                  st.lists(children, max_size=3)).map(lambda t: "%s.%s(%s)" % (t[0], t[1], ", ".join(t[2]))),
        st.lists(st.one_of(children,
                           st.tuples(name, children).map(lambda t: "%s = %s" % t),
                           st.tuples(children, children).map(lambda t: "[%s] = %s" % t)),
                 max_size=4).flatmap(lambda items: st.sampled_from([", ", "; "]).map(
                     lambda sep: "{" + sep.join(items) + "}")),
        st.tuples(st.lists(name, max_size=2, unique=True), st.booleans(), children).map(
            lambda t: "function(%s) return %s end" % (", ".join(t[0] + (["..."] if t[1] else [])), t[2])),
        st.tuples(name, children).map(lambda t: "select('#', %s, %s)" % t),
    )


expr = st.recursive(st.one_of(literal, name), _expr, max_leaves=12)


def _stat(children):
    block = st.lists(children, max_size=3).map(" ".join)
    return st.one_of(
        st.tuples(st.lists(st.tuples(name, st.sampled_from(["", "", " <const>"])).map("".join),
                           min_size=1, max_size=3),
                  st.sampled_from(["", "", " <const>", " <close>"]), st.lists(expr, max_size=3)).map(
            lambda t: "local %s%s = %s" % (", ".join(t[0]), t[1], ", ".join(t[2]) or "nil")),
        st.tuples(name, expr).map(lambda t: "%s = %s" % t),
        st.tuples(name, expr, expr).map(lambda t: "%s[%s] = %s" % t),
        st.tuples(name, expr).map(lambda t: "%s.%s = %s" % (t[0], "k", t[1])),
        expr.map(lambda e: "pcall(function() return %s end)" % e),
        st.tuples(expr, block, block).map(lambda t: "if %s then %s else %s end" % t),
        st.tuples(expr, block).map(lambda t: "while %s do %s end" % t),
        st.tuples(block, expr).map(lambda t: "repeat %s until %s" % t),
        st.tuples(name, expr, expr, st.sampled_from(["", ", 1", ", -1", ", 0", ", 0.5", ", x"]), block).map(
            lambda t: "for %s = %s, %s%s do %s end" % t),
        st.tuples(name, name, expr, block).map(lambda t: "for %s, %s in pairs(%s) do %s end" % t),
        st.tuples(name, expr, block).map(lambda t: "for %s in %s do %s end" % t),
        block.map(lambda b: "do %s end" % b),
        st.tuples(name, st.lists(name, max_size=2, unique=True), block).map(
            lambda t: "local function %s(%s) %s end" % (t[0], ", ".join(t[1]), t[2])),
        st.tuples(name, name, block).map(lambda t: "function %s.%s(...) %s end" % t),
        st.tuples(name, name, block).map(lambda t: "function %s:%s() %s end" % t),
        st.tuples(name, block).map(lambda t: "do goto %s; %s ::%s:: end" % (t[0], t[1], t[0])),
        st.tuples(name, block).map(lambda t: "do local i = 0 ::%s:: i = i + 1 %s if i < 3 then goto %s end end"
                                   % (t[0], t[1], t[0])),
        st.lists(expr, max_size=2).map(lambda es: "return %s" % ", ".join(es)),
        expr.map(lambda e: "print(%s)" % e),
        expr.map(lambda e: "local _ <close> = setmetatable({}, {__close = function() return %s end})" % e),
        st.tuples(name, expr).map(lambda t: "setmetatable(%s, {__index = function() return %s end})" % t),
    )


stat = st.recursive(st.one_of(st.tuples(name, expr).map(lambda t: "%s = %s" % t), expr.map(
    lambda e: "print(%s)" % e)), _stat, max_leaves=8)
PRELUDE = """local a, b, c, s, n, x = 1, 2.5, 'c', 'str', nil, {}
local mt = {__index = string, __call = function(self, ...) return ... end, __close = function() end,
            __add = function(p, q) return 1 end, __concat = function(p, q) return 's' end,
            __lt = function() return true end, __le = function() return false end,
            __eq = function() return true end, __len = function() return 3 end,
            __unm = function(p) return p end, __tostring = function() return 'T' end}
local t = setmetatable({1, 2, k = 3, len = 1}, mt)
local function f(...) return select('#', ...), ... end
"""
# each statement in its own protected function: an error in one leaves the next ones running
program = st.lists(stat, min_size=1, max_size=6).map(
    lambda ss: PRELUDE + "\n".join("pcall(function(...) %s\nend, 1, 'two')" % s for s in ss) + "\n" + ss[-1])

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@FUZZ
@given(program)
def test_generated_programs(source):
    run_lua(source)


@FUZZ
@given(expr)
def test_generated_expressions(e):
    run_lua(PRELUDE + "return " + e)


# --------------------------------------------------------------------------- mutated corpus programs

TOKEN = re.compile(r"\[(=*)\[.*?\]\1\]|--[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"
                   r"|0[xX][0-9a-fA-F.pP+-]+|\d[\d.eE+-]*|\w+|\.\.\.|\.\.|::|<<|>>|//|[=~<>]=|\s+|.", re.S)


def tokens(src):
    return [m.group(0) for m in TOKEN.finditer(src)]


def mutate(src, ops):
    toks = tokens(src)
    for kind, where, other in ops:
        if not toks:
            break
        i = int(where * len(toks)) % len(toks)
        j = int(other * len(toks)) % len(toks)
        if kind == "delete":
            del toks[i]
        elif kind == "duplicate":
            toks.insert(i, toks[i])
        elif kind == "swap":
            toks[i], toks[j] = toks[j], toks[i]
        elif kind == "move":
            toks.insert(j, toks.pop(i))
        else:  # flip a byte of one token
            tk = toks[i]
            k = int(other * len(tk)) % len(tk)
            toks[i] = tk[:k] + chr((ord(tk[k]) ^ (1 << int(other * 8))) & 0xFF) + tk[k + 1:]
    return "".join(toks)


mutation = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "move", "flip"]),
                     st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True))


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_corpus(path, ops):
    source = mutate(path.read_bytes().decode("latin-1"), ops)
    run_lua(source, budget=100)


# --------------------------------------------------------------------------- deep nesting

DEEP = {
    "parentheses": "return " + "(" * 10000 + "1" + ")" * 10000,
    "blocks": "do " * 10000 + "end " * 10000,
    "tables": "return " + "{" * 10000 + "}" * 10000,
    "functions": "return " + "function() return " * 5000 + "1" + " end" * 5000,
    "ifs": "if x then " * 10000 + "end " * 10000,
    "whiles": "while x do " * 10000 + "end " * 10000,
    "repeats": "repeat " * 10000 + "until x " * 10000,
    "calls": "return f" + "(1)" * 10000,
    "fields": "return a" + ".b" * 10000,
    "indexes": "return a" + "[1]" * 10000,
    "power": "return " + "2 ^ " * 10000 + "1",
    "and_chain": "return " + " and ".join(["x"] * 10000),
    "unary": "return " + "- " * 10000 + "1",
    "nots": "return " + "not " * 10000 + "1",
    "concat": "return " + " .. ".join(["'a'"] * 10000),
    "sum_parens": "return " + "(1 + " * 10000 + "1" + ")" * 10000,
    "index_parens": "return " + "(t)[" * 3000 + "1" + "]" * 3000,
    "table_nest_100": "return " + "{" * 100 + "}" * 100,
    "loops_25": "local n = 0 " + "for i = 1, 1 do " * 25 + "n = n + 1 " + "end " * 25 + "return n",
    "ifs_150": "local n = 0 " + "if true then " * 150 + "n = n + 1 " + "end " * 150 + "return n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_a_lua_error(name):
    kind, detail = run_lua(DEEP[name])
    assert kind in ("ok", "syntax", "error"), (kind, detail)
    if kind == "syntax":
        assert re.search(r"too many syntax levels|too complex", detail), detail


def test_ten_thousand_parentheses_message():
    kind, detail = run_lua(DEEP["parentheses"])
    assert kind == "syntax" and detail == "prog:1: chunk has too many syntax levels"


def test_deep_loops_compile_and_run():
    assert run_lua(DEEP["loops_25"]) == ("ok", None)


# --------------------------------------------------------------------------- the command line

CLI_PROGRAMS = [
    "print((10)[3])",
    "return " + "(" * 10000 + "1" + ")" * 10000,
    "do " * 10000 + "end",
    "error(setmetatable({}, {__tostring = function() return 'obj' end}))",
    "error({})",
    "error()",
    "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
    "x = = 1",
    "for i = 1, math.huge do if i > 3 then break end end print('ok')",
    "print(('x'):rep(-1), ('x'):rep(0), string.rep('', 1 << 40))",
    "goto nowhere",
    "local x <close> = 1",
    "\x00\xff\x1bLua",
]


@pytest.mark.parametrize("source", CLI_PROGRAMS, ids=[str(i) for i in range(len(CLI_PROGRAMS))])
def test_command_line_never_prints_a_python_traceback(source):
    p = subprocess.run([sys.executable, "-m", "petrel.lua_interp", "-e", source.replace("\x00", "")],
                       capture_output=True, timeout=120)
    err = p.stderr.decode("latin-1")
    assert "Traceback (most recent call last)" not in err, err
    assert "Error:" not in err.split("\n")[0] or err.startswith("lua:"), err
    if p.returncode:
        assert err.startswith("lua: "), err
