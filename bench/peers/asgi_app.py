"""The getting-started JSON handler as a plain ASGI app: the uvicorn peer of bench/http_throughput.py."""

import base64

counter = 0


async def app(scope, receive, send):
    global counter
    if scope["type"] != "http":
        return
    counter += 1
    plain = f"{scope['path']}:{counter}"
    encoded = base64.b64encode(plain.encode()).decode()
    body = ('{\n  "plain":"' + plain + '",\n  "encoded":"' + encoded + '"\n}\n').encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
