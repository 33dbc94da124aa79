-- The json library handlers see: json.encode, json.decode, json.null, json.empty_array,
-- json.array_mt. One implementation in Lua for every engine, so every engine writes the same bytes,
-- and the work runs under the sandbox's check-ins: a huge or deep value ends its time slice like any
-- other Lua loop, and stops at lua.timeout or lua.max-memory.
--
-- The engine runs this chunk once in each new state, with the state's full standard globals, after
-- the sandbox; `helpers` holds the sandbox's checkin, readonly and concat (table.concat checked
-- against the memory limit), and may hold the engine's native codec (see the end). It returns the
-- library's fields.
--
-- Choices (cjson's where it has one):
-- * A table is an array when its keys are exactly positive integers; holes encode as null; a table
--   whose largest index is above 10 and above twice its element count is "excessively sparse" and
--   refused, as cjson does by default. An empty table is {} unless it is json.empty_array or has
--   json.array_mt as metatable (then it is [], and such a table is always an array of #t items).
--   Decoded arrays get json.array_mt, so [] decodes and encodes back as [].
-- * Object keys are written in byte order, so the output does not depend on a runtime's hash order.
--   Number keys become their text; other keys, and a number key equal to a string key, are refused.
-- * Integers are written as integers: Lua integers, and floats with an integral value below 2^63
--   (LuaJIT's and Lua 5.1's numbers are all floats). Other floats are written with the fewest
--   digits (14 to 17) that read back as the same number. NaN and infinities are refused.
--   Decoding, an integer literal is a Lua integer where the runtime has them (a float past 64
--   bits), a literal with a fraction or an exponent a float; "-0" is 0; past the double range an
--   error.
-- * Strings must be valid UTF-8 both ways (no surrogates, no overlong forms); \u escapes of lone
--   surrogates are refused. Output escapes only ", \ and control characters.
-- * Nesting deeper than MAX_DEPTH is refused, as is a table that contains itself.
-- Errors are raised at the caller's level (the handler's chunk:line), naming the byte position
-- (1-based, as Lua's string positions) for decode.

local helpers = ...
local checkin, readonly = helpers.checkin, helpers.readonly
local concat = helpers.concat or table.concat

local type, next, tostring, tonumber, error, rawget, rawequal, select = type, next, tostring, tonumber,
    error, rawget, rawequal, select
local sbyte, schar, sfind, sformat, sgsub, ssub = string.byte, string.char, string.find, string.format,
    string.gsub, string.sub
local floor, huge = math.floor, math.huge
local mtype = math.type
local sort, setmetatable = table.sort, setmetatable
local getmt = debug and debug.getmetatable or getmetatable

local MAX_DEPTH = 1000
local CHECK_EVERY = 256   -- values between two check-ins
local TWO_63 = 2 ^ 63

local ops = 0

local null, _, null_mt = readonly({}, "json.null")
null_mt.__tostring = function() return "json.null" end
local empty_array, _, empty_mt = readonly({}, "json.empty_array")
empty_mt.__tostring = function() return "json.empty_array" end
local array_mt, _, array_mt_mt = readonly({}, "json.array_mt")
array_mt_mt.__tostring = function() return "json.array_mt" end

-- ---------------------------------------------------------------------------------------------
-- UTF-8: the position of the first byte that does not start a valid sequence, or nil.

local function bad_utf8(s)
    local pos = sfind(s, "[\128-\255]")
    while pos do
        local c = sbyte(s, pos)
        local n, lo, hi = 0, 128, 191
        if c < 194 then return pos
        elseif c < 224 then n = 1
        elseif c < 240 then
            n = 2
            if c == 224 then lo = 160 elseif c == 237 then hi = 159 end   -- overlong, surrogates
        elseif c < 245 then
            n = 3
            if c == 240 then lo = 144 elseif c == 244 then hi = 143 end   -- overlong, past U+10FFFF
        else return pos end
        local b = sbyte(s, pos + 1)
        if not b or b < lo or b > hi then return pos end
        for k = 2, n do
            b = sbyte(s, pos + k)
            if not b or b < 128 or b > 191 then return pos end
        end
        pos = sfind(s, "[\128-\255]", pos + n + 1)
    end
    return nil
end

local function utf8_char(cp)
    if cp < 128 then return schar(cp) end
    if cp < 2048 then return schar(192 + floor(cp / 64), 128 + cp % 64) end
    if cp < 65536 then
        return schar(224 + floor(cp / 4096), 128 + floor(cp / 64) % 64, 128 + cp % 64)
    end
    return schar(240 + floor(cp / 262144), 128 + floor(cp / 4096) % 64, 128 + floor(cp / 64) % 64,
        128 + cp % 64)
end

-- ---------------------------------------------------------------------------------------------
-- Encoding. encode_value(v, depth, rel) appends to buf. `rel` is the level of json.encode's
-- caller as seen from the running function (error(message, rel) names the handler's line); every
-- call on the way adds one (none is a tail call, so each is a frame of its own).

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
    ["\r"] = "\\r", ["\t"] = "\\t" }
for i = 0, 31 do
    local c = schar(i)
    if not escapes[c] then escapes[c] = sformat("\\u%04x", i) end
end
escapes["\127"] = "\127"   -- %c matches it; JSON does not need it escaped

local function number_text(v)
    if mtype and mtype(v) == "integer" then return tostring(v) end
    if v ~= v or v == huge or v == -huge then return nil end
    if v == floor(v) and v >= -TWO_63 and v < TWO_63 then
        if v == 0 and 1 / v < 0 then return "-0" end
        return sformat("%.0f", v)
    end
    -- The first of 14 to 17 digits that reads back; more digits never read back worse, so two
    -- tries find it.
    local text = sformat("%.15g", v)
    if tonumber(text) == v then
        local shorter = sformat("%.14g", v)
        if tonumber(shorter) == v then return shorter end
        return text
    end
    text = sformat("%.16g", v)
    if tonumber(text) == v then return text end
    return sformat("%.17g", v)
end

local buf, n, visiting

local function fail(message, rel)   -- rel: as seen from fail's caller
    buf, visiting = nil, nil
    error("json.encode: " .. message, rel + 1)
end

local function string_text(s, rel)
    if sfind(s, "[\128-\255]") then
        local bad = bad_utf8(s)
        if bad then fail(sformat("invalid UTF-8 in a string at byte %d", bad), rel) end
    end
    if sfind(s, '[%c"\\]') then
        s = sgsub(s, '[%c"\\]', escapes)
    end
    return '"' .. s .. '"'
end

local function key_text(k, rel)
    local kind = type(k)
    if kind == "string" then return k end
    if kind == "number" then
        local text = number_text(k)
        if text then return text end
        fail("cannot encode a table key that is " .. (k ~= k and "NaN" or "infinite"), rel)
    end
    fail("table keys must be strings or numbers, not " .. kind .. "s", rel)
end

local encode_value

local function encode_array(t, len, depth, rel)
    n = n + 1; buf[n] = "["
    for i = 1, len do
        if i > 1 then n = n + 1; buf[n] = "," end
        local v = rawget(t, i)
        if v == nil then
            n = n + 1; buf[n] = "null"
        else
            encode_value(v, depth + 1, rel + 1)
        end
    end
    n = n + 1; buf[n] = "]"
end

encode_value = function(v, depth, rel)
    ops = ops + 1
    if ops >= CHECK_EVERY then ops = 0; checkin() end
    local kind = type(v)
    if kind == "string" then
        n = n + 1; buf[n] = string_text(v, rel + 1)
    elseif kind == "number" then
        local text = number_text(v)
        if not text then
            fail("cannot encode " .. (v ~= v and "NaN" or v > 0 and "infinity" or "-infinity")
                .. " (JSON has neither)", rel)
        end
        n = n + 1; buf[n] = text
    elseif kind == "boolean" then
        n = n + 1; buf[n] = v and "true" or "false"
    elseif kind == "nil" then   -- only json.encode(nil): a table holds no nil
        n = n + 1; buf[n] = "null"
    elseif kind == "table" then
        if rawequal(v, null) then
            n = n + 1; buf[n] = "null"
            return
        end
        if depth > MAX_DEPTH then fail("nested deeper than " .. MAX_DEPTH .. " levels", rel) end
        if visiting[v] then fail("cannot encode a table that contains itself", rel) end
        visiting[v] = true
        local mt = getmt(v)
        if rawequal(v, empty_array) or rawequal(mt, array_mt) then
            encode_array(v, #v, depth, rel + 1)
            visiting[v] = nil
            return
        end
        local class = type(mt) == "table" and rawget(mt, "__name")
        if type(class) == "string" then   -- a library object (metric(), shared.dict(...))
            fail("cannot encode a " .. class .. " object", rel)
        end
        local count, max = 0, 0
        for k in next, v do
            if type(k) == "number" and k > 0 and k == floor(k) then
                count = count + 1
                if k > max then max = k end
            else
                max = -1
                break
            end
        end
        if max > 0 then
            if max > 10 and max > 2 * count then
                fail(sformat("cannot encode an excessively sparse array (%d items, largest index %s)",
                    count, number_text(max)), rel)
            end
            encode_array(v, max, depth, rel + 1)
        elseif max == 0 then
            n = n + 1; buf[n] = "{}"
        else
            -- String keys are looked up as they are; number keys through their text.
            local keys, nk, numbers = {}, 0, nil
            for k in next, v do
                nk = nk + 1
                if type(k) == "string" then
                    keys[nk] = k
                else
                    local text = key_text(k, rel + 1)
                    if rawget(v, text) ~= nil then
                        fail("two table keys are both written as \"" .. text .. "\"", rel)
                    end
                    numbers = numbers or {}
                    numbers[text] = k
                    keys[nk] = text
                end
                ops = ops + 1
                if ops >= CHECK_EVERY then ops = 0; checkin() end
            end
            sort(keys)
            n = n + 1; buf[n] = "{"
            for i = 1, nk do
                local text = keys[i]
                if i > 1 then n = n + 1; buf[n] = "," end
                n = n + 1; buf[n] = string_text(text, rel + 1)
                n = n + 1; buf[n] = ":"
                local key = numbers and numbers[text]
                if key == nil then key = text end
                encode_value(rawget(v, key), depth + 1, rel + 1)
            end
            n = n + 1; buf[n] = "}"
        end
        visiting[v] = nil
    else
        fail("cannot encode a " .. kind, rel)
    end
end

local function encode(...)
    local value = ...
    if select("#", ...) == 0 then error("bad argument #1 to 'encode' (value expected)", 2) end
    buf, n, visiting = {}, 0, {}
    encode_value(value, 1, 3)
    local out, count = buf, n
    buf, visiting = nil, nil
    local text = concat(out, "", 1, count)
    return text
end

-- ---------------------------------------------------------------------------------------------
-- Decoding. decode_value(s, pos, depth, rel) returns the value and the position after it; `rel`
-- as in encoding.

local function dfail(message, pos, rel)   -- rel: as seen from dfail's caller
    error(sformat("json.decode: %s at byte %d", message, pos), rel + 1)
end

local function describe(s, pos)
    local c = sbyte(s, pos)
    if c == nil then return "unexpected end of input" end
    if c > 32 and c < 127 then return "unexpected character '" .. schar(c) .. "'" end
    return sformat("unexpected byte 0x%02x", c)
end

local function skip(s, pos)
    return sfind(s, "[^ \t\r\n]", pos) or #s + 1
end

local unescapes = { [34] = '"', [92] = "\\", [47] = "/", [98] = "\b", [102] = "\f", [110] = "\n",
    [114] = "\r", [116] = "\t" }

local function decode_string(s, pos, rel)
    local parts, np = nil, 0
    local start, i = pos + 1, pos + 1
    while true do
        local j = sfind(s, '["\\%c]', i)
        if not j then dfail("unterminated string", pos, rel) end
        local c = sbyte(s, j)
        if c == 34 then
            local piece = ssub(s, start, j - 1)
            if parts == nil then return piece, j + 1 end
            np = np + 1; parts[np] = piece
            local text = concat(parts, "", 1, np)
            return text, j + 1
        elseif c == 92 then
            parts = parts or {}
            np = np + 1; parts[np] = ssub(s, start, j - 1)
            local e = sbyte(s, j + 1)
            if e == 117 then   -- \uXXXX
                local hex = ssub(s, j + 2, j + 5)
                if not sfind(hex, "^%x%x%x%x$") then dfail("invalid \\u escape", j, rel) end
                local cp = tonumber(hex, 16)
                i = j + 6
                if cp >= 0xD800 and cp <= 0xDFFF then
                    local low = cp <= 0xDBFF and ssub(s, j + 6, j + 7) == "\\u" and ssub(s, j + 8, j + 11)
                    low = low and sfind(low, "^%x%x%x%x$") and tonumber(low, 16)
                    if not low or low < 0xDC00 or low > 0xDFFF then
                        dfail("lone surrogate \\u" .. hex .. " (not valid UTF-8)", j, rel)
                    end
                    cp = 0x10000 + (cp - 0xD800) * 0x400 + (low - 0xDC00)
                    i = j + 12
                end
                np = np + 1; parts[np] = utf8_char(cp)
            else
                local r = e and unescapes[e]
                if not r then dfail("invalid escape", j, rel) end
                np = np + 1; parts[np] = r
                i = j + 2
            end
            start = i
        elseif c == 127 then
            i = j + 1
        else
            dfail("control character in a string", j, rel)
        end
    end
end

local function decode_number(s, pos, rel)
    local digits = sbyte(s, pos) == 45 and pos + 1 or pos
    local _, e = sfind(s, "^%d+", digits)
    if not e then dfail(describe(s, digits), digits, rel) end
    if sbyte(s, digits) == 48 and e > digits then dfail("leading zero in a number", pos, rel) end
    local float = false
    local c = sbyte(s, e + 1)
    if c == 46 then   -- .
        local _, f = sfind(s, "^%d+", e + 2)
        if not f then dfail("digits expected after '.'", e + 2, rel) end
        e, float = f, true
        c = sbyte(s, e + 1)
    end
    if c == 101 or c == 69 then   -- e E
        local _, x = sfind(s, "^[-+]?%d+", e + 2)
        if not x then dfail("digits expected in the exponent", e + 2, rel) end
        e, float = x, true
    end
    local value = tonumber(ssub(s, pos, e))
    if value == huge or value == -huge then dfail("number out of range", pos, rel) end
    if not float and value == 0 then value = 0 end   -- "-0" is the integer 0
    return value, e + 1
end

local decode_value

decode_value = function(s, pos, depth, rel)
    ops = ops + 1
    if ops >= CHECK_EVERY then ops = 0; checkin() end
    local c = sbyte(s, pos)
    if c == 34 then
        local text, after = decode_string(s, pos, rel + 1)
        return text, after
    elseif c == 123 then   -- {
        if depth > MAX_DEPTH then dfail("nested deeper than " .. MAX_DEPTH .. " levels", pos, rel) end
        local t = {}
        pos = skip(s, pos + 1)
        if sbyte(s, pos) == 125 then return t, pos + 1 end
        while true do
            if sbyte(s, pos) ~= 34 then dfail(describe(s, pos) .. " (a string key expected)", pos, rel) end
            local key
            key, pos = decode_string(s, pos, rel + 1)
            pos = skip(s, pos)
            if sbyte(s, pos) ~= 58 then dfail(describe(s, pos) .. " (':' expected)", pos, rel) end
            local value
            value, pos = decode_value(s, skip(s, pos + 1), depth + 1, rel + 1)
            t[key] = value
            pos = skip(s, pos)
            c = sbyte(s, pos)
            if c == 125 then return t, pos + 1 end
            if c ~= 44 then dfail(describe(s, pos) .. " (',' or '}' expected)", pos, rel) end
            pos = skip(s, pos + 1)
        end
    elseif c == 91 then    -- [
        if depth > MAX_DEPTH then dfail("nested deeper than " .. MAX_DEPTH .. " levels", pos, rel) end
        local t = setmetatable({}, array_mt)
        pos = skip(s, pos + 1)
        if sbyte(s, pos) == 93 then return t, pos + 1 end
        local count = 0
        while true do
            local value
            value, pos = decode_value(s, pos, depth + 1, rel + 1)
            count = count + 1
            t[count] = value
            pos = skip(s, pos)
            c = sbyte(s, pos)
            if c == 93 then return t, pos + 1 end
            if c ~= 44 then dfail(describe(s, pos) .. " (',' or ']' expected)", pos, rel) end
            pos = skip(s, pos + 1)
        end
    elseif c == 45 or (c and c >= 48 and c <= 57) then
        local value, after = decode_number(s, pos, rel + 1)
        return value, after
    elseif c == 116 and ssub(s, pos, pos + 3) == "true" then
        return true, pos + 4
    elseif c == 102 and ssub(s, pos, pos + 4) == "false" then
        return false, pos + 5
    elseif c == 110 and ssub(s, pos, pos + 3) == "null" then
        return null, pos + 4
    end
    dfail(describe(s, pos), pos, rel)
end

local function decode(s)
    if type(s) ~= "string" then
        error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 2)
    end
    local bad = bad_utf8(s)
    if bad then dfail("invalid UTF-8", bad, 2) end
    local value, pos = decode_value(s, skip(s, 1), 1, 3)
    pos = skip(s, pos)
    if pos <= #s then dfail(describe(s, pos) .. " after the value", pos, 2) end
    return value
end

-- An engine may bring its own encode and decode (lark: Python's json module, about a hundred times
-- faster there than this Lua). They answer (true, result), or false to leave the value to the
-- functions above: every error, and every value they would not give exactly as above, is left to
-- them. The tail calls keep the error levels.
local native = helpers.native and helpers.native(null, empty_array, array_mt)
if native then
    getmt = native.rawmetatable or getmt
    local native_encode, native_decode = native.encode, native.decode
    local lua_encode, lua_decode = encode, decode
    encode = function(...)
        if select("#", ...) > 0 then
            local ok, text = native_encode((...))
            if ok then return text end
        end
        return lua_encode(...)
    end
    decode = function(s)
        local ok, value = native_decode(s)
        if ok then return value end
        return lua_decode(s)
    end
end

return {
    encode = encode,
    decode = decode,
    null = null,
    empty_array = empty_array,
    array_mt = array_mt,
}
