"""HTTP/1.1 for the target client on the standard library's ``http.client``: the same exchanges, less harness CPU.

A certification run sends a couple of thousand small requests, and the harness' own share of the
run's time was mostly httpx's default transport (httpcore over h11, pure-Python parsing with
several layers per request). ``http.client`` parses a response in a fraction of that time. This
module is only an ``httpx`` transport: the ``httpx.Client`` above it still builds requests, decodes
content encodings and refuses to follow redirects, and ``Target`` still bounds waits and sizes.

One keep-alive connection per thread and origin (the runner's workers each have their own); a
connection that the target closed while idle is opened again once before the request is sent anew.
Failures are raised as the ``httpx`` exceptions the client above expects.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any, cast

import httpx

_CHUNK = 65_536
#: Errors that mean "the kept-alive connection was closed by the target while idle".
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class _Head:
    """A response head as ``http.client`` reads it: the (name, value) lines, found by name case-insensitively.

    ``http.client`` hands the head to the ``email`` package's parser, which cost a sixth of the
    transport's CPU for a few short lines; this is the part of ``HTTPMessage`` that http.client and this
    module use. A line without a colon is skipped; a folded line (obsolete, RFC 9112 5.2) continues the last.
    """

    __slots__ = ("_lines",)

    def __init__(self, raw: list[bytes]) -> None:
        lines: list[tuple[str, str]] = []
        for line in raw:
            text = line.decode("iso-8859-1").rstrip("\r\n")
            if not text:
                continue
            if text[0] in " \t" and lines:
                name, value = lines[-1]
                lines[-1] = (name, f"{value} {text.strip()}")
                continue
            name, colon, value = text.partition(":")
            if colon and name and name == name.strip():
                lines.append((name, value.strip(" \t")))
        self._lines = lines

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self._lines if key.lower() == wanted), default)

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        wanted = name.lower()
        found = [value for key, value in self._lines if key.lower() == wanted]
        return found or default

    def items(self) -> list[tuple[str, str]]:
        return list(self._lines)


class _Response(http.client.HTTPResponse):
    """``HTTPResponse`` with its head read by :class:`_Head` (``begin`` is the standard library's, but for that)."""

    def begin(self) -> None:
        if vars(self).get("headers") is not None:  # begun already
            return
        while True:
            version, status, reason = self._read_status()  # type: ignore[attr-defined]
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)  # type: ignore[attr-defined]
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        head = _Head(http.client._read_headers(self.fp))  # type: ignore[attr-defined]
        self.headers = self.msg = cast(http.client.HTTPMessage, head)
        encoding = head.get("transfer-encoding")
        self.chunked = bool(encoding and encoding.lower() == "chunked")
        self.chunk_left = None
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        self.length = None
        length = head.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if (
            status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
            or 100 <= status < 200
            or self._method == "HEAD"  # type: ignore[attr-defined]
        ):
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


class _OneWrite:
    """Sends a request's head and a small body in one write: one segment, one wake-up of the target.

    ``http.client`` writes them separately, so the target's server reads the head, then waits for the body.
    """

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        if isinstance(message_body, bytes) and not encode_chunked and len(message_body) <= _CHUNK:
            buffer: list[bytes] = self._buffer  # type: ignore[attr-defined]
            buffer.extend((b"", b""))
            head = b"\r\n".join(buffer)
            del buffer[:]
            self.send(head + message_body)  # type: ignore[attr-defined]
            return
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]


class _Connection(_OneWrite, http.client.HTTPConnection):
    response_class = _Response


class _SecureConnection(_OneWrite, http.client.HTTPSConnection):
    response_class = _Response


def _timeout(request: httpx.Request) -> float | None:
    timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
    chosen = [t for t in (timeouts.get("connect"), timeouts.get("read"), timeouts.get("write")) if t is not None]
    return max(chosen) if chosen else None


class _Body(httpx.SyncByteStream):
    """The response body, read from the socket as the client asks for it."""

    def __init__(self, transport: StdlibTransport, key: tuple[str, str, int], response: http.client.HTTPResponse):
        self._transport, self._key, self._response = transport, key, response
        self._request: httpx.Request | None = None

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> list[tuple[str, str]]:
        return self._response.getheaders()

    @property
    def extensions(self) -> dict[str, Any]:
        return {"http_version": b"HTTP/1.1", "reason_phrase": self._response.reason.encode("latin-1", "replace")}

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self._response.read(_CHUNK):
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out reading the response", request=self._request) from None
        except http.client.HTTPException as exc:
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=self._request) from None
        except OSError as exc:
            raise httpx.ReadError(str(exc), request=self._request) from None

    def close(self) -> None:
        # A body left unread (the client stopped at its size limit, or failed) leaves the connection unusable.
        complete = self._response.isclosed() and not self._response.will_close
        self._response.close()
        if not complete:
            self._transport._discard(self._key)


class StdlibTransport(httpx.BaseTransport):
    """An ``httpx`` transport that speaks HTTP/1.1 through ``http.client``, one connection per thread and origin."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._local = threading.local()
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self._opened: list[http.client.HTTPConnection] = []

    def _connections(self) -> dict[tuple[str, str, int], http.client.HTTPConnection]:
        found: dict[tuple[str, str, int], http.client.HTTPConnection] | None = getattr(self._local, "connections", None)
        if found is None:
            found = self._local.connections = {}
        return found

    def _open(self, key: tuple[str, str, int], timeout: float | None) -> http.client.HTTPConnection:
        scheme, host, port = key
        connection: http.client.HTTPConnection
        if scheme == "https":
            context = self._ssl_context or ssl.create_default_context()
            connection = _SecureConnection(host, port, timeout=timeout, context=context)
        else:
            connection = _Connection(host, port, timeout=timeout)
        connection.connect()
        # http.client sends the head and the body of a request in two writes; without TCP_NODELAY the
        # second waits for the acknowledgement of the first (Nagle's algorithm against delayed ACKs).
        if connection.sock is not None:
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._opened.append(connection)
        self._connections()[key] = connection
        return connection

    def _discard(self, key: tuple[str, str, int]) -> None:
        connection = self._connections().pop(key, None)
        if connection is not None:
            connection.close()

    def exchange(
        self,
        key: tuple[str, str, int],
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: float | None,
        request: httpx.Request | None = None,
    ) -> _Body:
        """Send one request on this thread's connection to ``key`` (scheme, host, port); the answer's body unread.

        Failures are the ``httpx`` exceptions a client expects (``request`` goes into them when given).
        """
        connection = self._connections().get(key)
        reused = connection is not None
        for attempt in (1, 2):
            try:
                if connection is None:
                    connection = self._open(key, timeout)
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.endheaders(body or None)
                response = connection.getresponse()
                break
            except _STALE as exc:
                self._discard(key)
                if attempt == 2 or not reused:
                    raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from None
                connection, reused = None, False
            except TimeoutError as exc:
                self._discard(key)
                raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from None
            except http.client.HTTPException as exc:
                self._discard(key)
                raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from None
            except OSError as exc:
                self._discard(key)
                raise httpx.ConnectError(str(exc), request=request) from None
        stream = _Body(self, key, response)
        stream._request = request
        return stream

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        stream = self.exchange(
            key, request.method, url.raw_path.decode("ascii"), headers, request.read(), _timeout(request), request
        )
        return httpx.Response(
            stream.status,
            headers=stream.headers,
            stream=stream,
            extensions=stream.extensions,
        )

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
