"""A replica of a small Tribun network on 127.0.0.1, served as an HTTP(S) proxy, for end-to-end crawls.

    with start_replica(tmp_path, generation=1) as replica:
        subprocess.run(["scrapy", "crawl", "tribun", ...], env={**os.environ, **replica.env}, check=True)
        log = replica.requests()
        net = replica.network()
        assert not net.forbidden_requests(log)
        assert not net.duplicate_fetches(log)

``network.py`` holds the content (articles per generation, expected crawl results, trap URLs), ``pages.py``
renders it, ``server.py`` is the proxy. The TLS certificate ``cert.pem``/``key.pem`` in this folder is a
test-only self-signed ``*.tribunnews.com`` pair valid for 20 years, regenerated with:

    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7305 -keyout key.pem -out cert.pem \\
        -subj "/O=tribun_crawler test replica/CN=*.tribunnews.com" \\
        -addext "subjectAltName=DNS:*.tribunnews.com,DNS:tribunnews.com"
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from tests.replica.network import Network, build_network, default_today

REPO_ROOT = Path(__file__).resolve().parents[2]
#: How long the server may take to print READY before start-up counts as failed.
STARTUP_TIMEOUT = 30.0


class Replica:
    """A running replica server (a subprocess); stop it with :meth:`stop` or use it as a context manager."""

    def __init__(
        self,
        *,
        process: subprocess.Popen[str],
        port: int,
        log_path: Path,
        generation: int,
        today: date,
        stderr: IO[str],
    ) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self.generation = generation
        self.today = today
        self._stderr = stderr

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that send a crawler's traffic through the replica (merge into os.environ)."""
        url = self.proxy_url
        return {
            "http_proxy": url,
            "https_proxy": url,
            "HTTP_PROXY": url,
            "HTTPS_PROXY": url,
            "no_proxy": "",
            "NO_PROXY": "",
        }

    def network(self) -> Network:
        """The content this server serves (same generation and date)."""
        return build_network(self.generation, self.today)

    def requests(self) -> list[dict[str, Any]]:
        """Every request logged so far, oldest first (CONNECT tunnels included, ``method == "CONNECT"``)."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines(keepends=True)
        return [json.loads(line) for line in lines if line.endswith("\n") and line.strip()]

    def stop(self) -> int | None:
        """SIGTERM the server and wait for it; returns its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._stderr.close()
        return self.process.returncode

    def __enter__(self) -> Replica:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_replica(
    tmp_path: Path,
    generation: int = 1,
    *,
    block: Iterable[str] = (),
    crawl_delay: Mapping[str, float] | None = None,
    today: date | None = None,
    log_name: str = "replica-requests.jsonl",
    redesign_since: date | None = None,
    redesign: Mapping[str, int] | None = None,
    hostile: bool = False,
    sitemap_index: bool = False,
    latency: float = 0.0,
    validators: bool = False,
) -> Replica:
    """Start ``python -m tests.replica.server`` on a free port and wait for READY.

    ``today`` fixes the network's date (default: :func:`~tests.replica.network.default_today`); start both
    generations of an incremental test with the same ``today``. ``redesign_since`` serves the articles published
    from that date on in a new template (``--redesign-since``); ``redesign`` switches each host named to that
    template after it has served so many article pages (``--redesign HOST=N``, a change deployed mid-crawl);
    ``hostile`` adds the hostile hosts (``--hostile``, ``hostile.py``); ``sitemap_index`` the articles of the
    host whose sitemaps are only at /sitemap.xml (``--sitemap-index``, ``sitemap_index.py``). The request log and
    the server's stderr go to ``tmp_path``. ``latency`` delays every answer by that many seconds
    (``--latency``), so concurrent workers overlap as they do against the real site. ``validators`` puts ETags
    on discovery pages and answers 304 when one is unchanged (``--validators``).
    """
    day = today or default_today()
    log_path = tmp_path / log_name
    command = [
        sys.executable,
        "-m",
        "tests.replica.server",
        "--port",
        "0",
        "--log",
        str(log_path),
        "--generation",
        str(generation),
        "--today",
        day.isoformat(),
    ]
    for host in block:
        command += ["--block", host]
    for host, seconds in (crawl_delay or {}).items():
        command += ["--crawl-delay", f"{host}={seconds}"]
    if redesign_since is not None:
        command += ["--redesign-since", redesign_since.isoformat()]
    for host, served in (redesign or {}).items():
        command += ["--redesign", f"{host}={served}"]
    if hostile:
        command.append("--hostile")
    if sitemap_index:
        command.append("--sitemap-index")
    if latency:
        command += ["--latency", str(latency)]
    if validators:
        command.append("--validators")
    return launch(command, log_path, generation=generation, today=day)


def launch(command: list[str], log_path: Path, *, generation: int = 1, today: date | None = None) -> Replica:
    """Start a replica server command (one that prints ``READY <port>``), its stderr beside ``log_path``."""
    day = today or default_today()
    stderr_path = log_path.with_name(f"{log_path.stem}.stderr")
    stderr = stderr_path.open("w", encoding="utf-8")
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(STARTUP_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("READY "):
        process.kill()
        process.wait()
        stderr.close()
        raise RuntimeError(f"replica server did not start: {line!r}\n{stderr_path.read_text()}")
    return Replica(
        process=process,
        port=int(line.split()[1]),
        log_path=log_path,
        generation=generation,
        today=day,
        stderr=stderr,
    )
