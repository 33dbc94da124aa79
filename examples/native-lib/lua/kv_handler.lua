-- GET /kv/<key> reads, POST /kv/<key> stores the body; /kv/_bucket shows the object API.
function kv_handler(request, response)
    local key = string.sub(request.path, 5)
    response.headers["content-type"] = "text/plain"
    if key == "_bucket" then
        local b = kvstore.bucket("users")
        b:put("ann", "42")
        b:put("bob", "7")
        response.content = table.concat(b:keys(), ",") .. " ann=" .. b:fetch("ann")
    elseif key == "_missing" then
        local b = kvstore.bucket("users")
        local ok, err = pcall(b.fetch, b, "nobody")
        response.content = tostring(err)
    elseif key == "_path" then
        response.content = petrel.lib_search_path()
    elseif request.method == "POST" then
        kvstore.set(key, request.content)
        response.content = "stored " .. kvstore.size()
    else
        local value = kvstore.slow_get(key, 5)
        if value == nil then
            response.status = 404
            response.content = "no such key\n"
        else
            response.content = value
        end
    end
    return response
end
