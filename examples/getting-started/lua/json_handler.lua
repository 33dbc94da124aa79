-- json_handler.lua
function json_handler(request, response)
    req_counter = metric()
    req_counter:register_counter("req_counter")
    req_counter:increment()
    plain = request.path .. ":" .. req_counter:total()
    encoded = base64.encode(plain)
    response.headers["content-type"] = "application/json"
    response.content = "{\n  \"plain\":\"" .. plain .. "\",\n  \"encoded\":\"" .. encoded .. "\"\n}\n"
    return response
end
