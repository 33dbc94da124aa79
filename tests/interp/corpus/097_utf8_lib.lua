-- utf8 library basics
print(utf8.char(72, 228, 8364, 128512))
print(utf8.len("häll€"), utf8.len("abc"), utf8.len("\xff"))
for p, c in utf8.codes("hé€") do print(p, c) end
print(utf8.codepoint("hé€", 1, -1))
print(utf8.offset("hé€", 3), utf8.offset("hé€", -1))
print(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")
