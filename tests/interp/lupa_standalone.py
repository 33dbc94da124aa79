"""Run a Lua file on lupa's Lua 5.4 with its standard libraries, as the lua command would."""
import sys

from lupa import lua54

L = lua54.LuaRuntime(encoding=None)
with open(sys.argv[1], "rb") as f:
    src = f.read()
chunk = L.execute(b"return load(...)", src, ("@" + sys.argv[1]).encode())
try:
    chunk()
except lua54.LuaError as e:
    msg = e.args[0]
    sys.stderr.write("lua: %s\n" % (msg.decode("latin-1") if isinstance(msg, bytes) else msg))
    sys.exit(1)
