-- Lua patterns matched in Lua: string.find, match, gmatch and gsub for the calls whose worst case
-- would hold the event loop inside one C call. A backtracking pattern (`("a*"):rep(40) .. "b"`)
-- costs C's matcher time exponential in its quantifiers, and C code cannot check in; this matcher
-- is lstrlib.c's, step for step, and calls `checkin` every CHECK_STEPS steps, so the time slice
-- ends and lua.timeout stops it. The sandbox estimates each call's worst case (`cost`) and sends
-- only the expensive ones here; every other call stays in C.
--
-- The results are C's on each runtime: where runtimes differ (an init past the end, `%g`, the
-- empty match right after a match, `%` in a replacement, how deep a pattern may nest, the error
-- messages) the differences are read from the runtime's own string library when this file loads.

local checkin, getinfo = ...

local type, error, tostring, pcall = type, error, tostring, pcall
local sbyte, ssub, sfind, sgsub, sgmatch, srep = string.byte, string.sub, string.find, string.gsub,
    string.gmatch, string.rep
local tconcat = table.concat
local floor = math.floor
local unpack = table.unpack or unpack

local CHECK_STEPS = 1000             -- matcher steps between check-ins
local COST_LIMIT = 200000            -- estimated steps above which a call is matched here
local MAXCAPTURES = 32
local CAP_UNFINISHED, CAP_POSITION = -1, -2
local PCT, LBRACKET, RBRACKET, CARET, DOLLAR = 37, 91, 93, 94, 36
local LPAREN, RPAREN, DOT, STAR, PLUS, MINUS, QUESTION = 40, 41, 46, 42, 43, 45, 63

-- ---------------------------------------------------------------------------------------------
-- What this runtime's string library does where runtimes differ

local function message(f, ...)
    local ok, err = pcall(f, ...)
    if ok then return nil end
    return err
end

local MSG_ENDS = message(sfind, "a", "%")
local MSG_BRACKET = message(sfind, "a", "[a")
local MSG_BALANCE = message(sfind, "a", "%b")
local MSG_FRONTIER = message(sfind, "a", "%f")
local MSG_CAPTURE = message(sfind, "aa", "(a)%2")          -- names index 2 where the runtime does
local MSG_PATTERN_CAPTURE = message(sfind, "a", ".)")
local MSG_UNFINISHED = message(sfind, "a", "(")
local MSG_TOO_MANY = message(sfind, "a", srep("()", MAXCAPTURES + 1))
local MSG_REPL_CAPTURE = message(sgsub, "a", "a", "%2")
local MSG_REPL_PERCENT = message(sgsub, "a", "a", "%x")   -- nil: "%x" is "x" (Lua 5.1)
local MSG_TOO_COMPLEX = message(sfind, srep("a", 300), srep("a?", 300))
local MAXDEPTH = MSG_TOO_COMPLEX and 200 or 1000
MSG_TOO_COMPLEX = MSG_TOO_COMPLEX or "pattern too complex"

local function capture_message(template, index)
    if not template then return "invalid capture index" end
    local text = sgsub(template, "%%2", "%%" .. index)
    return text
end

local HAS_G = sfind("!", "%g") == 1                       -- Lua 5.2 and later
local HAS_Z = sfind("\0", "%z") == 1                      -- not Lua 5.5
local CLAMPS_INIT = sfind("abc", "", 10) == 4             -- Lua 5.1: init past the end is the end
local GSUB_LASTMATCH = sgsub("abc", "%w*", "-") == "-"    -- Lua 5.3.? and later: skip "" after a match
local GMATCH_LASTMATCH, GMATCH_INIT
do
    local count = 0
    for _ in sgmatch("abc", "%w*") do count = count + 1 end
    GMATCH_LASTMATCH = count == 1
    GMATCH_INIT = sgmatch("ab", ".", 2)() == "b"          -- Lua 5.4: gmatch takes init
end

-- ---------------------------------------------------------------------------------------------
-- The matcher (lstrlib.c's, on 1-based positions; `ms.e` is one past the subject's end)

-- The "chunk:line: " of the handler's call in progress, put in front of an error's text as C does.
-- A replacement function may call the string library in turn: gsub restores it after each call.
local where = ""

local function fail(text)
    error(where .. text, 0)
end

local function class_byte(c, cl)
    local lower = cl
    if cl >= 65 and cl <= 90 then lower = cl + 32 end
    local res
    if lower == 97 then res = (c >= 65 and c <= 90) or (c >= 97 and c <= 122)            -- a
    elseif lower == 99 then res = c < 32 or c == 127                                     -- c
    elseif lower == 100 then res = c >= 48 and c <= 57                                   -- d
    elseif lower == 103 and HAS_G then res = c >= 33 and c <= 126                        -- g
    elseif lower == 108 then res = c >= 97 and c <= 122                                  -- l
    elseif lower == 112 then                                                             -- p
        res = c >= 33 and c <= 126 and not ((c >= 48 and c <= 57) or (c >= 65 and c <= 90)
            or (c >= 97 and c <= 122))
    elseif lower == 115 then res = c == 32 or (c >= 9 and c <= 13)                       -- s
    elseif lower == 117 then res = c >= 65 and c <= 90                                   -- u
    elseif lower == 119 then res = (c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122)
    elseif lower == 120 then res = (c >= 48 and c <= 57) or (c >= 65 and c <= 70) or (c >= 97 and c <= 102)
    elseif lower == 122 and HAS_Z then res = c == 0                                      -- z
    else return cl == c end
    if cl >= 65 and cl <= 90 then return not res end
    return res
end

local function class_end(ms, p)
    local pat, plen = ms.p, ms.plen
    local c = sbyte(pat, p)
    p = p + 1
    if c == PCT then
        if p > plen then fail(MSG_ENDS) end
        return p + 1
    end
    if c == LBRACKET then
        if sbyte(pat, p) == CARET then p = p + 1 end
        repeat   -- look for a ']'
            if p > plen then fail(MSG_BRACKET) end
            local cc = sbyte(pat, p)
            p = p + 1
            if cc == PCT and p <= plen then p = p + 1 end
        until sbyte(pat, p) == RBRACKET
        return p + 1
    end
    return p
end

local function match_bracket(ms, c, p, ec)   -- p at '[', ec at ']'
    local pat = ms.p
    local sig = true
    if sbyte(pat, p + 1) == CARET then
        sig = false
        p = p + 1
    end
    p = p + 1
    while p < ec do
        local pc = sbyte(pat, p)
        if pc == PCT then
            p = p + 1
            if class_byte(c, sbyte(pat, p)) then return sig end
        elseif sbyte(pat, p + 1) == MINUS and p + 2 < ec then
            if pc <= c and c <= sbyte(pat, p + 2) then return sig end
            p = p + 2
        elseif pc == c then
            return sig
        end
        p = p + 1
    end
    return not sig
end

local function single_match(ms, s, p, ep)
    if s >= ms.e then return false end
    local c = sbyte(ms.s, s)
    local pc = sbyte(ms.p, p)
    if pc == DOT then return true end
    if pc == PCT then return class_byte(c, sbyte(ms.p, p + 1)) end
    if pc == LBRACKET then return match_bracket(ms, c, p, ep - 1) end
    return pc == c
end

local do_match

local function step(ms)
    local left = ms.steps - 1
    if left <= 0 then
        left = CHECK_STEPS
        checkin()
    end
    ms.steps = left
end

local function max_expand(ms, s, p, ep)
    local i = 0
    while single_match(ms, s + i, p, ep) do i = i + 1 end
    ms.steps = ms.steps - floor(i / 16)
    while i >= 0 do
        local res = do_match(ms, s + i, ep + 1)
        if res then return res end
        i = i - 1
    end
    return nil
end

local function min_expand(ms, s, p, ep)
    while true do
        local res = do_match(ms, s, ep + 1)
        if res then return res end
        if single_match(ms, s, p, ep) then s = s + 1 else return nil end
    end
end

local function start_capture(ms, s, p, what)
    local level = ms.level + 1
    if level > MAXCAPTURES then fail(MSG_TOO_MANY) end
    ms.cap_init[level], ms.cap_len[level] = s, what
    ms.level = level
    local res = do_match(ms, s, p)
    if not res then ms.level = ms.level - 1 end
    return res
end

local function end_capture(ms, s, p)
    local l
    for i = ms.level, 1, -1 do
        if ms.cap_len[i] == CAP_UNFINISHED then l = i break end
    end
    if not l then fail(MSG_PATTERN_CAPTURE) end
    ms.cap_len[l] = s - ms.cap_init[l]
    local res = do_match(ms, s, p)
    if not res then ms.cap_len[l] = CAP_UNFINISHED end
    return res
end

local function match_balance(ms, s, p)
    if p + 1 > ms.plen then fail(MSG_BALANCE) end
    if s >= ms.e then return nil end
    local subject = ms.s
    local b, e = sbyte(ms.p, p), sbyte(ms.p, p + 1)
    if sbyte(subject, s) ~= b then return nil end
    local cont = 1
    s = s + 1
    ms.steps = ms.steps - floor((ms.e - s) / 16)   -- charged as if the scan went to the end
    while s < ms.e do
        local c = sbyte(subject, s)
        if c == e then
            cont = cont - 1
            if cont == 0 then return s + 1 end
        elseif c == b then
            cont = cont + 1
        end
        s = s + 1
    end
    return nil
end

local function match_capture(ms, s, digit)
    local l = digit - 48   -- '1' is capture 1
    if l < 1 or l > ms.level or ms.cap_len[l] == CAP_UNFINISHED then
        fail(capture_message(MSG_CAPTURE, l))
    end
    local len = ms.cap_len[l]
    if len < 0 then return nil end   -- a position capture: C compares a huge length, never equal
    ms.steps = ms.steps - floor(len / 16)   -- the comparison is as long as the capture
    if ms.e - s >= len and ssub(ms.s, ms.cap_init[l], ms.cap_init[l] + len - 1) == ssub(ms.s, s, s + len - 1) then
        return s + len
    end
    return nil
end

do_match = function(ms, s, p)
    if ms.depth == 0 then fail(MSG_TOO_COMPLEX) end
    ms.depth = ms.depth - 1
    step(ms)
    local pat, plen = ms.p, ms.plen
    local result
    while true do
        if p > plen then result = s break end
        local pc = sbyte(pat, p)
        if pc == LPAREN then
            if sbyte(pat, p + 1) == RPAREN then
                result = start_capture(ms, s, p + 2, CAP_POSITION)
            else
                result = start_capture(ms, s, p + 1, CAP_UNFINISHED)
            end
            break
        elseif pc == RPAREN then
            result = end_capture(ms, s, p + 1)
            break
        elseif pc == DOLLAR and p == plen then
            if s == ms.e then result = s end
            break
        end
        local nc = pc == PCT and sbyte(pat, p + 1)
        if nc == 98 then                                   -- %b
            s = match_balance(ms, s, p + 2)
            if not s then break end
            p = p + 4
        elseif nc == 102 then                              -- %f
            p = p + 2
            if sbyte(pat, p) ~= LBRACKET then fail(MSG_FRONTIER) end
            local ep = class_end(ms, p)
            local prev = s > 1 and sbyte(ms.s, s - 1) or 0
            local cur = s < ms.e and sbyte(ms.s, s) or 0
            if match_bracket(ms, prev, p, ep - 1) or not match_bracket(ms, cur, p, ep - 1) then break end
            p = ep
        elseif nc and nc >= 48 and nc <= 57 then          -- %0-%9: a back reference
            s = match_capture(ms, s, nc)
            if not s then break end
            p = p + 2
        else
            local ep = class_end(ms, p)
            local epc = sbyte(pat, ep)
            if not single_match(ms, s, p, ep) then
                if epc == STAR or epc == QUESTION or epc == MINUS then
                    p = ep + 1
                else
                    break
                end
            elseif epc == QUESTION then
                local res = do_match(ms, s + 1, ep + 1)
                if res then result = res break end
                p = ep + 1
            elseif epc == PLUS then
                result = max_expand(ms, s + 1, p, ep)
                break
            elseif epc == STAR then
                result = max_expand(ms, s, p, ep)
                break
            elseif epc == MINUS then
                result = min_expand(ms, s, p, ep)
                break
            else
                s = s + 1
                p = ep
            end
        end
    end
    ms.depth = ms.depth + 1
    return result
end

local function new_state(text, pat, pstart)
    return { s = text, e = #text + 1, p = pat, plen = #pat, level = 0, depth = MAXDEPTH,
             steps = CHECK_STEPS, cap_init = {}, cap_len = {}, pstart = pstart }
end

local function reprep(ms)
    ms.level = 0
    ms.depth = MAXDEPTH
end

local function get_capture(ms, i, s, e, template)
    if i > ms.level then
        if i ~= 1 then fail(capture_message(template or MSG_CAPTURE, i)) end
        return ssub(ms.s, s, e - 1)
    end
    local len = ms.cap_len[i]
    if len == CAP_UNFINISHED then fail(MSG_UNFINISHED) end
    if len == CAP_POSITION then return ms.cap_init[i] end
    return ssub(ms.s, ms.cap_init[i], ms.cap_init[i] + len - 1)
end

-- The captures of a match (the whole match when there are none and `s` is given).
local function push_captures(ms, s, e)
    local n = (ms.level == 0 and s) and 1 or ms.level
    if n == 0 then return end
    if n == 1 then return get_capture(ms, 1, s, e) end
    local values = {}
    for i = 1, n do values[i] = get_capture(ms, i, s, e) end
    return unpack(values, 1, n)
end

-- ---------------------------------------------------------------------------------------------
-- What a call costs at worst: every start position, times every choice of each quantifier.

local safe_lengths, analysed = {}, 0   -- pattern -> longest subject C may take it on

local function analyse(pat)
    local plen = #pat
    local p, anchored = 1, sbyte(pat, 1) == CARET
    if anchored then p = 2 end
    local quantifiers, optionals, linear = 0, 0, false
    while p <= plen do
        local c = sbyte(pat, p)
        local item = false
        if c == LPAREN or c == RPAREN then
            p = p + 1
        elseif c == PCT then
            local d = sbyte(pat, p + 1)
            if d == 98 then linear = true; p = p + 4                         -- %bxy scans
            elseif d and d >= 48 and d <= 57 then linear = true; p = p + 2   -- back reference
            elseif d == 102 then p = p + 2                                   -- %f: its set follows
            else item = true; p = p + 2 end
        elseif c == LBRACKET then
            p = p + 1
            if sbyte(pat, p) == CARET then p = p + 1 end
            repeat
                if p > plen then break end
                local cc = sbyte(pat, p)
                p = p + 1
                if cc == PCT then p = p + 1 end
            until sbyte(pat, p) == RBRACKET
            p = p + 1
            item = true
        else
            p = p + 1
            item = true
        end
        if item then
            local q = sbyte(pat, p)
            if q == STAR or q == PLUS or q == MINUS then
                quantifiers = quantifiers + 1
                p = p + 1
            elseif q == QUESTION then
                optionals = optionals + 1
                p = p + 1
            end
        end
    end
    -- The worst case of a subject of n characters: every start position (unless anchored), times
    -- n + 1 choices for each quantifier, two for each '?', times a scan for %b or a back reference.
    -- C may take the subject while (n + 2) ^ power * 2 ^ optionals stays within COST_LIMIT.
    local safe = math.huge
    if quantifiers > 0 or optionals > 0 or linear then
        local power = quantifiers + (anchored and 0 or 1) + (linear and 1 or 0)
        local budget = COST_LIMIT / 2 ^ optionals
        if budget < 1 then
            safe = -1
        elseif power > 0 then
            safe = floor(budget ^ (1 / power)) - 2
        end
    end
    if analysed >= 512 then safe_lengths, analysed = {}, 0 end
    safe_lengths[pat] = safe
    analysed = analysed + 1
    return safe
end

-- Is matching `pat` in `text` too costly for C (from any start, for gmatch and gsub too)?
local function costly(text, pat)
    return #text > (safe_lengths[pat] or analyse(pat))
end

-- ---------------------------------------------------------------------------------------------
-- The library functions. Each is called by the sandbox's wrapper with plain strings, integer (or
-- nil) positions and `at`, the caller's "chunk:line: " for an error message.

-- "chunk:line: " of the function that called the caller (level 1: as C's luaL_where writes it).
local function caller_where(level)
    local info = getinfo and getinfo(level + 2, "Sl")
    if info and info.currentline and info.currentline > 0 then
        return info.short_src .. ":" .. info.currentline .. ": "
    end
    return ""
end

local function start_of(init, len)
    init = init or 1
    if init < 0 then
        init = len + init + 1
        if init < 1 then init = 1 end
    elseif init == 0 then
        init = 1
    end
    if init > len + 1 then
        if not CLAMPS_INIT then return nil end
        init = len + 1
    end
    return init
end

local function find_aux(find, text, pat, init)
    local len = #text
    init = start_of(init, len)
    if not init then return nil end
    if find and not sfind(pat, "[%^%$%*%+%?%.%(%[%%%-]") then
        return sfind(text, pat, init, true)   -- no special characters: a plain search, as C does
    end
    local anchored = sbyte(pat, 1) == CARET
    local ms = new_state(text, pat, anchored and 2 or 1)
    local s1 = init
    repeat
        reprep(ms)
        local e = do_match(ms, s1, ms.pstart)
        if e then
            if find then return s1, e - 1, push_captures(ms, nil, 0) end
            return push_captures(ms, s1, e)
        end
        s1 = s1 + 1
    until anchored or s1 > len + 1
    return nil
end

local M = { costly = costly, where = caller_where }

function M.find(at, text, pat, init)
    where = at
    return find_aux(true, text, pat, init)
end

function M.match(at, text, pat, init)
    where = at
    return find_aux(false, text, pat, init)
end

function M.gmatch(at, text, pat, init)
    local gwhere = at
    local len = #text
    local src = 1
    if GMATCH_INIT and init then
        src = start_of(init, len) or len + 2
    end
    local ms = new_state(text, pat, 1)
    local lastmatch = nil
    local function step_match()
        while src <= len + 1 do
            reprep(ms)
            local e = do_match(ms, src, 1)
            if e and (not GMATCH_LASTMATCH or e ~= lastmatch) then
                local start = src
                if GMATCH_LASTMATCH then
                    src, lastmatch = e, e
                elseif e == src then
                    src = e + 1   -- an empty match: go on at least one position
                else
                    src = e
                end
                return push_captures(ms, start, e)
            end
            src = src + 1
        end
        -- the end: no values, as C's iterator
    end
    return function()
        where = gwhere
        return step_match()
    end
end

local function add_string(ms, out, o, s, e, repl)
    local rlen = #repl
    local i = 1
    while i <= rlen do
        local j = sfind(repl, "%", i, true)
        if not j then
            o = o + 1; out[o] = ssub(repl, i)
            return o
        end
        if j > i then o = o + 1; out[o] = ssub(repl, i, j - 1) end
        local c = sbyte(repl, j + 1)
        if c == PCT then
            o = o + 1; out[o] = "%"
        elseif c == 48 then
            o = o + 1; out[o] = ssub(ms.s, s, e - 1)
        elseif c and c >= 49 and c <= 57 then
            local v = get_capture(ms, c - 48, s, e, MSG_REPL_CAPTURE)
            o = o + 1; out[o] = type(v) == "number" and tostring(v) or v
        elseif MSG_REPL_PERCENT then
            fail(MSG_REPL_PERCENT)
        else
            o = o + 1; out[o] = c and ssub(repl, j + 1, j + 1) or "\0"   -- Lua 5.1: "%x" is "x"
        end
        i = j + 2
    end
    return o
end

local function gsub_aux(text, pat, repl, max_n)
    local len = #text
    local anchored = sbyte(pat, 1) == CARET
    local ms = new_state(text, pat, anchored and 2 or 1)
    local kind = type(repl)
    local out, o = {}, 0
    local src, lastmatch, n = 1, nil, 0
    max_n = max_n or len + 1
    while n < max_n do
        reprep(ms)
        local e = do_match(ms, src, ms.pstart)
        local counted = e and (not GSUB_LASTMATCH or e ~= lastmatch)
        if counted then
            n = n + 1
            if kind == "string" then
                o = add_string(ms, out, o, src, e, repl)
            else
                local value
                if kind == "table" then
                    local saved = where   -- an __index metamethod may call the string library
                    value = repl[get_capture(ms, 1, src, e)]
                    where = saved
                else
                    local saved = where
                    value = repl(push_captures(ms, src, e))
                    where = saved
                end
                if value == nil or value == false then
                    value = ssub(text, src, e - 1)
                else
                    local vkind = type(value)
                    if vkind == "number" then
                        value = tostring(value)
                    elseif vkind ~= "string" then
                        fail("invalid replacement value (a " .. vkind .. ")")
                    end
                end
                o = o + 1; out[o] = value
            end
        end
        if counted and GSUB_LASTMATCH then
            src, lastmatch = e, e
        elseif e and e > src then
            src = e
        elseif src <= len then
            o = o + 1; out[o] = ssub(text, src, src)
            src = src + 1
        else
            break
        end
        if anchored then break end
    end
    if src <= len then o = o + 1; out[o] = ssub(text, src) end
    return tconcat(out, "", 1, o), n
end

function M.gsub(at, text, pat, repl, max_n)
    where = at
    return gsub_aux(text, pat, repl, max_n)
end

return M
