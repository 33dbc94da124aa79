-- text_handler.lua
function text_handler(request, response)
    req_counter = metric()
    req_counter:register_counter("req_counter")
    req_counter:increment()
    plain = request.path .. ":" .. req_counter:total()
    encoded = base64.encode(plain)
    response.headers["content-type"] = "text/plain"
    response.content = "plain: " .. plain .. "\nencoded: " .. encoded .. "\n"
    return response
end
