"""An ASGI wrapper that rewrites the body of chosen responses (for mutants of the HTTP surface)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Rewrite = Callable[[dict[str, Any], bytes, str], bytes]  # (scope, body, media type) -> new body


async def read_body(receive: Any) -> bytes:
    """The whole request body an ASGI app would receive."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replay_request(scope: dict[str, Any], raw: bytes) -> tuple[dict[str, Any], Callable[[], Any]]:
    """The scope (with a Content-Length for ``raw``) and a ``receive`` that hands the app ``raw`` as the body."""
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return {**scope, "headers": [*headers, (b"content-length", str(len(raw)).encode())]}, replay


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
