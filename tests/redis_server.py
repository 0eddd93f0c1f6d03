"""A redis-server of the tests' own: started on 127.0.0.1 on a free port, nothing saved to disk, stopped after.

Use :func:`redis_server` in a session fixture::

    @pytest.fixture(scope="session")
    def own_redis_url(tmp_path_factory):
        yield from redis_server(tmp_path_factory.mktemp("redis"))

It skips the requesting tests when ``redis-server`` is not on PATH.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

#: How long a fresh server gets to accept connections before the tests give up on it.
STARTUP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {process.returncode}")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        client.close()


def redis_executable() -> str:
    """``redis-server``'s path; skips the requesting test when it is not installed (fails in CI)."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "redis-server is not on PATH (apt-get install redis-server)"
        # CI installs redis-server and sets this, so the Redis tests can never be skipped there unnoticed.
        if os.environ.get("TRIBUN_TESTS_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return executable


class RedisProcess:
    """A redis-server that a test can stop and start again on the same port (Redis restarting under a crawl).

    ``appendonly``: keep the data in an append-only file in ``folder`` (fsync every write), so a restart finds
    it again, as a deployment's Redis should (docs/operations.md); without it a restart empties the server.
    """

    def __init__(self, folder: Path, *, appendonly: bool = False) -> None:
        self.executable = redis_executable()
        self.folder = folder
        self.appendonly = appendonly
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [
                self.executable,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--save", "",
                *persistence,
                "--dir", str(self.folder),
                "--daemonize", "no",
                "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_ready(self.url, self.process)

    def stop(self) -> None:
        """Stop the server (SIGTERM: with the append-only file, everything written so far is kept)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def redis_server(folder: Path) -> Iterator[str]:
    """Run a redis-server while the generator is suspended; yields its URL (database 0)."""
    server = RedisProcess(folder)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()
