"""Property tests: this interpreter and lupa's Lua 5.4 agree on generated inputs.

Each property builds a small Lua program from generated data, runs it on both engines
and compares the printed output exactly (errors included, as pcall messages).
"""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

pytest.importorskip("lupa.lua54")

from luarun import run_lupa, run_ours  # noqa: E402

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lua_string(b: bytes) -> str:
    return '"' + "".join("\\%03d" % c if not (32 <= c < 127) or chr(c) in '"\\' else chr(c) for c in b) + '"'


def lua_number(x) -> str:
    if isinstance(x, int):
        return "math.mininteger" if x == -2 ** 63 else "(%d)" % x
    if x != x:
        return "(0/0)"
    if x in (float("inf"), float("-inf")):
        return "(1/0)" if x > 0 else "(-1/0)"
    return "(%s)" % float.hex(x)


def agree(program: str):
    ours = run_ours(program).decode("latin-1")
    ref = run_lupa(program).decode("latin-1")
    assert ours == ref, program


ints = st.one_of(st.integers(-2 ** 63, 2 ** 63 - 1), st.integers(-1000, 1000),
                 st.sampled_from([0, 1, -1, 2 ** 63 - 1, -2 ** 63, 255, 2 ** 31, 2 ** 53]))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6),
                   st.sampled_from([0.0, -0.0, 0.5, 1.5, 2.5, 1e15, 1e16, 1e-5, 0.1, 2.0 ** 63]))
numbers = st.one_of(ints, floats)
subject_bytes = st.binary(max_size=24) | st.text("abcxyz 0129.,-_()[]%", max_size=24).map(lambda s: s.encode())


# ---------------------------------------------------------------- string.format
flags = st.text("-+ #0", max_size=3)
width = st.one_of(st.just(""), st.integers(0, 30).map(str), st.just("123"))
precision = st.one_of(st.just(""), st.integers(0, 20).map(lambda n: "." + str(n)), st.just("."))
conversions = st.sampled_from(list("diuxXocaAeEfgGsq") + ["F", "z"])  # %p prints addresses


@SETTINGS
@given(st.lists(st.tuples(flags, width, precision, conversions, st.one_of(numbers, subject_bytes)), min_size=1, max_size=6))
def test_string_format(items):
    lines = []
    for fl, w, p, conv, v in items:
        spec = "%" + fl + w + p + conv
        arg = lua_string(v) if isinstance(v, bytes) else lua_number(v)
        lines.append("print(pcall(string.format, %s, %s))" % (lua_string(spec.encode()), arg))
    agree("\n".join(lines))


# ---------------------------------------------------------------- patterns
def _atom():
    single = st.sampled_from(list("abcxyz.") + ["%a", "%d", "%s", "%w", "%p", "%l", "%u", "%x", "%c", "%g",
                                                "%A", "%D", "%S", "%W", "%.", "%%", "%(", "[abc]", "[^a]", "[a-y]",
                                                "[%d.]", "[%a_]", "[]]", "[^%s]"])
    quant = st.sampled_from(["", "", "*", "+", "-", "?"])
    return st.tuples(single, quant).map("".join)


pattern_items = st.one_of(_atom(), _atom(), st.sampled_from(["%b()", "%f[%a]", "%f[%A]", "()", "%1"]))


@st.composite
def patterns(draw):
    parts = draw(st.lists(pattern_items, min_size=1, max_size=5))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(parts) - 1))
        j = draw(st.integers(i, len(parts) - 1))
        parts[i] = "(" + parts[i]
        parts[j] = parts[j] + ")"
    pat = "".join(parts)
    if draw(st.integers(0, 5)) == 0:
        pat = "^" + pat
    if draw(st.integers(0, 5)) == 0:
        pat = pat + "$"
    if draw(st.integers(0, 10)) == 0:  # sometimes malformed on purpose
        pat = pat + draw(st.sampled_from(["%", "[", "(", ")", "[a-"]))
    return pat


@SETTINGS
@given(st.lists(st.tuples(subject_bytes, patterns(), st.integers(-5, 30)), min_size=1, max_size=5))
def test_patterns(cases):
    lines = []
    for subj, pat, init in cases:
        s, p = lua_string(subj), lua_string(pat.encode("latin-1"))
        lines.append("print(pcall(string.find, %s, %s, %d))" % (s, p, init))
        lines.append("print(pcall(string.match, %s, %s, %d))" % (s, p, init))
        lines.append("print(pcall(string.gsub, %s, %s, '<%%0>'))" % (s, p))
        lines.append("print(pcall(string.gsub, %s, %s, function(...) return select('#', ...) end, 3))" % (s, p))
        lines.append("print(pcall(function() local r = {} for a, b in string.gmatch(%s, %s, %d) do r[#r + 1] = tostring(a) "
                     ".. '/' .. tostring(b) end return table.concat(r, ',') end))" % (s, p, init))
    agree("\n".join(lines))


# ---------------------------------------------------------------- tostring / tonumber
numeral_chars = st.text("0123456789abcdefxXpPeE+-. \t\nzZ", max_size=14)


@SETTINGS
@given(st.lists(st.tuples(st.one_of(numeral_chars, subject_bytes.map(lambda b: b.decode("latin-1"))),
                          st.one_of(st.none(), st.integers(-1, 40))), min_size=1, max_size=8),
       st.lists(numbers, max_size=8))
def test_tostring_tonumber(strings, nums):
    lines = []
    for s, base in strings:
        lit = lua_string(s.encode("latin-1"))
        if base is None:
            lines.append("do local v = tonumber(%s) print(v, math.type(v)) end" % lit)
        else:
            lines.append("print(pcall(tonumber, %s, %d))" % (lit, base))
    for x in nums:
        lines.append("print(tostring(%s), math.type(%s), %s .. '')" % (lua_number(x), lua_number(x), lua_number(x)))
    agree("\n".join(lines))


# ---------------------------------------------------------------- arithmetic
binops = st.sampled_from(["+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>", "==", "<", "<=", "..", "~="])


@SETTINGS
@given(st.lists(st.tuples(numbers, binops, numbers), min_size=1, max_size=12))
def test_arithmetic(triples):
    lines = []
    for a, op, b in triples:
        expr = "%s %s %s" % (lua_number(a), op, lua_number(b))
        lines.append("print(pcall(function() local r = %s return r, math.type(r) end))" % expr)
        lines.append("do local x, y = %s, %s print(pcall(function() return x %s y end)) end" % (lua_number(a), lua_number(b), op))
    agree("\n".join(lines))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["-", "~", "math.abs", "math.floor", "math.ceil", "math.tointeger",
                                           "math.fmod(%s, 3)", "math.fmod(%s, -2.5)", "string.format('%%.17g', %s)"]),
                          numbers), min_size=1, max_size=10))
def test_unary_and_math(items):
    lines = []
    for op, x in items:
        n = lua_number(x)
        if "%s" in op:
            expr = op % n
        elif op in ("-", "~"):
            expr = op + n
        else:
            expr = "%s(%s)" % (op, n)
        lines.append("print(pcall(function() local r = %s return r, math.type(r) end))" % expr)
    agree("\n".join(lines))


# ---------------------------------------------------------------- table.sort
@SETTINGS
@given(st.lists(st.one_of(st.integers(-50, 50), st.floats(-100, 100)), max_size=60),
       st.sampled_from(["nil", "function(a, b) return a > b end", "function(a, b) return a <= b end",
                        "function(a, b) return true end", "function(a, b) return math.floor(a) < math.floor(b) end"]))
def test_table_sort(values, comparator):
    items = ", ".join(lua_number(v) for v in values)
    agree("local t = {%s}\nlocal calls = 0\nlocal cmp = %s\n"
          "local wrapped = cmp and function(a, b) calls = calls + 1 return cmp(a, b) end\n"
          "print(pcall(table.sort, t, wrapped))\nprint(calls)\n"
          "for i = 1, #t do t[i] = tostring(t[i]) end print(table.concat(t, ' '))" % (items, comparator))


@SETTINGS
@given(st.lists(st.binary(max_size=4), max_size=30))
def test_table_sort_strings(values):
    agree("local t = {%s}\ntable.sort(t)\nfor i = 1, #t do t[i] = string.format('%%q', t[i]) end\n"
          "print(table.concat(t, ' '))" % ", ".join(lua_string(v) for v in values))
