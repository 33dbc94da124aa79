"""The intrinsics: every library function the compiler inlines is registered by its library."""
import re

from petrel.lua_interp import Interpreter
from petrel.lua_interp import lintrinsics, lvm


def test_every_inlined_function_is_registered_when_the_libraries_are_opened():
    Interpreter().new_state()
    slots = set()
    for spec in lintrinsics.INTRINSICS.values():
        slots.update(re.findall(r"\bK_\w+", spec[1]))
    assert slots == set(lvm.INTRINSIC_FUNCS)
    for slot in slots:
        assert callable(lvm.INTRINSIC_FUNCS[slot]), slot


def test_the_inline_forms_see_the_library_functions():
    st = Interpreter().new_state()
    ns = st.load("return 1", "=t").__globals__
    assert ns["K_type"] is lvm.INTRINSIC_FUNCS["K_type"]
    f = st.load("local t = setmetatable({}, {}) table.insert(t, 5) "
                "return type(t), math.abs(-3), math.floor(2.5), #t, getmetatable(t) ~= nil", "=t")
    assert st.call(f) == ("table", 3, 2, 1, True)
