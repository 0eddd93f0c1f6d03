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


def redis_server(folder: Path) -> Iterator[str]:
    """Run a redis-server while the generator is suspended; yields its URL (database 0)."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "redis-server is not on PATH (apt-get install redis-server)"
        # CI installs redis-server and sets this, so the Redis tests can never be skipped there unnoticed.
        if os.environ.get("TRIBUN_TESTS_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(folder),
            "--daemonize", "no",
            "--loglevel", "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_until_ready(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
