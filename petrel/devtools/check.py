"""``petrel check ROOT``: every ``*.lua`` file parsed, every route's handler defined, and a warning
for each assignment to an undeclared global inside a function (it does not survive the request).

Messages read ``file:line:col: error: message`` (or ``warning:``), then the source line and a
caret, as compilers print them, so editors and CI can jump to them. Exit code 1 when there are
errors (or warnings, with ``--strict``), 0 otherwise.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from typing import Any

from ..engines import find_sources
from ..lua_interp import LuaSyntaxError
from ..lua_interp import lnodes as N
from ..lua_interp.lparser import parse

_NEAR = re.compile(r"near '(.*)'$|near (<eof>)$")
_POSITION = re.compile(r"^(.*?):(\d+): (.*)$", re.S)


@dataclasses.dataclass
class Finding:
    file: str
    line: int
    col: int
    kind: str      # "error" or "warning"
    message: str
    source: str = ""

    def render(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.kind}: {self.message}"
        if self.source:
            text += f"\n    {self.source.expandtabs(4)}\n    {' ' * (self.col - 1)}^"
        return text


def _source_line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].rstrip() if 0 < line <= len(lines) else ""


def _column(source: str, message: str) -> int:
    match = _NEAR.search(message)
    token = match.group(1) if match and match.group(1) is not None else None
    if token and token in source:
        return source.index(token) + 1
    if match and match.group(2):
        return len(source) + 1
    return len(source) - len(source.lstrip()) + 1


def syntax_finding(name: str, text: str, error: LuaSyntaxError) -> Finding:
    match = _POSITION.match(str(error))
    line, message = (int(match.group(2)), match.group(3)) if match else (1, str(error))
    source = _source_line(text, line)
    return Finding(name, line, _column(source, message), "error", message, source)


class _GlobalWrites:
    """Assignments to names that are neither local nor defined by the file's main chunk."""

    def __init__(self, defined: set[str]) -> None:
        self.defined = defined
        self.found: list[tuple[int, str]] = []

    def block(self, body: list, scopes: list[set], in_function: bool) -> None:
        scope: set = set()
        scopes = scopes + [scope]
        for stat in body:
            self.stat(stat, scopes, scope, in_function)

    def _is_local(self, name: str, scopes: list[set]) -> bool:
        return any(name in scope for scope in scopes)

    def stat(self, stat: Any, scopes: list[set], scope: set, in_function: bool) -> None:
        if isinstance(stat, N.Local):
            for exp in stat.exps:
                self.expr(exp, scopes, in_function)
            scope.update(stat.names)
            return
        if isinstance(stat, N.LocalFunction):
            scope.add(stat.name)
            self.function(stat.func, scopes)
            return
        if isinstance(stat, N.FunctionStat):
            if isinstance(stat.target, N.Name):
                self._write(stat.target, scopes, in_function)
            self.function(stat.func, scopes)
            return
        if isinstance(stat, N.Assign):
            for target in stat.targets:
                if isinstance(target, N.Name):
                    self._write(target, scopes, in_function)
                else:
                    self.expr(target, scopes, in_function)
            for exp in stat.exps:
                self.expr(exp, scopes, in_function)
            return
        if isinstance(stat, N.NumFor):
            for exp in (stat.start, stat.stop, stat.step):
                if exp is not None:
                    self.expr(exp, scopes, in_function)
            self.block(stat.body, scopes + [{stat.var}], in_function)
            return
        if isinstance(stat, N.GenFor):
            for exp in stat.exps:
                self.expr(exp, scopes, in_function)
            self.block(stat.body, scopes + [set(stat.names)], in_function)
            return
        if isinstance(stat, N.If):
            for cond, body in stat.tests:
                self.expr(cond, scopes, in_function)
                self.block(body, scopes, in_function)
            if stat.orelse:
                self.block(stat.orelse, scopes, in_function)
            return
        if isinstance(stat, N.Repeat):
            # the condition sees the body's locals
            inner: set = set()
            for sub in stat.body:
                self.stat(sub, scopes + [inner], inner, in_function)
            self.expr(stat.cond, scopes + [inner], in_function)
            return
        for value in _children(stat):
            if isinstance(value, list) and value and all(isinstance(v, N.Node) for v in value) \
                    and isinstance(stat, (N.Do, N.While)) and value is stat.body:
                self.block(value, scopes, in_function)
            else:
                self.expr(value, scopes, in_function)

    def _write(self, target: Any, scopes: list[set], in_function: bool) -> None:
        name = target.name
        if in_function and not self._is_local(name, scopes) and name not in self.defined:
            self.found.append((target.line, name))

    def function(self, func: Any, scopes: list[set]) -> None:
        params = set(func.params) | ({"self"} if func.is_method else set())
        self.block(func.body, scopes + [params], True)

    def expr(self, node: Any, scopes: list[set], in_function: bool) -> None:
        if isinstance(node, N.Function):
            self.function(node, scopes)
            return
        if isinstance(node, list):
            for item in node:
                self.expr(item, scopes, in_function)
            return
        if isinstance(node, tuple):
            for item in node:
                self.expr(item, scopes, in_function)
            return
        if isinstance(node, N.Node):
            for value in _children(node):
                self.expr(value, scopes, in_function)


def _children(node: Any) -> list:
    return [getattr(node, f.name) for f in dataclasses.fields(node)
            if f.name not in ("line", "var", "env", "vars", "info", "vinfo", "end_line")]


def _top_level_globals(body: list) -> set[str]:
    names: set[str] = set()
    for stat in body:
        if isinstance(stat, N.FunctionStat) and isinstance(stat.target, N.Name):
            names.add(stat.target.name)
        elif isinstance(stat, N.Assign):
            names.update(t.name for t in stat.targets if isinstance(t, N.Name))
    return names


def check_service(root: str) -> tuple[list[Finding], set[str]]:
    findings: list[Finding] = []
    parsed = []
    for source in find_sources(root):
        text = source.text.decode("latin-1")
        try:
            parsed.append((source.name, text, parse(text, source.name)))
        except LuaSyntaxError as exc:
            findings.append(syntax_finding(source.name, text, exc))
    defined: set[str] = set()
    for _name, _text, body in parsed:
        defined |= _top_level_globals(body)
    for name, text, body in parsed:
        walker = _GlobalWrites(defined)
        walker.block(body, [], False)
        for line, global_name in walker.found:
            source = _source_line(text, line)
            col = source.find(global_name) + 1 if global_name in source else 1
            findings.append(Finding(name, line, col, "warning",
                                    f"assignment to undeclared global '{global_name}' inside a function "
                                    "(it is gone after the request; declare it local, or define it at load time)",
                                    source))
    return findings, defined


def check_routes(config: Any, defined: set[str]) -> list[Finding]:
    from ..engines import EngineUnavailable, ServiceLoadError
    from ..testing import Client
    try:
        client = Client(config.lua_root, engine=config.lua_engine, runtime=config.lua_runtime)
    except (ServiceLoadError, EngineUnavailable) as exc:
        return [Finding("bootstrap", 0, 0, "error", str(exc))]
    try:
        routes = client.server.router.routes
    finally:
        client.close()
    return [Finding("bootstrap", 0, 0, "error",
                    f"route {route.prefix} -> '{route.handler}': no file defines a global function "
                    f"'{route.handler}'")
            for route in routes if route.handler is not None and route.handler not in defined]


def check_command(config: Any, args: Any) -> int:
    import logging
    logging.getLogger("petrel").setLevel(logging.CRITICAL)
    findings, defined = check_service(config.lua_root)
    if not any(f.kind == "error" for f in findings) and not args.no_bootstrap:
        findings += check_routes(config, defined)
    for finding in findings:
        if finding.line:
            print(finding.render())
        else:
            print(f"{finding.file}: {finding.kind}: {finding.message}")
    errors = sum(f.kind == "error" for f in findings)
    warnings = len(findings) - errors
    print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0
