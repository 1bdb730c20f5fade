"""The http.client transport under the target client: kept-alive connections, bodies in every framing,
connections the target closed while idle, and bodies the client stopped reading."""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from icss.conformance import Target
from icss.conformance._outcomes import TargetError


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless a response says otherwise
    #: One entry per TCP connection accepted (a handler is set up once per connection; ids of closed
    #: sockets can be reused, so they cannot tell connections apart).
    connections: ClassVar[list[int]] = []

    def setup(self) -> None:
        super().setup()
        type(self).connections.append(len(type(self).connections))

    def log_message(self, *_args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Transfer-Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if headers.get("Transfer-Encoding") == "chunked":
            for start in range(0, len(body), 7):
                piece = body[start : start + 7]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.endswith("/chunked"):
            self._send(200, json.dumps({"framing": "chunked"}).encode(), {"Transfer-Encoding": "chunked"})
        elif self.path.endswith("/gzip"):
            body = gzip.compress(json.dumps({"framing": "gzip"}).encode())
            self._send(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        elif self.path.endswith("/close"):
            self._send(200, b'{"then": "closed"}', {"Content-Type": "application/json", "Connection": "close"})
            self.close_connection = True
        elif self.path.endswith("/silent-close"):  # closes without saying so, as an idle timeout does
            self._send(200, b'{"then": "gone"}', {"Content-Type": "application/json"})
            self.close_connection = True
        elif self.path.endswith("/cookie"):
            cookie = self.headers.get("Cookie", "")
            self._send(200, json.dumps({"cookie": cookie}).encode(), {"Set-Cookie": "session=abc; Path=/"})
        elif self.path.endswith("/big"):
            self._send(200, b"x" * 300_000, {"Content-Type": "text/plain"})
        else:
            self._send(200, json.dumps({"path": self.path}).encode(), {"Content-Type": "application/json"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(201, json.dumps({"got": json.loads(body)}).encode(), {"Content-Type": "application/json"})


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.connections = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_requests_share_one_kept_alive_connection(server: str) -> None:
    target = Target(server, timeout=5)
    for n in range(5):
        assert target.request("GET", f"/item/{n}").json() == {"path": f"/icss/v1/item/{n}"}
    assert target.request("POST", "/echo", json_body={"a": [1, "ü"]}).json() == {"got": {"a": [1, "ü"]}}
    assert len(_Handler.connections) == 1
    target.close()


def test_chunked_and_gzip_bodies_are_decoded(server: str) -> None:
    target = Target(server, timeout=5)
    assert target.request("GET", "/chunked").json() == {"framing": "chunked"}
    assert target.request("GET", "/gzip").json() == {"framing": "gzip"}
    target.close()


def test_a_connection_the_target_closed_is_opened_again(server: str) -> None:
    target = Target(server, timeout=5)
    assert target.request("GET", "/close").json() == {"then": "closed"}
    assert target.request("GET", "/after").json() == {"path": "/icss/v1/after"}
    assert len(_Handler.connections) == 2
    target.close()


def test_a_kept_alive_connection_closed_while_idle_is_retried_once(server: str) -> None:
    target = Target(server, timeout=5)
    assert target.request("GET", "/silent-close").json() == {"then": "gone"}
    assert target.request("POST", "/echo", json_body={"n": 1}).json() == {"got": {"n": 1}}
    assert len(_Handler.connections) == 2
    target.close()


def test_a_body_cut_at_the_size_limit_does_not_poison_the_next_request(server: str) -> None:
    target = Target(server, timeout=5, max_response_bytes=100_000)
    with pytest.raises(TargetError, match="larger than 100000 bytes"):
        target.request("GET", "/big")
    assert target.request("GET", "/next").json() == {"path": "/icss/v1/next"}
    target.close()


def test_no_cookie_goes_back_to_the_target(server: str) -> None:
    """Checks must not carry state from one to another, so a cookie the target sets is never sent back."""
    target = Target(server, timeout=5)
    assert target.request("GET", "/cookie").json() == {"cookie": ""}
    assert target.request("GET", "/cookie").json() == {"cookie": ""}
    target.close()


def test_a_refused_connection_is_a_target_error() -> None:
    target = Target("http://127.0.0.1:9", timeout=2)  # the discard port: nothing listens there
    with pytest.raises(TargetError, match="ConnectError"):
        target.request("GET", "/health")


def _raw_server(answer: bytes, received: list[bytes]) -> Iterator[str]:
    """A target that records what each recv() of the first request returned and answers ``answer`` verbatim."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
                chunk = conn.recv(65_536)
                if not chunk:
                    return
                received.append(chunk)
                data += chunk
            conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def test_a_request_with_a_small_body_goes_out_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """http.client writes the head and the body apart; the target would wake twice for one request."""
    writes: list[bytes] = []
    plain_send = http.client.HTTPConnection.send

    def counting(self: http.client.HTTPConnection, data: Any) -> None:
        writes.append(bytes(data))
        plain_send(self, data)

    monkeypatch.setattr(http.client.HTTPConnection, "send", counting)
    received: list[bytes] = []
    answer = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    for url in _raw_server(answer, received):
        target = Target(url, timeout=5)
        response = target.request("POST", "/things", json_body={"name": "x" * 2_000})
        assert response.status_code == 201
        target.close()
    assert len(writes) == 1, [len(w) for w in writes]
    assert writes[0].startswith(b"POST /icss/v1/things")
    assert writes[0].endswith(b'"}')
    assert b"".join(received) == writes[0]


def test_the_response_head_is_read_as_http_client_reads_it() -> None:
    """Names in any case, repeated fields in order, a folded line joined to the one before, a line without a
    colon skipped; the framing (here Content-Length) still decides where the body ends."""
    answer = (
        b"HTTP/1.1 200 OK\r\n"
        b"content-TYPE: application/json\r\n"
        b"X-Twice: one\r\n"
        b"x-twice: two\r\n"
        b"X-Folded: first\r\n"
        b"\tsecond\r\n"
        b"not a header line\r\n"
        b"Content-Length: 11\r\n"
        b"\r\n"
        b'{"a": true}trailing bytes the framing excludes'
    )
    for url in _raw_server(answer, []):
        target = Target(url, timeout=5)
        response = target.request("GET", "/head")
        target.close()
    assert response.json() == {"a": True}
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get_list("x-twice") == ["one", "two"]
    assert response.headers["x-folded"] == "first second"
    assert "not a header line" not in str(response.headers)


def test_a_response_with_too_many_header_lines_is_a_target_error() -> None:
    answer = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"Content-Length: 0\r\n\r\n"
    for url in _raw_server(answer, []):
        target = Target(url, timeout=5)
        with pytest.raises(TargetError):
            target.request("GET", "/many")
        target.close()
