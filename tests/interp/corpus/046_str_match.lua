-- string.match with classes, anchors, captures
print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print(("hello123world"):match("%a+"), ("hello123world"):match("%d+"), ("hello"):match(".-(l+)"))
print(("  spaces  "):match("^%s*(.-)%s*$") .. "|")
print(("[tag]"):match("%[(.-)%]"), ("a,b;c"):match("[,;]"), ("ABC"):match("[^A]+"))
print(("f(a(b)c)d"):match("%b()"), ("x"):match("y"), ("abc"):match("()", 2))
print(("THE (quick) fox"):match("%f[%a]%a+"), ("hello"):match(".", -1))
