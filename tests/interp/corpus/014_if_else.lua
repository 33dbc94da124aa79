-- if / elseif / else chains
local function classify(n)
  if n < 0 then return "negative"
  elseif n == 0 then return "zero"
  elseif n < 10 then return "small"
  else return "large" end
end
for _, v in ipairs({-5, 0, 5, 50}) do print(v, classify(v)) end
if nil then print("no") elseif false then print("no") else print("else") end
