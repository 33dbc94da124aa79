"""Configuration: every option of petrel in one table, read from an INI file and the command line.

The file's sections are the option groups (``[server]``, ``[lua]``, ``[log]``, ``[metrics]``) and the
command line spells the same option ``--group.option=value``; the command line wins over the file. A
bad option is a :class:`ConfigError` naming the option and where it came from, never a traceback.
"""

from __future__ import annotations

import configparser
import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Callable


class ConfigError(Exception):
    """A configuration problem, worded for the person who wrote the option."""


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected a boolean (1/0, true/false, yes/no, on/off)")


def _parse_int(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise ValueError("expected an integer") from None
        if low is not None and value < low:
            raise ValueError(f"must be at least {low}")
        if high is not None and value > high:
            raise ValueError(f"must be at most {high}")
        return value

    return parse


def _parse_str(text: str) -> str:
    return text.strip()


def _parse_runtime(text: str) -> str:
    value = text.strip().lower()
    if value not in LUA_RUNTIMES:
        raise ValueError("expected one of " + ", ".join(LUA_RUNTIMES))
    return value


def _parse_engine(text: str) -> str:
    value = text.strip().lower()
    if value not in ("lupa", "lark", "auto"):
        raise ValueError("expected lupa, lark or auto")
    return value


def _parse_http1_parser(text: str) -> str:
    value = text.strip().lower()
    if value not in ("auto", "h11", "httptools"):
        raise ValueError("expected auto, h11 or httptools")
    if value == "httptools":
        try:
            import httptools  # noqa: F401
        except ImportError:
            raise ValueError("httptools is not installed (pip install 'petrel[fast]')") from None
    return value


LOG_LEVEL_NAMES = {"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2, "err": 3, "error": 3,
                   "warning": 4, "warn": 4, "notice": 5, "info": 6, "debug": 7}


def _parse_log_level(text: str) -> int:
    """A syslog level, 0 emerg ... 7 debug, by number or by name (debug, info, warning, error...)."""
    value = text.strip().lower()
    if value in LOG_LEVEL_NAMES:
        return LOG_LEVEL_NAMES[value]
    if not value.lstrip("-").isdigit():
        raise ValueError("expected 0-7 or a name: emerg, alert, crit, error, warning, notice, info, debug")
    return _parse_int(0, 7)(value)


def _parse_log_format(text: str) -> str:
    value = text.strip().lower()
    if value not in ("text", "json"):
        raise ValueError("expected text or json")
    return value


def _parse_path_prefix(text: str) -> str:
    value = text.strip()
    if value and not value.startswith("/"):
        raise ValueError("expected a path starting with '/'")
    return value


def _parse_shared_backend(text: str) -> str:
    from urllib.parse import urlsplit
    value = text.strip()
    if value.lower() == "embedded":
        return "embedded"
    try:
        parts = urlsplit(value)
        parts.port   # a bad port raises here
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise ValueError("the Redis database after the '/' must be a number")
        return value
    if parts.scheme == "unix" and parts.path:
        return value
    raise ValueError("expected 'embedded', redis://[:password@]host[:port][/db], rediss://... "
                     "or unix:///path/to/redis.sock")


def _parse_networks(text: str) -> str:
    """Addresses or CIDR blocks, IPv4 or IPv6, separated by commas or spaces; normalized to
    ``net/prefix, ...`` (a bare address is a block of one)."""
    import ipaddress
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=True)))
        except ValueError as exc:
            if "host bits set" not in str(exc):
                raise ValueError(f"{entry!r} is not an IPv4 or IPv6 address or CIDR block") from None
            wide = ipaddress.ip_network(entry, strict=False)
            raise ValueError(f"{entry!r} has bits set beyond its prefix (did you mean {wide}?)") from None
    return ", ".join(networks)


_GZIP_TYPES = "text/*, application/json, application/javascript, application/xml, image/svg+xml"


def _parse_gzip_types(text: str) -> str:
    """Media types separated by commas, ``type/*`` allowed; normalized to lower case."""
    kinds = []
    for part in text.split(","):
        kind = part.strip().lower()
        if not kind:
            continue
        main, slash, sub = kind.partition("/")
        if not slash or not main or not sub or main == "*" or "/" in sub or ";" in kind or " " in kind:
            raise ValueError(f"{part.strip()!r} is not a media type (expected type/subtype or type/*)")
        kinds.append(kind)
    return ", ".join(kinds)


LUA_RUNTIMES = ("luajit", "lua51", "lua52", "lua53", "lua54", "lua55")


@dataclass(frozen=True, slots=True)
class Option:
    group: str
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    is_path: bool = False  # relative values in a config file are relative to that file

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"

    @property
    def attr(self) -> str:
        return self.key.replace(".", "_").replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("server", "listen", "localhost", _parse_str, "address to listen on (name, IPv4 or IPv6)"),
    Option("server", "port", 8585, _parse_int(0, 65535), "TCP port (0 picks a free port)"),
    Option("server", "backlog", 0, _parse_int(0), "listen backlog, 0 = the system maximum"),
    Option("server", "workers", 1, _parse_int(0, 256), "worker processes, 0 = one per CPU"),
    Option("server", "http2", True, _parse_bool, "accepted for compatibility; HTTP/2 is always on"),
    Option("server", "http2.tls", False, _parse_bool, "serve TLS (ALPN h2 and http/1.1) on the port"),
    Option("server", "http2.key-file", "", _parse_str, "TLS private key (PEM)", is_path=True),
    Option("server", "http2.crt-file", "", _parse_str, "TLS certificate chain (PEM)", is_path=True),
    Option("server", "http2.max-concurrent-streams", 100, _parse_int(1, 2**31 - 1),
           "HTTP/2 requests one connection may have in progress at once"),
    Option("server", "http2.initial-window-size", 1024 * 1024, _parse_int(1, 2**31 - 1),
           "HTTP/2 flow-control window in bytes a client may send on each stream (and on the "
           "connection) before the server acknowledges it"),
    Option("server", "http2.max-header-list-size", 64 * 1024, _parse_int(1024, 2**31 - 1),
           "largest HTTP/2 request header list in bytes, counted as RFC 9113 does "
           "(the connection ends with GOAWAY beyond it)"),
    Option("server", "http2.max-frame-size", 16384, _parse_int(16384, 16777215),
           "largest HTTP/2 frame payload in bytes the server accepts (16384 to 16777215)"),
    Option("server", "dns-cache-ttl", 5, _parse_int(0), "DNS cache time to live in minutes"),
    Option("server", "keepalive-timeout", 60, _parse_int(1), "seconds an idle connection is kept open"),
    Option("server", "max-body-size", 64 * 1024 * 1024, _parse_int(0),
           "largest request body in bytes (413 beyond it)"),
    Option("server", "max-form-parts", 1000, _parse_int(1, 1000000),
           "most fields and parts request.form and request.files read from one body (more is a "
           "malformed body: a Lua error, 400 when the handler does not catch it)"),
    Option("server", "max-header-size", 64 * 1024, _parse_int(1024),
           "largest request head (request line and headers) in bytes (431 beyond it)"),
    Option("server", "max-headers", 100, _parse_int(1, 100000),
           "largest number of request header lines (431 beyond it)"),
    Option("server", "max-request-line", 8192, _parse_int(64, 1024 * 1024),
           "longest HTTP/1.1 request line in bytes (414 beyond it)"),
    Option("server", "header-timeout", 60, _parse_int(1),
           "seconds a client has to send a whole request head (408 and close beyond it)"),
    Option("server", "body-timeout", 60, _parse_int(1),
           "seconds a client may pause while sending a request body (408 and close beyond it)"),
    Option("server", "max-connections", 10000, _parse_int(0),
           "open client connections at most, per worker; more wait to be accepted (0 = no limit)"),
    Option("server", "keepalive-requests", 1000, _parse_int(0),
           "requests served on one HTTP/1.1 connection before it is closed (0 = no limit)"),
    Option("server", "http1-parser", "auto", _parse_http1_parser,
           "HTTP/1.1 request parser: httptools (C, from the 'fast' extra), h11 (pure Python), or "
           "auto (httptools when it is installed, else h11)"),
    Option("server", "shutdown-timeout", 30, _parse_int(0),
           "seconds in-flight requests get to finish after SIGTERM or SIGINT"),
    Option("server", "shutdown-delay", 0, _parse_int(0, 3600),
           "seconds after SIGTERM or SIGINT during which the server still accepts and serves, "
           "server.health-path answering 503, before it stops accepting (time for a load balancer "
           "to take it out of rotation; a second signal still exits at once)"),
    Option("server", "health-path", "", _parse_path_prefix,
           "answer GET and HEAD on this path without Lua: 200 while serving, 503 from the stop "
           "signal on (empty = off)"),
    Option("server", "trusted-proxies", "", _parse_networks,
           "reverse proxies, as addresses or CIDR blocks (IPv4 or IPv6) separated by commas or "
           "spaces: a request from one of them takes its client address and scheme from Forwarded "
           "or X-Forwarded-For/X-Forwarded-Proto and keeps its X-Request-Id (empty = none)"),
    Option("server", "http2.max-resets", 200, _parse_int(1),
           "HTTP/2 streams a client may reset (or have refused) per 10 seconds on one connection "
           "before GOAWAY ENHANCE_YOUR_CALM"),
    Option("server", "http2.max-control-frames", 1000, _parse_int(1),
           "HTTP/2 SETTINGS, PING, empty DATA, WINDOW_UPDATE and PRIORITY frames a client may send "
           "per 10 seconds on one connection before GOAWAY ENHANCE_YOUR_CALM"),
    Option("server", "gzip", False, _parse_bool,
           "gzip handler and static responses for clients that accept it (text-like types, see "
           "server.gzip.types; never ranges, 204, 206 or 304; Vary: Accept-Encoding)"),
    Option("server", "gzip.min-size", 256, _parse_int(0),
           "smallest body in bytes server.gzip compresses"),
    Option("server", "gzip.types", _GZIP_TYPES, _parse_gzip_types,
           "media types server.gzip compresses, separated by commas (type/* matches a whole type)"),
    Option("server", "gzip.level", 6, _parse_int(1, 9),
           "zlib compression level of server.gzip, 1 (fastest) to 9 (smallest)"),
    Option("lua", "root", "", _parse_str, "directory whose *.lua files make the service", is_path=True),
    Option("lua", "statebuffer", 500, _parse_int(1, 100000), "Lua states kept ready"),
    Option("lua", "devmode", False, _parse_bool, "reload the Lua files for every request"),
    Option("lua", "trace", False, _parse_bool,
           "lark engine: log every Lua line the service runs, with the locals it changed (--trace)"),
    Option("lua", "runtime", "luajit", _parse_runtime,
           "Lua of the lupa engine: luajit, lua51, lua52, lua53, lua54 or lua55"),
    Option("lua", "engine", "auto", _parse_engine, "engine: lupa, lark or auto (same as --engine)"),
    Option("lua", "timeout", 10000, _parse_int(0),
           "milliseconds of Lua execution a request may use (sleeps and outbound calls do not "
           "count); beyond it the handler is stopped with 503 (0 = no limit)"),
    Option("lua", "max-memory", 0, _parse_int(0, 1024 * 1024),
           "MiB of memory one Lua state may use; beyond it the handler is stopped with 500 "
           "(0 = no limit)"),
    Option("log", "syslog", False, _parse_bool, "log to the local syslog instead of the console"),
    Option("log", "level", 6, _parse_log_level,
           "0 emerg ... 7 debug, or a name: emerg, alert, crit, error, warning, notice, info, debug"),
    Option("log", "access", False, _parse_bool, "one log line per request"),
    Option("log", "syslog-address", "", _parse_str,
           "syslog socket path, or host:port for UDP (empty = /dev/log, else localhost:514)"),
    Option("log", "format", "text", _parse_log_format,
           "console lines as text (time | worker | component | level | message) or json (one "
           "object a line)"),
    Option("metrics", "log", 0, _parse_int(0), "log the metrics every N seconds, 0 = off"),
    Option("metrics", "graphite", False, _parse_bool, "send the metrics to Graphite"),
    Option("metrics", "graphite.interval", 10, _parse_int(1), "seconds between Graphite reports"),
    Option("metrics", "graphite.host", "localhost", _parse_str, "Graphite host"),
    Option("metrics", "graphite.port", 2003, _parse_int(1, 65535), "Graphite plaintext port"),
    Option("metrics", "graphite.prefix", "petrel", _parse_str, "prefix of metric names"),
    Option("metrics", "prometheus", "", _parse_path_prefix,
           "serve Prometheus text format on this path (empty = off)"),
    Option("shared", "backend", "embedded", _parse_shared_backend,
           "store of the shared library: embedded (an SQLite file every worker of this server shares) "
           "or redis://[:password@]host[:port][/db] (also rediss:// for TLS, unix:///path) to share "
           "with other servers"),
    Option("shared", "path", "", _parse_str,
           "file of the embedded store (empty = a file in a run directory made at start and removed "
           "at stop)", is_path=True),
    Option("shared", "prefix", "petrel:", _parse_str, "prefix of every key the shared library writes to Redis"),
    Option("shared", "timeout", 2000, _parse_int(1),
           "milliseconds a shared call may wait for its store (connect, reply, lock) before it fails"),
)

OPTIONS_BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}


def _make_config_class() -> type:
    fields = [(o.attr, type(o.default), field(default=o.default)) for o in OPTIONS]
    fields.append(("sources", dict, field(default_factory=dict)))
    cls = dataclasses.make_dataclass("Config", fields, slots=True)
    cls.__module__ = __name__   # picklable: worker processes receive the Config
    return cls


Config = _make_config_class()
Config.__doc__ = "Every option of the server; ``sources`` maps an option key to where its value came from."


def option_value(config: Any, key: str) -> Any:
    return getattr(config, OPTIONS_BY_KEY[key].attr)


def _apply(values: dict[str, Any], sources: dict[str, str], key: str, text: str, where: str,
           base_dir: str | None) -> None:
    option = OPTIONS_BY_KEY.get(key)
    if option is None:
        raise ConfigError(f"{where}: unknown option '{key}'")
    try:
        value = option.parse(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: bad value {text.strip()!r} for option '{key}': {exc}") from None
    if option.is_path and value and base_dir is not None and not os.path.isabs(value):
        value = os.path.normpath(os.path.join(base_dir, value))
    values[option.attr] = value
    sources[key] = where


def _read_file(path: str, values: dict[str, Any], sources: dict[str, str]) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    base_dir = os.path.dirname(os.path.abspath(path))
    # configparser does the INI syntax; we keep line numbers by reading it line by line ourselves
    # only to tell the user where a bad option is.
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",),
                                       comment_prefixes=("#", ";"), inline_comment_prefixes=None)
    parser.optionxform = str  # option names are case-sensitive as in the original
    try:
        parser.read_string("\n".join(lines), source=path)
    except configparser.Error as exc:
        raise ConfigError(f"{path}: {exc}".replace("\n", " ")) from None
    line_of: dict[tuple[str, str], int] = {}
    section = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
        elif section and "=" in stripped and not stripped.startswith(("#", ";")):
            line_of[(section, stripped.split("=", 1)[0].strip())] = number
    for section_name in parser.sections():
        for name, text in parser.items(section_name):
            where = f"{path}:{line_of.get((section_name, name), 0)}"
            _apply(values, sources, f"{section_name}.{name}", text, where, base_dir)


ENV_PREFIX = "PETREL_"


def env_name(key: str) -> str:
    """The environment variable of an option: ``server.http2.max-frame-size`` is
    ``PETREL_SERVER_HTTP2_MAX_FRAME_SIZE``."""
    return ENV_PREFIX + key.upper().replace(".", "_").replace("-", "_")


ENV_NAMES: dict[str, str] = {env_name(option.key): option.key for option in OPTIONS}


def load_config(path: str | None = None, overrides: list[tuple[str, str]] | None = None,
                require_root: bool = True, environ: Any = None) -> Any:
    """Build a Config from an optional file, the ``PETREL_<GROUP>_<OPTION>`` variables of
    ``environ`` (when given) and ``(key, value)`` command-line overrides, each winning over the last."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if path is not None:
        _read_file(path, values, sources)
    for name, key in ENV_NAMES.items():
        if environ is not None and name in environ:
            _apply(values, sources, key, environ[name], f"environment variable {name}", os.getcwd())
    for key, text in overrides or ():
        _apply(values, sources, key, text, f"command line --{key}", os.getcwd())
    config = Config(**values, sources=sources)
    _validate(config, require_root)
    return config


def _validate(config: Any, require_root: bool) -> None:
    if require_root:
        if not config.lua_root:
            raise ConfigError("option 'lua.root' is required (the directory of the service's *.lua files)")
        if not os.path.isdir(config.lua_root):
            where = config.sources.get("lua.root", "")
            raise ConfigError(f"{where}: option 'lua.root': {config.lua_root} is not a directory")
    if config.server_http2_tls:
        for key in ("server.http2.key-file", "server.http2.crt-file"):
            value = option_value(config, key)
            where = config.sources.get("server.http2.tls", "")
            if not value:
                raise ConfigError(f"{where}: option '{key}' is required when server.http2.tls is on")
            if not os.path.isfile(value):
                where = config.sources.get(key, where)
                raise ConfigError(f"{where}: option '{key}': {value} is not a readable file")
