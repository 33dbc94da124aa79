-- The metric library handlers see: m = metric(), then m:register_counter(name) (or _meter,
-- _timer), m:get_counter(name) (or _meter, _timer) for one that must exist, and the methods of
-- the kind it is bound to. The handle is a Lua object: making one crosses into Python not at all,
-- binding one to a metric this state has bound before neither (registering is idempotent and a
-- metric lives as long as the server, so the state keeps name -> metric); reading or updating
-- the metric is one call to Python, where the registry is (the process's, or the workers' shared
-- one with several workers).
--
-- The engine runs this chunk once in each new state, like json.lua, with the sandbox's make_class
-- and new_object and the library's Python functions ("python"): bind(name, how) -> the metric's
-- index, or false and the registry's refusal; the updates and reads take the index last, so that
-- an argument error counts the handler's arguments, and are tail calls, so that errors name the
-- handler's line. It returns the library's fields (none) and its constructor.

local helpers = ...
local python, make_class, new_object = helpers.python, helpers.make_class, helpers.new_object
local type, error, setmetatable = type, error, setmetatable
local bind = python.bind

local data = setmetatable({}, { __mode = "k" })   -- handle -> { kind =, index =, mark = }
-- kind -> name -> index, in this state; names past MAX_REMEMBERED of a kind (a service that makes
-- names per user, say) are asked for each time rather than kept in every state.
local bound = { counter = {}, meter = {}, timer = {} }
local remembered = { counter = 0, meter = 0, timer = 0 }
local MAX_REMEMBERED = 1000

local function binder(how, kind)
    local cache = bound[kind]
    local bad_self = "calling '" .. how .. "' on bad self"
    return function(self, name)
        local d = data[self]
        if d == nil then error(bad_self, 2) end
        local index = cache[name]
        if index == nil then
            local t = type(name)
            if t ~= "string" and t ~= "number" then
                error("bad argument #1 to '" .. how .. "' (string expected, got " .. t .. ")", 2)
            end
            local found, refusal = bind(name, how)
            if not found then error(refusal, 2) end
            index = found
            if remembered[kind] < MAX_REMEMBERED then
                remembered[kind] = remembered[kind] + 1
                cache[name] = index
            end
        end
        d.kind, d.index = kind, index
    end
end

-- The handle's data when it is bound to kind a (or b); kinds: a or b as the message names them.
local function bound_to(self, method, kinds, a, b)
    local d = data[self]
    if d == nil then error("calling '" .. method .. "' on bad self", 3) end
    local kind = d.kind
    if kind == nil or (kind ~= a and kind ~= b) then
        local what = kind and "a " .. kind or "an unregistered metric"
        error("'" .. method .. "' needs a " .. kinds .. ", called on " .. what, 3)
    end
    return d
end

local p_increment, p_decrement, p_total, p_reset = python.increment, python.decrement, python.total,
    python.reset
local p_rates, p_update, p_snapshot, p_now, p_since = python.rates, python.update, python.snapshot,
    python.now, python.update_since

local function since(d)   -- (called by the methods: errors at the handler's level)
    if d.mark == nil then error("'update_duration' called before 'start_duration'", 3) end
    local elapsed, now = p_since(d.mark, d.index)
    d.mark = now
    return elapsed
end

local methods = {
    register_counter = binder("register_counter", "counter"),
    get_counter = binder("get_counter", "counter"),
    register_meter = binder("register_meter", "meter"),
    get_meter = binder("get_meter", "meter"),
    register_timer = binder("register_timer", "timer"),
    get_timer = binder("get_timer", "timer"),
    increment = function(self, n)
        return p_increment(n, bound_to(self, "increment", "counter or meter", "counter", "meter").index)
    end,
    decrement = function(self, n)
        return p_decrement(n, bound_to(self, "decrement", "counter", "counter").index)
    end,
    total = function(self)
        return p_total(bound_to(self, "total", "counter or meter", "counter", "meter").index)
    end,
    reset = function(self)
        return p_reset(bound_to(self, "reset", "counter", "counter").index)
    end,
    rates = function(self)
        return p_rates(bound_to(self, "rates", "meter", "meter").index)
    end,
    update = function(self, value)
        return p_update(value, bound_to(self, "update", "timer", "timer").index)
    end,
    snapshot = function(self)
        return p_snapshot(bound_to(self, "snapshot", "timer", "timer").index)
    end,
    start_duration = function(self)
        local d = bound_to(self, "start_duration", "timer", "timer")
        d.mark = p_now()
    end,
    update_duration = function(self)
        return (since(bound_to(self, "update_duration", "timer", "timer")))
    end,
    finish_duration = function(self)   -- (named update_duration in its messages, as it is one)
        local d = bound_to(self, "update_duration", "timer", "timer")
        local elapsed = since(d)
        d.mark = nil
        return elapsed
    end,
}

local class = make_class("metric", methods)

local function metric()
    local handle = new_object(class, true)
    data[handle] = {}
    return handle
end

return {}, metric
