-- string literal escapes
print("a\nb", "tab\tx", "q\"q", 'single\'s', "back\\slash")
print("\65\066\x43", "\u{48}\u{49}", #"\u{7FF}", #"\u{FFFF}", #"\u{10FFFF}")
print("line1\
line2")
print("skip \z
      spaces", #"\0abc")
print("\x7a\122\97")
