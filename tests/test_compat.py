"""``tribun_crawler.compat``: what it relies on in Scrapy still holds (a Scrapy upgrade that breaks it fails here).

The download runs in a process of its own, with the asyncio reactor ``scrapy crawl`` uses, through Scrapy's real
``HTTP11DownloadHandler``, against a server on 127.0.0.1 that accepts the connection and never answers.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.crawl import REPO_ROOT, crawl_env

SCRIPT = r"""
import asyncio, json, socket, time

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy import Request, Spider
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler
from twisted.internet import reactor

from tribun_crawler.compat import cancel_http11_downloads

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
port = server.getsockname()[1]
handler = HTTP11DownloadHandler.from_crawler(get_crawler(Spider, {"DOWNLOAD_TIMEOUT": 30}))
result = {}


async def download(request):
    started = time.monotonic()
    try:
        await handler.download_request(request)
        return ("answered", time.monotonic() - started)
    except Exception as exc:
        return (type(exc).__name__, time.monotonic() - started)


async def main():
    cancelled = Request(f"http://127.0.0.1:{port}/cancelled")
    kept = Request(f"http://127.0.0.1:{port}/kept")
    tasks = [asyncio.ensure_future(download(cancelled)), asyncio.ensure_future(download(kept))]
    await asyncio.sleep(0.5)  # both connected, both waiting for an answer
    result["count"] = cancel_http11_downloads([cancelled])
    done, _ = await asyncio.wait(tasks, timeout=3)
    result["cancelled"] = tasks[0].result() if tasks[0] in done else None
    result["kept_running"] = not tasks[1].done()
    tasks[1].cancel()
    result["nothing_in_flight"] = cancel_http11_downloads([Request(f"http://127.0.0.1:{port}/never-asked")])


deferred_from_coro(main()).addBoth(lambda _: reactor.stop())
reactor.run()
print(json.dumps(result))
"""


def test_cancel_http11_downloads_cancels_exactly_the_downloads_asked_for() -> None:
    process = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO_ROOT,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])

    assert result["count"] == 1, (
        "Scrapy's HTTP/1.1 handler no longer arms its download timeout as reactor.callLater(timeout, d.cancel) "
        "after d.addBoth(_cb_timeout, request, …): update tribun_crawler/compat.py for this Scrapy version"
    )
    error, seconds = result["cancelled"]
    # Cancelled while waiting for the answer: Twisted's client reports a response never received.
    assert error == "DownloadFailedError"
    assert seconds < 2  # cancelled at once, not at DOWNLOAD_TIMEOUT (30 s)
    assert result["kept_running"] is True
    assert result["nothing_in_flight"] == 0
