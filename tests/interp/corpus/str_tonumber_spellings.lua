-- tonumber: decimal, hex, exponent and odd spellings; integer vs float results; overflow to float
local strs = {"0", "-0", "1", "+1", "1.", ".5", "-.5", "1e2", "1E+2", "1e-2", "0x10", "0X1f", "-0x10", "0x.8", "0x1p4", "0x1P-1", "0x",
  "1e", "e1", ".", "", " ", "  12  ", "\t7\n", "12a", "0x1g", "inf", "nan", "1e500", "-1e500", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "0xffffffffffffffff", "0x10000000000000000",
  "1 2", "1..2", "0b101", "1_000", "١", "0x1.8p1", "3.0", "00012", "0e0", "4e", "0x1e", "1e+", "+-1"}
for _, s in ipairs(strs) do local v = tonumber(s) print(string.format("%q", s), v, math.type(v)) end
