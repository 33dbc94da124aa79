-- items.lua: a small JSON API over shared.dict, the same on every worker.
--
--   GET    /items        {"items": [...]}, ordered by id
--   POST   /items        create from a JSON object (or a urlencoded form): 201 and Location
--   GET    /items/ID     the item, or 404
--   DELETE /items/ID     204, or 404
--
-- An item is {id, name, tags, price}; it is stored as its JSON text, so it comes back exactly as
-- it was written (an empty tags list stays a list).

local store = shared.dict("items")
local MAX_NAME = 200

local function send(response, status, value)
    response.status = status
    response.headers["content-type"] = "application/json"
    response.content = json.encode(value) .. "\n"
    return response
end

local function fail(request, response, status, message)
    return send(response, status, { error = message, request_id = request.id })
end

-- The error text without its "chunk:line: " prefix: what the client needs to know.
local function reason(err)
    return (tostring(err):gsub("^[^:]+:%d+: ", ""))
end

-- The new item's fields from the body, or nil and what is wrong with them.
local function read_fields(request)
    local ctype = (request.headers["content-type"] or ""):lower()
    local fields
    if ctype:find("application/x-www-form-urlencoded", 1, true) then
        local form = request.form
        fields = { name = form.name, price = form.price and tonumber(form.price) or form.price,
                   tags = setmetatable(request.form_list("tag"), json.array_mt) }
    else
        local ok, value = pcall(json.decode, request.content)
        if not ok then return nil, reason(value) end
        fields = value
    end
    if type(fields) ~= "table" or getmetatable(fields) == json.array_mt then
        return nil, "the body must be a JSON object"
    end
    local name, tags, price = fields.name, fields.tags, fields.price
    if type(name) ~= "string" or name == "" or #name > MAX_NAME then
        return nil, "'name' must be a string of 1 to " .. MAX_NAME .. " bytes"
    end
    if tags == nil or tags == json.null then
        tags = json.empty_array
    elseif type(tags) ~= "table" or getmetatable(tags) ~= json.array_mt then
        return nil, "'tags' must be a list of strings"
    end
    for i = 1, #tags do
        if type(tags[i]) ~= "string" then return nil, "'tags' must be a list of strings" end
    end
    if price == json.null then price = nil end
    if price ~= nil and (type(price) ~= "number" or price < 0) then
        return nil, "'price' must be a number of at least 0"
    end
    return { name = name, tags = tags, price = price }
end

local function list(request, response)
    local keys = store:keys(0)
    local ids = {}
    for i = 1, #keys do
        local id = tonumber(keys[i]:match("^item:(%d+)$"))
        if id then ids[#ids + 1] = id end
    end
    table.sort(ids)
    local out = setmetatable({}, json.array_mt)
    for i = 1, #ids do
        local text = store:get("item:" .. ids[i])
        if text then out[#out + 1] = json.decode(text) end   -- deleted meanwhile: skipped
    end
    return send(response, 200, { items = out })
end

local function create(request, response)
    local item, problem = read_fields(request)
    if not item then return fail(request, response, 400, problem) end
    item.id = store:incr("next_id", 1, 0)
    store:set("item:" .. item.id, json.encode(item))
    response.headers["location"] = "/items/" .. item.id
    response.headers["set-cookie"] = petrel.cookie("last_item", tostring(item.id),
        { path = "/items", max_age = 3600, http_only = true, same_site = "Lax" })
    return send(response, 201, item)
end

function items(request, response)
    local path, method = request.path, request.method
    if path == "/items" or path == "/items/" then
        if method == "GET" or method == "HEAD" then return list(request, response) end
        if method == "POST" then return create(request, response) end
        response.headers["allow"] = "GET, HEAD, POST"
        return fail(request, response, 405, "method " .. method .. " not allowed on /items")
    end
    local id = path:match("^/items/(%d+)$")
    if not id or #id > 15 then return fail(request, response, 404, "no such resource: " .. path) end
    local key = "item:" .. tonumber(id)
    if method == "GET" or method == "HEAD" then
        local text = store:get(key)
        if not text then return fail(request, response, 404, "no item " .. id) end
        response.headers["content-type"] = "application/json"
        response.content = text .. "\n"
        return response
    end
    if method == "DELETE" then
        if not store:get(key) then return fail(request, response, 404, "no item " .. id) end
        store:delete(key)
        response.status = 204
        return response
    end
    response.headers["allow"] = "GET, HEAD, DELETE"
    return fail(request, response, 405, "method " .. method .. " not allowed on an item")
end
