"""Lexer and parser: tokens, literals, precedence, and Lua-style syntax errors."""
import pytest

from petrel.lua_interp import Interpreter, LuaSyntaxError
from petrel.lua_interp import lnodes as N
from petrel.lua_interp.lparser import parse


def expr(src):
    (stat,) = parse("return " + src, "t")
    return stat.exps[0]


def test_precedence_and_associativity():
    e = expr("1 + 2 * 3 ^ 2 ^ 2")
    assert e.op == "+" and e.b.op == "*" and e.b.b.op == "^" and e.b.b.b.op == "^"
    e = expr("a .. b .. c")
    assert e.op == ".." and e.b.op == ".."          # right associative
    e = expr("-x ^ 2")
    assert isinstance(e, N.UnOp) and e.a.op == "^"  # ^ binds tighter than unary minus
    e = expr("a or b and c == d | e ~ f & g << h .. i + j * #k")
    assert isinstance(e, N.Or) and isinstance(e.b, N.And)
    assert e.b.b.op == "==" and e.b.b.b.op == "|" and e.b.b.b.b.op == "~"


@pytest.mark.parametrize("src,value", [
    ("0x10", 16), ("1e2", 100.0), ("0x1p4", 16.0), ("0xA.8p1", 21.0), (".5", 0.5),
    ("9223372036854775807", 9223372036854775807), ("9223372036854775808", 9.223372036854776e18),
    ("0xffffffffffffffff", -1),
])
def test_number_literals(src, value):
    e = expr(src)
    assert e.value == value and type(e.value) is type(value)


@pytest.mark.parametrize("src,value", [
    (r'"\65\x42\u{43}"', "ABC"), (r'"a\z   b"', "ab"), ("[==[x]]y]==]", "x]]y"), ("[[\nline]]", "line"),
    (r'"\u{7FFFFFFF}"', "\xfd\xbf\xbf\xbf\xbf\xbf"), (r'"\0"', "\0"),
])
def test_string_literals(src, value):
    assert expr(src).value == value


def test_attribs_goto_labels_parse():
    stats = parse("local a <const>, b <close> = 1, nil ::l:: goto l", "t")
    assert stats[0].attribs == ["const", "close"]
    assert isinstance(stats[1], N.Label) and isinstance(stats[2], N.Goto)


@pytest.mark.parametrize("src,msg", [
    ("x = ", "t:1: unexpected symbol near <eof>"),
    ("local 1", "t:1: <name> expected near '1'"),
    ("f(a b)", "t:1: ')' expected near 'b'"),
    ("function f()\n  return 1\n", "t:3: 'end' expected (to close 'function' at line 1) near <eof>"),
    ("if x then\n", "t:2: 'end' expected (to close 'if' at line 1) near <eof>"),
    ("repeat\n", "t:2: 'until' expected (to close 'repeat' at line 1) near <eof>"),
    ('x = "abc\n"', "t:1: unfinished string near '\"abc'"),
    ('x = "abc', "t:1: unfinished string near <eof>"),
    ("x = [[abc", "t:1: unfinished long string (starting at line 1) near '<eof>'"),
    ("x = 3x", "t:1: malformed number near '3x'"),
    (r'x = "\q"', "t:1: invalid escape sequence near '\"\\q'"),
    ("x = 1 @", "t:1: unexpected symbol near '@'"),
    ("for i = 1 do end", "t:1: ',' expected near 'do'"),
    ("local x <foo> = 1", "t:1: unknown attribute 'foo'"),
    ("break", "t:1: break outside loop at line 1"),
    ("goto nowhere", "t:1: no visible label 'nowhere' for <goto> at line 1"),
    ("local c <const> = 1 c = 2", "t:1: attempt to assign to const variable 'c'"),
])
def test_syntax_errors_read_like_lua(src, msg):
    with pytest.raises(LuaSyntaxError) as ei:
        Interpreter().new_state().load(src, "=t")
    assert str(ei.value) == msg
