"""An ASGI wrapper that rewrites the body of chosen responses (for mutants of the HTTP surface)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Rewrite = Callable[[dict[str, Any], bytes, str], bytes]  # (scope, body, media type) -> new body


def rewrite_responses(path: str, rewrite: Rewrite, *, method: str = "GET") -> Callable[[Any], Any]:
    """Wrap an ASGI app so that responses to ``method`` requests whose path fully matches ``path`` are rewritten."""
    pattern = re.compile(path)

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["method"] != method or not pattern.fullmatch(scope["path"]):
                await app(scope, receive, send)
                return
            start: dict[str, Any] = {}
            chunks: list[bytes] = []

            async def capture(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                if message["type"] != "http.response.body":
                    await send(message)
                    return
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                media = next((v.decode() for k, v in headers if k.lower() == b"content-type"), "")
                if start.get("status") == 200:
                    body = rewrite(scope, body, media)
                await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})

            await app(scope, receive, capture)

        return wrapped

    return wrap
