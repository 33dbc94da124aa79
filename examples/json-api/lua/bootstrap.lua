-- bootstrap.lua: one prefix route for the collection and its items
function bootstrap()
    petrel.add_route("/items", "items")
end
