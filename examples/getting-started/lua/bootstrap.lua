-- bootstrap.lua
function bootstrap()
    petrel.add_route("/json/", "json_handler")
    petrel.add_route("/text/", "text_handler")
end
