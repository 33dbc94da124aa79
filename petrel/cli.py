"""``petrel serve [-c petrel.conf] [--engine=lupa|lark|auto] [--group.option=value ...]``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

from . import __version__
from .config import OPTIONS, ConfigError, load_config
from .process import EXIT_CONFIG, run_worker


def _format_default(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value == "":
        return "(empty)"
    return str(value)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="petrel", description="A web server whose handlers are written in Lua.")
    parser.add_argument("--version", action="version", version=f"petrel {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command")
    epilog = ["options (in the config file, section = group; on the command line --group.option=value;",
              "the command line wins over the file):"]
    width = max(len(o.key) for o in OPTIONS) + 2
    for option in OPTIONS:
        epilog.append(f"  --{option.key.ljust(width)} {option.help} (default: {_format_default(option.default)})")
    serve = commands.add_parser(
        "serve", help="serve a Lua service", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load the *.lua files under lua.root, run bootstrap() and serve HTTP/1.1 and HTTP/2.",
        epilog="\n".join(epilog))
    serve.add_argument("-c", "--config", metavar="FILE", help="configuration file (INI, sections = groups)")
    serve.add_argument("--engine", choices=("lupa", "lark", "auto"), default=None,
                       help="Lua engine: lupa (C bindings, fast), lark (pure Python) or auto "
                            "(lupa when it imports, else lark); default: auto, or lua.engine")
    return parser


def _split_overrides(extra: Sequence[str]) -> list[tuple[str, str]]:
    overrides = []
    args = list(extra)
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith("--") or len(arg) < 3:
            raise ConfigError(f"unexpected argument '{arg}' (options are written --group.option=value)")
        key, sep, value = arg[2:].partition("=")
        if not sep:
            if index + 1 < len(args) and not args[index + 1].startswith("--"):
                value = args[index + 1]
                index += 1
            else:
                raise ConfigError(f"option '{key}' needs a value (--{key}=value)")
        overrides.append((key, value))
        index += 1
    return overrides


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command != "serve":
        parser.print_help()
        return EXIT_CONFIG
    try:
        overrides = _split_overrides(extra)
        if args.engine:
            overrides.append(("lua.engine", args.engine))
        config = load_config(args.config, overrides)
        if config.server_workers != 1 and config.server_port == 0:
            raise ConfigError("option 'server.port': 0 (a free port) needs server.workers=1")
    except ConfigError as exc:
        print(f"petrel: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    workers = config.server_workers or os.cpu_count() or 1
    if workers == 1:
        return run_worker(config)
    from .workers import run_workers
    return run_workers(config, workers)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
