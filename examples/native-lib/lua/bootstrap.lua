function bootstrap()
    -- relative search paths are relative to lua.root
    petrel.add_lib_search_path("../libs")
    petrel.load_lib("kvstore")
    petrel.add_route("/kv/", "kv_handler")
end
