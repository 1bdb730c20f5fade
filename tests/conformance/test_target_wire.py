"""The target client's lean path (Target._lean) puts on the wire exactly what its httpx path does, reads
bodies with the same limit, and hands checks a response whose request they can still read."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from icss.conformance import Target
from icss.conformance._outcomes import TargetError
from icss.conformance._target import _PLAIN_PATH


def _length(head: bytes) -> int:
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


class _Recorder:
    """A target that records each request's bytes and answers every request on a connection with ``answer``."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65_536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                while len(rest) < _length(head):
                    rest += conn.recv(65_536)
                size = _length(head)
                self.requests.append(head + b"\r\n\r\n" + rest[:size])
                data = rest[size:]
                conn.sendall(self.answer)

    def close(self) -> None:
        self._listener.close()


_OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    made = _Recorder(_OK)
    yield made
    made.close()


_SHAPES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/debtors/abc-123", {"token": "t0k"}),
    ("POST", "/debtors", {"json_body": {"name": "张三 O'Neil", "n": 1.5, "tags": [True, None]}}),
    ("POST", "/oauth/token", {"content": b"grant_type=client_credentials&client_id=a%20b"}),
    ("POST", "/sandbox/clock/advance", {}),
    ("PUT", "/me/preferences", {"json_body": {}, "headers": {"Idempotency-Key": "k-1", "accept": "application/json"}}),
    ("GET", "/outbox", {"params": {"debtor_id": "d 1", "flag": True, "several": [1, 2], "none": None, "n": 0}}),
    ("PATCH", "/debtors/x", {"json_body": {"a": 1}, "headers": {"Content-Type": "application/merge-patch+json"}}),
    ("DELETE", "/sandbox/tenants/t~1:@!$&'()*+,;=", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), _SHAPES, ids=[f"{m} {p}" for m, p, _ in _SHAPES])
def test_the_lean_path_sends_what_httpx_sends(
    recorder: _Recorder, monkeypatch: pytest.MonkeyPatch, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    built: list[str] = []
    plain_init = httpx.Request.__init__

    def counting(self: httpx.Request, *args: Any, **kw: Any) -> None:
        built.append(str(args[0]))
        plain_init(self, *args, **kw)

    lean = Target(recorder.url, timeout=5)
    with monkeypatch.context() as patch:
        patch.setattr(httpx.Request, "__init__", counting)
        answer = lean.request(method, path, **kwargs)
    lean.close()
    assert built == [], "the lean path built an httpx.Request: it was not taken"
    with monkeypatch.context() as patch:
        patch.setattr(Target, "_lean", lambda *_args: None)  # the httpx path
        plain = Target(recorder.url, timeout=5)
        again = plain.request(method, path, **kwargs)
        plain.close()
    assert len(recorder.requests) == 2
    assert recorder.requests[0] == recorder.requests[1]
    assert answer.json() == again.json() == {"ok": True}
    assert answer.status_code == again.status_code == 200
    assert dict(answer.headers) == dict(again.headers)
    # The request a check may read is the one httpx would have built.
    assert answer.request.method == again.request.method
    assert answer.request.url == again.request.url
    assert answer.request.headers.raw == again.request.headers.raw
    assert answer.request.content == again.request.content


def test_a_path_httpx_would_encode_takes_the_httpx_path(recorder: _Recorder) -> None:
    target = Target(recorder.url, timeout=5)
    target.request("GET", "/debtors/a b%2F/ü")
    target.close()
    assert recorder.requests[0].startswith(b"GET /icss/v1/debtors/a%20b%2F/%C3%BC HTTP/1.1\r\n")


@given(st.text(alphabet="ABCXYZabcxyz0189-._~/:@!$&'()*+,;=%? ü", max_size=40))
def test_httpx_sends_a_plain_path_as_written(path: str) -> None:
    """The premise of the lean path: httpx's URL keeps a path it calls plain byte for byte."""
    full = "/icss/v1/" + path
    assume(_PLAIN_PATH.fullmatch(full))
    assert httpx.URL("http://127.0.0.1:9" + full).raw_path == full.encode()


@pytest.mark.parametrize("path", ["/a/.", "/a/..", "/a/./b", "/a/../b", "/a b", "/a%2F", "/ü", "/a?b", "/a#b"])
def test_a_path_httpx_would_change_or_quote_is_not_plain(path: str) -> None:
    """Dot segments (httpx removes them), spaces, escapes, letters beyond ASCII, a query or a fragment."""
    assert not _PLAIN_PATH.fullmatch(path)


def test_the_lean_path_reads_no_further_than_the_limit() -> None:
    big = b"x" * 5_000
    made = _Recorder(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n" + big)
    target = Target(made.url, timeout=5, max_response_bytes=1_000)
    with pytest.raises(TargetError, match="larger than 1000 bytes"):
        target.request("GET", "/big")
    made.answer = _OK  # the connection cut short is not reused: the next request gets its own answer
    assert target.request("GET", "/next").json() == {"ok": True}
    target.close()
    made.close()


def test_a_compressed_body_is_decoded() -> None:
    body = gzip.compress(b'{"framing": "gzip"}')
    made = _Recorder(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    target = Target(made.url, timeout=5)
    assert target.request("GET", "/gzip").json() == {"framing": "gzip"}
    target.close()
    made.close()
