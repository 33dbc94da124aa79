"""The ``petrel`` command line.

``petrel serve [-c petrel.conf] [ROOT] [--group.option=value ...]`` serves a service;
``petrel run ROOT --path /x`` answers one request without a socket; ``petrel options [--markdown]``
prints the option reference.

Every option of :data:`petrel.config.OPTIONS` is an argparse option ``--group.option`` (``=V`` or
`` V``), with the short names uvicorn and hypercorn users know: ``--host``, ``--port``,
``--workers``, ``--reload``, ``--log-level``. Values come from the file, then the environment
(``PETREL_<GROUP>_<OPTION>``), then the command line, each winning over the one before.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import sys
from typing import Any, Sequence

from . import __version__
from .config import ENV_NAMES, OPTIONS, ConfigError, load_config
from .process import EXIT_CONFIG

# The conventional names of other Python servers, each standing for one of our options.
ALIASES: tuple[tuple[str, str, str], ...] = (
    ("--host", "server.listen", "address to listen on (same as --server.listen)"),
    ("--port", "server.port", "TCP port (same as --server.port)"),
    ("--workers", "server.workers", "worker processes (same as --server.workers)"),
    ("--log-level", "log.level", "debug, info, warning, error... or 0-7 (same as --log.level)"),
    ("--root", "lua.root", "the service's directory (same as --lua.root)"),
)


def format_default(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value == "":
        return "(empty)"
    return str(value)


class CommandLineError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Errors as one ``petrel: ...`` line with exit code 2 (argparse would print the usage first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        match = re.fullmatch(r"argument (--[\w.-]+)(?:/[^:]*)?: expected one argument", message)
        if match:
            flag = match.group(1)
            name = flag[2:]
            message = f"option '{name}' needs a value ({flag}=value)"
        raise CommandLineError(message)


def _formatter(prog: str) -> argparse.HelpFormatter:
    width = max(120, shutil.get_terminal_size((120, 24)).columns)
    return argparse.HelpFormatter(prog, max_help_position=56, width=width)


def _add_service_options(parser: argparse.ArgumentParser, root_positional: bool = True) -> None:
    parser.add_argument("-c", "--config", metavar="FILE", help="configuration file (INI, sections = groups)")
    if root_positional:
        parser.add_argument("service_root", nargs="?", metavar="ROOT",
                            help="the service's directory (same as --lua.root)")
    parser.add_argument("--engine", choices=("lupa", "lark", "auto"), default=None,
                        help="Lua engine: lupa (C bindings, fast), lark (pure Python) or auto "
                             "(lupa when it imports, else lark); default: auto, or lua.engine")
    for flag, key, text in ALIASES:
        parser.add_argument(flag, dest=f"opt:{key}", metavar="V", default=argparse.SUPPRESS, help=text)
    parser.add_argument("--trace", dest="opt:lua.trace", action="store_const", const="1",
                        default=argparse.SUPPRESS,
                        help="lark engine: log every Lua line run, with the locals it changed "
                             "(same as --lua.trace=1)")
    group = parser.add_argument_group(
        "options", "every option, as in the config file's [group] section and as the environment "
                   "variable PETREL_GROUP_OPTION (dots and dashes as underscores); "
                   "precedence: file < environment < command line")
    for option in OPTIONS:
        text = f"(default: {format_default(option.default)}) {option.help}".replace("%", "%%")
        group.add_argument(f"--{option.key}", dest=f"opt:{option.key}", metavar="V",
                           default=argparse.SUPPRESS, help=text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="petrel", description="A web server whose handlers are written in Lua.",
                     formatter_class=_formatter, allow_abbrev=False)
    parser.add_argument("-V", "--version", action="version", version=f"petrel {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)

    serve = commands.add_parser(
        "serve", usage="petrel serve [-h] [-V] [-c FILE] [ROOT] [--group.option=V ...]", help="serve a Lua service", formatter_class=_formatter, allow_abbrev=False,
        description="Load the *.lua files under lua.root, run bootstrap() and serve HTTP/1.1 and HTTP/2.")
    serve.add_argument("-V", "--version", action="version", version=f"petrel {__version__}")
    _add_service_options(serve)
    serve.add_argument("--reload", dest="opt:lua.devmode", action="store_const", const="1",
                       default=argparse.SUPPRESS,
                       help="reload the service when its files change (same as --lua.devmode=1)")
    run = commands.add_parser(
        "run", usage="petrel run [-h] [-c FILE] [ROOT] --path PATH [--method M] [--header 'K: V'] [--data BODY] "
                     "[--group.option=V ...]",
        help="answer one request without a socket", formatter_class=_formatter, allow_abbrev=False,
        description="Load the service, run bootstrap() and send one request through the router and its "
                    "handler; print the status, the headers and the body. Exit code 0 for 2xx and 3xx, "
                    "1 otherwise.")
    _add_service_options(run)
    run.add_argument("--path", required=True, help="the request path, with an optional ?query")
    run.add_argument("--method", default=None, help="the request method (default: GET, POST with --data)")
    run.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                     help="a request header; repeat for more")
    run.add_argument("--data", "-d", default=None, metavar="BODY", help="the request body; @FILE reads FILE")

    check = commands.add_parser(
        "check", usage="petrel check [-h] [-c FILE] [ROOT] [--no-bootstrap] [--strict] [--group.option=V ...]",
        help="check a service: syntax, routes, globals", formatter_class=_formatter, allow_abbrev=False,
        description="Parse every *.lua file (errors as file:line:col: message), run bootstrap() and check "
                    "that every route's handler is defined, warn about assignments to undeclared globals "
                    "inside functions. Exit code 1 when there are errors.")
    _add_service_options(check)
    check.add_argument("--no-bootstrap", action="store_true", help="only parse the files")
    check.add_argument("--strict", action="store_true", help="warnings count as errors too")

    repl = commands.add_parser(
        "repl", usage="petrel repl [-h] [-c FILE] [--engine E] [ROOT] [--group.option=V ...]",
        help="a Lua prompt with petrel's libraries (and a service's files)", formatter_class=_formatter,
        allow_abbrev=False,
        description="A Lua prompt in a handler's world: the sandbox and petrel's libraries; with ROOT, the "
                    "service's files loaded and bootstrap() run. An expression's values are shown; globals "
                    "stay between inputs. On a terminal: line editing and history (~/.petrel_history); "
                    "otherwise statements are read from standard input (exit code 1 when one failed).")
    _add_service_options(repl)

    options = commands.add_parser("options", help="print every option (the configuration reference)",
                                  formatter_class=_formatter)
    options.add_argument("--markdown", action="store_true", help="as the Markdown page docs/configuration.md")
    return parser


_ALL_FLAGS = sorted({f"--{o.key}" for o in OPTIONS} | {a[0] for a in ALIASES} |
                    {"--config", "--engine", "--reload", "--trace", "--version", "--help", "--markdown", "--path",
                     "--method", "--header", "--data", "--no-bootstrap", "--strict"})


_GROUPS_PREFIXES = {o.group for o in OPTIONS}


def _unknown(extra: Sequence[str]) -> str:
    first = next((a for a in extra if a.startswith("-")), extra[0])
    flag = first.split("=", 1)[0]
    if not flag.startswith("-"):
        return f"unexpected argument '{first}'"
    close = difflib.get_close_matches(flag, _ALL_FLAGS, n=2, cutoff=0.6)
    hint = (f" (did you mean {' or '.join(close)}?)" if close
            else " (petrel serve --help lists every option)")
    if flag[2:] in _GROUPS_PREFIXES or "." in flag:
        return f"command line {flag}: unknown option '{flag[2:]}'{hint}"
    return f"unknown option '{flag}'{hint}"


def _overrides(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The options given on the command line, as (key, value), in the table's order."""
    given = {k[4:]: v for k, v in vars(args).items() if k.startswith("opt:")}
    overrides = [(key, given[key]) for key in (o.key for o in OPTIONS) if key in given]
    root = getattr(args, "service_root", None)
    if root is not None:
        if "lua.root" in given:
            raise ConfigError("the service's directory is given twice (ROOT and --lua.root)")
        overrides.append(("lua.root", root))
    if args.engine:
        overrides.append(("lua.engine", args.engine))
    return overrides


def _unknown_environment(environ: Any) -> list[str]:
    notes = []
    for name in sorted(environ):
        if name.startswith("PETREL_") and name not in ENV_NAMES:
            close = difflib.get_close_matches(name, list(ENV_NAMES), n=1, cutoff=0.8)
            if close:
                notes.append(f"petrel: ignoring environment variable {name} (did you mean {close[0]}?)")
    return notes


def load_from_args(args: argparse.Namespace, require_root: bool = True) -> Any:
    for note in _unknown_environment(os.environ):
        print(note, file=sys.stderr)
    return load_config(args.config, _overrides(args), require_root=require_root, environ=os.environ)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            raise CommandLineError(_unknown(extra))
    except CommandLineError as exc:
        print(f"petrel: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    if args.command == "options":
        from .devtools.options import print_options
        return print_options(markdown=args.markdown)
    try:
        config = load_from_args(args, require_root=args.command != "repl")
        if config.server_workers != 1 and config.server_port == 0:
            raise ConfigError("option 'server.port': 0 (a free port) needs server.workers=1")
    except ConfigError as exc:
        print(f"petrel: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "check":
        from .devtools.check import check_command
        return check_command(config, args)
    if args.command == "repl":
        from .devtools.repl import repl_command
        return repl_command(config, args)
    if args.command == "run":
        from .devtools.run import run_command
        return run_command(config, args)
    workers = config.server_workers or os.cpu_count() or 1
    if workers == 1:
        from .process import run_worker
        return run_worker(config)
    from .workers import run_workers
    return run_workers(config, workers)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
