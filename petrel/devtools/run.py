"""``petrel run ROOT --path /x``: bootstrap and one request through the router and its handler,
with no socket (petrel.testing.Client); prints the status, the headers and the body."""

from __future__ import annotations

import logging
import sys
from typing import Any

from ..engines import EngineUnavailable, ServiceLoadError
from ..log import setup_logging


def run_command(config: Any, args: Any) -> int:
    from ..testing import Client
    level = config.log_level if "log.level" in config.sources else (6 if config.lua_trace else 4)
    setup_logging(level, False, process="run", fmt=config.log_format)
    headers = []
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            print(f"petrel: --header '{header}': expected 'name: value'", file=sys.stderr)
            return 2
        headers.append((name.strip(), value.strip()))
    body = b""
    if args.data is not None:
        if args.data.startswith("@"):
            try:
                with open(args.data[1:], "rb") as handle:
                    body = handle.read()
            except OSError as exc:
                print(f"petrel: --data {args.data}: {exc.strerror}", file=sys.stderr)
                return 2
        else:
            body = args.data.encode()
    method = args.method or ("POST" if args.data is not None else "GET")
    settings = {key: getattr(config, key.replace(".", "_").replace("-", "_"))
                for key in config.sources if key not in ("lua.root", "lua.engine", "lua.runtime")}
    try:
        client = Client(config.lua_root, engine=config.lua_engine, runtime=config.lua_runtime,
                        settings={k: (int(v) if isinstance(v, bool) else v) for k, v in settings.items()})
    except (ServiceLoadError, EngineUnavailable) as exc:
        logging.getLogger("petrel.server").critical("cannot start: %s", exc)
        return 1
    try:
        reply = client.request(method, args.path, headers=headers, body=body)
    finally:
        client.close()
    out = sys.stdout
    out.write(f"{reply.status}\n")
    for name, value in reply.headers:
        out.write(f"{name}: {value}\n")
    out.write("\n")
    out.flush()
    sys.stdout.buffer.write(reply.body)
    if reply.body and not reply.body.endswith(b"\n") and sys.stdout.isatty():
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()
    return 0 if 200 <= reply.status < 400 else 1
