"""``json``: encode and decode JSON in handlers, the same bytes on every engine.

::

    local text = json.encode({id = 7, tags = {"a", "b"}, gone = json.null})
    -- {"gone":null,"id":7,"tags":["a","b"]}
    local item = json.decode(request.content)     -- an error naming the byte for bad input

The work is done in Lua (json.lua beside this file), which every engine loads into each state: the
sandbox's check-ins then end the time slices of a long encode or decode and stop it at
``lua.timeout`` or ``lua.max-memory`` as they stop any Lua loop, and the output does not depend on
how an engine converts tables for Python. ``bench/json_codec.py`` measures it against a pure-Lua
JSON and against Python's json module behind the table conversion; json.lua's opening comment has
the rules (arrays and objects, numbers, strings, limits).
"""

from __future__ import annotations

import os

from .base import Library

library = Library("json", "JSON encoding and decoding (json.encode, json.decode, json.null)")
library.lua_chunk = os.path.join(os.path.dirname(__file__), "json.lua")
