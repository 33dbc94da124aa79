for _, s in ipairs{[["abc\u{100000000}"]], [["abc\u11r"]], [["abc\u"]], [["abc\u{11r"]], [["abc\u{11"]], [["abc\u{11]], [["abc\u{r"]], [["\x"]], [["\999"]], [["xyz\300"]]} do
  print(select(2, load('return ' .. s, '')))
end
