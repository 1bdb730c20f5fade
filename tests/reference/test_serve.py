"""``icss-reference serve`` starts on a fresh data folder with no configuration at all."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command() -> list[str]:
    script = shutil.which("icss-reference", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "icss.reference"]


def test_serve_on_a_fresh_data_dir(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICSS_")}
    env["HOME"] = str(tmp_path)  # nothing to find in a user's folders either
    server = subprocess.Popen(
        [*_command(), "serve", "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/icss/v1"
    try:
        deadline = time.monotonic() + 60  # generous: a loaded CI machine imports slowly
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health is not None, "the server did not answer within 60 s"
        assert health.status_code == 200
        assert health.json()["status"] == "pass"
        spec = httpx.get(f"{base}/openapi.json", timeout=5)
        assert spec.status_code == 200
        assert spec.json()["openapi"].startswith("3.1")
        assert (data / "keys.json").exists()
        assert (data / "keys.json").stat().st_mode & 0o077 == 0
        assert (data / "icss-reference.sqlite3").exists()
    finally:
        server.terminate()
        try:
            output = server.communicate(timeout=15)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0].decode(errors="replace")
    assert "Traceback" not in output, output
