"""petrel: a web server whose business logic is written in Lua."""

__version__ = "0.1.0"
