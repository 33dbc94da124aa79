"""AST node classes produced by the parser and consumed by the compiler.

Every node carries ``line``, the source line that runtime errors report.
Expressions and statements are separate families; a block is a list of statements.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(slots=True, eq=False)
class Node:
    line: int


# ---------------------------------------------------------------- expressions
@dataclass(slots=True, eq=False)
class Nil(Node):
    pass


@dataclass(slots=True, eq=False)
class TrueExp(Node):
    pass


@dataclass(slots=True, eq=False)
class FalseExp(Node):
    pass


@dataclass(slots=True, eq=False)
class Number(Node):
    value: Any  # int or float


@dataclass(slots=True, eq=False)
class String(Node):
    value: str  # latin-1 text, one char per byte


@dataclass(slots=True, eq=False)
class Vararg(Node):
    pass


@dataclass(slots=True, eq=False)
class Function(Node):
    params: list
    is_vararg: bool
    body: list
    end_line: int = 0
    name: str = ""           # how tracebacks name it ("function 'f'", "method 'm'")
    is_method: bool = False  # 'function a:b()' adds 'self'
    # filled by the resolver
    vars: list = field(default_factory=list)
    info: Any = None
    upvals: list = field(default_factory=list)  # VarInfos of its upvalues, in Lua's order
    span: Any = None         # (start, end) of "(params) body end" in the chunk text (string.dump)


@dataclass(slots=True, eq=False)
class Table(Node):
    items: list  # (key_exp or None for positional, value_exp)


@dataclass(slots=True, eq=False)
class BinOp(Node):
    op: str
    a: Node
    b: Node


@dataclass(slots=True, eq=False)
class And(Node):
    a: Node
    b: Node


@dataclass(slots=True, eq=False)
class Or(Node):
    a: Node
    b: Node


@dataclass(slots=True, eq=False)
class UnOp(Node):
    op: str  # 'not', '#', '-', '~'
    a: Node


@dataclass(slots=True, eq=False)
class Name(Node):
    name: str
    var: Any = None      # VarInfo for locals/upvalues, None for globals
    env: Any = None      # VarInfo of the _ENV in scope, for globals


@dataclass(slots=True, eq=False)
class Index(Node):
    obj: Node
    key: Node


@dataclass(slots=True, eq=False)
class Call(Node):
    func: Node
    args: list


@dataclass(slots=True, eq=False)
class Method(Node):
    obj: Node
    name: str
    args: list


@dataclass(slots=True, eq=False)
class Paren(Node):
    exp: Node


# ----------------------------------------------------------------- statements
@dataclass(slots=True, eq=False)
class Local(Node):
    names: list
    attribs: list  # None, 'const' or 'close' for each name
    exps: list
    vars: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Assign(Node):
    targets: list
    exps: list


@dataclass(slots=True, eq=False)
class CallStat(Node):
    call: Node


@dataclass(slots=True, eq=False)
class Do(Node):
    body: list


@dataclass(slots=True, eq=False)
class While(Node):
    cond: Node
    body: list
    fresh: bool = False  # body locals captured by closures: one binding per iteration


@dataclass(slots=True, eq=False)
class Repeat(Node):
    body: list
    cond: Node
    fresh: bool = False


@dataclass(slots=True, eq=False)
class If(Node):
    tests: list   # [(cond, block), ...]
    orelse: Optional[list]


@dataclass(slots=True, eq=False)
class NumFor(Node):
    var: str
    start: Node
    stop: Node
    step: Optional[Node]
    body: list
    fresh: bool = False
    vinfo: Any = None


@dataclass(slots=True, eq=False)
class GenFor(Node):
    names: list
    exps: list
    body: list
    fresh: bool = False
    vars: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class FunctionStat(Node):
    target: Node       # Name or Index
    func: Function


@dataclass(slots=True, eq=False)
class LocalFunction(Node):
    name: str
    func: Function
    vinfo: Any = None


@dataclass(slots=True, eq=False)
class Return(Node):
    exps: list


@dataclass(slots=True, eq=False)
class Break(Node):
    pass


@dataclass(slots=True, eq=False)
class Goto(Node):
    label: str
    as_continue: bool = False  # a jump to the label ending the enclosing loop body


@dataclass(slots=True, eq=False)
class Label(Node):
    name: str
