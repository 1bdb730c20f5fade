"""The target as the harness sees it: an ICSS base URL reached over HTTP, and nothing else.

Every request has a bounded timeout and a bounded response size; redirects are never followed (a
credential is never sent to a host other than the target's); transport failures become
:class:`TargetError`, so a hanging, lying or hostile endpoint yields ``error`` outcomes, not a
crashed or stuck run. Each exchange is kept, redacted, as evidence for the report.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

import httpx

from ._outcomes import Exchange, TargetError
from ._transport import StdlibTransport

API_BASE = "/icss/v1"
#: What httpx.Client would add to every request, for targets reached through the transport directly.
_DEFAULT_HEADERS = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate", "User-Agent": "icss-harness"}
MAX_RESPONSE_BYTES = 2_000_000
#: A path httpx sends exactly as written (unreserved and sub-delimiter characters, ":", "@", "/", and no "."
#: or ".." segment, which httpx removes): the lean path (Target._lean) sends such paths itself; any other (a
#: "%", a space, a non-ASCII letter, a dot segment) goes through httpx.
_PLAIN_PATH = re.compile(r"(?!.*/\.\.?(?:/|$))[A-Za-z0-9\-._~/:@!$&'()*+,;=]*")
_SECRET_KEYS = re.compile(r"secret|token|password|authorization", re.IGNORECASE)


@dataclass
class Timing:
    """Time spent waiting for the target, summed over every request of a run."""

    waiting: float = 0.0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.waiting += seconds
            self.requests += 1


def redact(value: Any, canaries: Iterable[str] = ()) -> Any:
    """Credentials and canary personal data out of an excerpt before it enters a report."""
    marks = [c for c in canaries if c]
    if isinstance(value, dict):
        return {k: ("[redacted]" if _SECRET_KEYS.search(str(k)) else redact(v, marks)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, marks) for v in value[:20]]
    if isinstance(value, str):
        text = value
        for mark in marks:
            text = text.replace(mark, "[personal data]")
        return text[:500]
    return value


class _Answer(httpx.Response):
    """A response whose ``request`` is built when first read (few checks read it; building it costs)."""

    build_request: Callable[[], httpx.Request] | None = None

    @property
    def request(self) -> httpx.Request:
        if self._request is None and self.build_request is not None:
            self._request = self.build_request()
        if self._request is None:
            raise RuntimeError("the request of this response is not known")
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value


class _Read(httpx.SyncByteStream):
    """The stream of a response whose body was read before the response was made (its ``_content``)."""

    def __iter__(self) -> Iterator[bytes]:
        yield from ()


_READ = _Read()


def _origin(url: str) -> tuple[str, str, int, str, str] | None:
    """(scheme, host, port, netloc, base path) of a target URL, or None when the lean path cannot use it."""
    parsed = httpx.URL(url.rstrip("/"))
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.query or parsed.fragment:
        return None
    base = parsed.raw_path.decode("ascii").rstrip("/")
    if not _PLAIN_PATH.fullmatch(base):
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host, port, parsed.netloc.decode("ascii"), base


class _Outgoing(NamedTuple):
    """One request as a check asked for it (``url`` under the target's base), before either send path shapes it."""

    method: str
    url: str
    json_body: Any
    content: bytes | None
    headers: dict[str, str]
    params: dict[str, Any] | None


class Target:
    """An ICSS endpoint. Give it a URL, or an ``httpx.Client`` (e.g. one bound to an in-process app)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._direct: StdlibTransport | None = None
        if client is None:
            if url is None:
                raise ValueError("a Target needs a URL or a client")
            # A URL target is reached straight through the http.client transport (see request); the client
            # is kept for what else needs one (WebSocket URLs, callers that read target.client).
            self._direct = StdlibTransport()
            client = httpx.Client(
                base_url=url.rstrip("/"), timeout=timeout, follow_redirects=False, transport=self._direct
            )
        self.client = client
        self.url = url or str(client.base_url)
        self._origin = _origin(self.url) if self._direct is not None else None
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.timing = Timing()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        record: list[Exchange] | None = None,
        canaries: Iterable[str] = (),
    ) -> httpx.Response:
        """Send one request to ``API_BASE + path``; TargetError on any transport-level failure."""
        sent_headers = dict(headers or {})
        if token:
            sent_headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("http") else API_BASE + path
        out = _Outgoing(method, url, json_body, content, sent_headers, params)
        started = time.perf_counter()
        try:
            lean = self._lean(out)
            if lean is not None:
                response = lean
            else:
                with self._send(out) as response:
                    response._content = self._read(response.iter_bytes(), method, path)  # kept for .json()/.text
        except httpx.TimeoutException:
            raise TargetError(f"{method} {path}: no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise TargetError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        finally:
            self.timing.add(time.perf_counter() - started)
        elapsed = (time.perf_counter() - started) * 1000
        if 300 <= response.status_code < 400:
            # Never follow: a redirect could carry our credentials to another host.
            raise TargetError(
                f"{method} {path}: redirected ({response.status_code}) to "
                f"{response.headers.get('location', '?')}; the harness does not follow redirects"
            )
        if record is not None:
            # Decoded and redacted only if the exchange is ever read (see Exchange), with the canaries known
            # by then: a check's own list (it only grows), or a copy of whatever else was passed.
            media, content = response.headers.get("content-type", ""), response.content
            marks = canaries if isinstance(canaries, list) else list(canaries)
            record.append(
                Exchange(
                    method,
                    path,
                    response.status_code,
                    elapsed_ms=elapsed,
                    settle=lambda: (
                        redact(json_body, marks) if json_body is not None else None,
                        redact(_body(media, content), marks),
                    ),
                )
            )
        return response

    def _read(self, chunks: Iterable[bytes], method: str, path: str) -> bytes:
        """A response body, read no further than ``max_response_bytes``."""
        body = bytearray()
        for chunk in chunks:
            body.extend(chunk)
            if len(body) > self.max_response_bytes:
                raise TargetError(
                    f"{method} {path}: response larger than {self.max_response_bytes} bytes; stopped reading"
                )
        return bytes(body)

    def _lean(self, out: _Outgoing) -> httpx.Response | None:
        """The exchange without httpx's request machinery, or None where a request needs it (see _send).

        Building an ``httpx.Request`` (URL parsing, header normalisation, streams) and reading through httpx's
        decoders cost half of the harness' CPU per request. For a path of plain URL characters on the target's
        own origin, the request goes out byte for byte as httpx would build it (tests/conformance/test_target.py
        compares the two on the wire), the body is read straight off the connection, and the ``httpx.Request``
        a check may read is built only if it does. A compressed body takes the httpx path's decoders.
        """
        method, url, json_body, content, headers, params = out
        if self._direct is None or self._origin is None or url.startswith("http") or not _PLAIN_PATH.fullmatch(url):
            return None
        scheme, host, port, netloc, base_path = self._origin
        target = base_path + url
        if params:
            query = str(httpx.QueryParams(params))  # httpx's own encoding of values (True -> "true", lists repeat)
            if query:
                target += "?" + query
        if content is not None:
            body = content
            framing = {"Content-Length": str(len(body))} if body else {}
        elif json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            framing = {"Content-Length": str(len(body)), "Content-Type": "application/json"}
        else:
            body, framing = b"", {}
        merged = {**_DEFAULT_HEADERS, **headers}
        lines = [(str(k), str(v)) for k, v in merged.items()]
        for name, value in (*lines, *framing.items()):
            name.encode("ascii"), value.encode("ascii")  # httpx refuses what is not ASCII; so does this path
        present = {name.lower() for name, _ in lines}
        lines += [(name, value) for name, value in framing.items() if name.lower() not in present]
        present.update(name.lower() for name in framing)
        automatic = [] if "host" in present else [("Host", netloc)]
        if method in ("POST", "PUT", "PATCH") and not present & {"content-length", "transfer-encoding"}:
            automatic.append(("Content-Length", "0"))

        def request() -> httpx.Request:
            return self._httpx_request(out)

        started = time.perf_counter()
        stream = self._direct.exchange((scheme, host, port), method, target, automatic + lines, body, self.timeout)
        try:
            encoding = next((v for k, v in stream.headers if k.lower() == "content-encoding"), "identity")
            if encoding.strip().lower() not in ("", "identity"):
                answer = _Answer(stream.status, headers=stream.headers, stream=stream, extensions=stream.extensions)
                answer.build_request = request
                answer._content = self._read(answer.iter_bytes(), method, url.removeprefix(API_BASE))
            else:
                data = self._read(stream, method, url.removeprefix(API_BASE))
                # The body is read already: the response gets it as its content, not through a stream to copy.
                answer = _Answer(stream.status, headers=stream.headers, stream=_READ, extensions=stream.extensions)
                answer._content = data
                answer.build_request = request
        finally:
            stream.close()
        answer.elapsed = timedelta(seconds=time.perf_counter() - started)
        return answer

    def _httpx_request(self, out: _Outgoing) -> httpx.Request:
        """The request as httpx builds it: what the httpx path sends, and what the lean path's bytes must equal."""
        return httpx.Request(
            out.method,
            out.url if out.url.startswith("http") else self.url.rstrip("/") + out.url,
            params=out.params,
            headers={**_DEFAULT_HEADERS, **out.headers},
            json=out.json_body,
            content=out.content,
            extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)},
        )

    @contextlib.contextmanager
    def _send(self, out: _Outgoing) -> Iterator[httpx.Response]:
        """The response to one request, its body still to be read; closed on leaving the block."""
        if self._direct is None:  # an injected client (e.g. in-process): its own send path
            with self.client.stream(
                out.method,
                out.url,
                json=out.json_body,
                content=out.content,
                headers=out.headers,
                params=out.params,
                timeout=self.timeout,
            ) as response:
                yield response
            return
        # httpx.Client.send costs a third of the harness' CPU per request (URL merging, cookie jar, auth and
        # redirect machinery) and gives a run nothing: the harness sends no cookies (checks must not carry
        # state from one to another), has no client auth and follows no redirect.
        request = self._httpx_request(out)
        started = time.perf_counter()
        response = self._direct.handle_request(request)
        response.request = request
        try:
            yield response
        finally:
            response.close()
            response.elapsed = timedelta(seconds=time.perf_counter() - started)

    def close(self) -> None:
        self.client.close()


def _body(media: str, content: bytes) -> Any:
    if "json" in media:
        try:
            return json.loads(content)
        except ValueError:
            return content[:2000].decode("utf-8", "replace")[:500]
    return content[:2000].decode("utf-8", "replace")[:500] if content else None


class StreamSession:
    """One WebSocket conversation with the target: JSON frames out, JSON frames in, bounded waits."""

    def __init__(self, send: Any, receive: Any, close: Any) -> None:
        self._send, self._receive, self._close = send, receive, close

    def send_json(self, message: Any) -> None:
        self._send(json.dumps(message, ensure_ascii=False))

    def receive_json(self) -> Any:
        raw = self._receive()
        try:
            return json.loads(raw)
        except (TypeError, ValueError):
            raise TargetError(f"the stream sent a frame that is not JSON: {str(raw)[:80]!r}") from None

    def close(self) -> None:
        self._close()


@contextlib.contextmanager
def open_stream(target: Target, path: str, token: str, subprotocol: str) -> Iterator[StreamSession]:
    """A WebSocket to ``API_BASE + path`` with the bearer token; TargetError when it cannot be opened.

    Against a URL it uses the ``websockets`` client (bounded open, receive and close waits); an in-process
    test client that can open WebSockets itself (it has ``websocket_connect``) is used as it is.
    """
    headers = {"Authorization": f"Bearer {token}"}
    connect = getattr(target.client, "websocket_connect", None)
    if connect is not None:
        try:
            with connect(API_BASE + path, headers=headers, subprotocols=[subprotocol]) as ws:
                yield StreamSession(ws.send_text, ws.receive_text, ws.close)
        except Exception as exc:  # the in-process client raises its own disconnect types
            if isinstance(exc, TargetError):
                raise
            raise TargetError(f"WebSocket {path}: {type(exc).__name__}: {exc}") from None
        return
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect as ws_connect

    url = str(target.client.base_url).replace("http", "ws", 1).rstrip("/") + API_BASE + path
    try:
        with ws_connect(
            url,
            additional_headers=headers,
            subprotocols=[subprotocol],  # type: ignore[list-item]
            open_timeout=target.timeout,
            close_timeout=2,
        ) as ws:
            yield StreamSession(ws.send, lambda: ws.recv(timeout=target.timeout), ws.close)
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise TargetError(f"WebSocket {path}: {type(exc).__name__}: {exc}") from None
