"""Reach a target: start the ICSS reference as a subprocess (``icss certify`` with no target), or connect to a URL.

The harness still speaks to it over HTTP only: it runs ``python -m icss.reference serve`` on a
free local port with a SQLite file in a temporary folder, and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from ._context import Credentials
from ._target import Target


@dataclass(frozen=True)
class EmbeddedReference:
    url: str
    admin_client_id: str
    admin_client_secret: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def embedded_reference(
    startup_timeout: float = 30.0, extra_env: dict[str, str] | None = None
) -> Iterator[EmbeddedReference]:
    """Run the reference service for the duration of the ``with`` block."""
    secret = secrets.token_urlsafe(24)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="icss-embedded-") as folder:
        env = {**os.environ, "ICSS_BOOTSTRAP_SECRET": secret, "ICSS_DATA_DIR": folder, **(extra_env or {})}
        env.pop("ICSS_DATABASE_URL", None)
        log = Path(folder) / "reference.log"
        with log.open("w") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "icss.reference", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                deadline = time.monotonic() + startup_timeout
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"the reference exited during start-up:\n{log.read_text()[-2000:]}")
                    try:
                        if httpx.get(f"{url}/icss/v1/health", timeout=1.0).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the reference did not answer within {startup_timeout:g} s")
                    time.sleep(0.1)
                yield EmbeddedReference(url=url, admin_client_id="bootstrap", admin_client_secret=secret)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@dataclass(frozen=True)
class Connection:
    """What a run needs to reach its target: the client, how to create sandboxes, and whether embedded."""

    target: Target
    credentials: Credentials | None
    embedded: bool


@contextmanager
def connect(url: str | None, credentials: Path | None = None, *, timeout: float = 10.0) -> Iterator[Connection]:
    """The target at ``url`` (with the admin client read from ``credentials``), or — for ``None`` or
    ``"embedded"`` — the reference started for the duration of the block. Both front ends use this."""
    with ExitStack() as stack:
        creds: Credentials | None
        if url in (None, "embedded"):
            ref = stack.enter_context(embedded_reference())
            url, creds, embedded = ref.url, Credentials(ref.admin_client_id, ref.admin_client_secret), True
        else:
            creds = Credentials.from_mapping(json.loads(credentials.read_text())) if credentials else None
            embedded = False
        target = Target(url, timeout=timeout)
        stack.callback(target.close)
        yield Connection(target, creds, embedded)
