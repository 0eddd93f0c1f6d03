"""``tribun_crawler.compat``: what it relies on in Scrapy still holds (a Scrapy upgrade that breaks it fails here).

These tests reach into Scrapy's private names on purpose: they check that compat.py's accesses still mean what
it assumes. For the cancelled download, the download runs in a process of its own, with the asyncio reactor
``scrapy crawl`` uses, through Scrapy's real
``HTTP11DownloadHandler``, against a server on 127.0.0.1 that accepts the connection and never answers.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from aiohttp import web
from scrapy import Request, Spider, signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter
from scrapy.http import Response
from scrapy.utils import _compression
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from tests.conftest import with_tribun_defaults
from tests.crawl import REPO_ROOT, crawl_env
from tests.local_crawl import LocalSite, PagesSpider, html, make_crawler
from tribun_crawler.compat import (
    DECOMPRESSION_ERRORS,
    download_slot,
    feed_uris,
    hold_slot,
    requests_in_flight,
    requests_in_progress,
    slot_busy,
    space_new_slots,
    space_slot,
    take_waiting_requests,
)

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


# --- Download slots, feeds, decoders: in process, on Scrapy's real objects ----------------------------------------


def built_crawler(settings: dict[str, Any] | None = None) -> Crawler:
    """A crawler with its engine (and so its downloader) built, not started."""
    crawler = get_crawler(Spider, with_tribun_defaults({"DOWNLOAD_DELAY": 1.0, **(settings or {})}))
    crawler.engine = ExecutionEngine(crawler, lambda spider: None)
    return crawler


def test_new_slots_of_a_host_are_spaced_and_found_by_key() -> None:
    async def scenario() -> None:
        crawler = built_crawler()
        downloader = crawler.engine.downloader
        request = Request("https://makassar.tribunnews.com/2024/06/20/banjir")
        key = downloader.get_slot_key(request)

        space_new_slots(crawler, key, 7.0)
        assert download_slot(crawler, key) is None  # Scrapy creates slots on demand
        _, slot = downloader._get_slot(request)  # how Scrapy creates the slot of a request it is about to download

        assert download_slot(crawler, key) is slot
        assert (slot.delay, slot.jitter) == (7.0, 0.0), "Scrapy no longer builds a new slot from per_slot_settings"
        space_slot(slot, 3.0)
        assert (slot.delay, slot.jitter) == (7.0, 0.0)  # spacing only grows
        space_slot(slot, 9.0)
        assert slot.download_delay() == 9.0
        downloader.close()

    asyncio.run(scenario())


def test_a_held_slot_keeps_its_requests_waiting_where_they_can_be_taken() -> None:
    async def scenario() -> dict[str, Any]:
        crawler = built_crawler()
        downloader = crawler.engine.downloader
        held = Request("https://makassar.tribunnews.com/2024/06/20/banjir")
        other = Request("https://makassar.tribunnews.com/2024/06/20/macet")
        _, slot = downloader._get_slot(held)
        hold_slot(slot, 60.0, monotonic())
        hold_slot(slot, 1.0, monotonic())  # a shorter hold leaves the longer one
        deferreds: list[Deferred[Any]] = [Deferred(), Deferred()]
        slot.queue.extend([(held, deferreds[0]), (other, deferreds[1])])
        downloader._process_queue(slot)  # what the downloader does with a slot's queue
        busy_while_waiting = slot_busy(crawler, "makassar.tribunnews.com")
        result = {
            "still_waiting": [request.url for request, _ in slot.queue],
            "held_for": slot.lastseen - monotonic(),
            "in_flight": requests_in_flight(crawler),
        }
        taken = take_waiting_requests(crawler, lambda request: request is held)
        result["taken"] = [(request.url, deferred) for request, deferred in taken]
        result["left"] = [request.url for request, _ in slot.queue]
        result["busy"] = [busy_while_waiting, slot_busy(crawler, "makassar.tribunnews.com")]
        slot.queue.clear()
        result["busy"].append(slot_busy(crawler, "makassar.tribunnews.com"))
        if slot.latercall is not None:
            slot.latercall.cancel()
        return result

    result = asyncio.run(scenario())
    assert result["still_waiting"] == [
        "https://makassar.tribunnews.com/2024/06/20/banjir",
        "https://makassar.tribunnews.com/2024/06/20/macet",
    ], "Scrapy's downloader no longer holds a slot's queue back until Slot.lastseen + delay"
    assert 58 < result["held_for"] <= 60
    assert result["in_flight"] == []
    assert [url for url, _ in result["taken"]] == ["https://makassar.tribunnews.com/2024/06/20/banjir"]
    assert isinstance(result["taken"][0][1], Deferred)
    assert result["left"] == ["https://makassar.tribunnews.com/2024/06/20/macet"]
    assert result["busy"] == [True, True, False]


def test_a_slot_is_busy_while_its_request_downloads_and_free_when_it_left() -> None:
    """The shared pacing claims a host's turn only when this worker's slot is free, and ends the host's exchange
    at ``request_left_downloader``: by then the slot must be free, while the response arrives it must not."""
    seen: list[tuple[str, bool]] = []

    async def scenario() -> None:
        async with LocalSite(lambda request: html()) as site:
            crawler = make_crawler(PagesSpider, {"DOWNLOAD_DELAY": 0})

            def note(name: str) -> Any:
                return lambda request, **_: seen.append((name, slot_busy(crawler, request.meta["download_slot"])))

            crawler.signals.connect(note("downloaded"), signal=signals.response_downloaded, weak=False)
            crawler.signals.connect(note("left"), signal=signals.request_left_downloader, weak=False)
            await crawler.crawl_async(urls=[site.url("/berita/1")])

    asyncio.run(scenario())
    assert seen == [("downloaded", True), ("left", False)]


def test_the_feed_uris_of_a_run_are_read_from_the_feed_exporter(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        feed = tmp_path / "%(name)s" / "out.jsonl"
        crawler = get_crawler(Spider, {"FEEDS": {str(feed): {"format": "jsonlines"}}})
        crawler.spider = crawler._create_spider("tribun")
        exporter = crawler.get_extension(FeedExporter)
        assert exporter is not None
        exporter.open_spider(crawler.spider)
        return feed_uris(crawler)

    assert asyncio.run(scenario()) == [str(tmp_path / "tribun" / "out.jsonl")]
    assert (
        feed_uris(get_crawler(Spider, {"FEEDS": {}, "EXTENSIONS": {"scrapy.extensions.feedexport.FeedExporter": None}}))
        == []
    )


def test_the_decoder_errors_are_those_scrapy_decodes_brotli_and_zstd_with() -> None:
    brotli_error, zstd_error = DECOMPRESSION_ERRORS
    assert all(isinstance(error, type) and issubclass(error, BaseException) for error in DECOMPRESSION_ERRORS)
    with pytest.raises(brotli_error):
        _compression._unbrotli(b"\x00not brotli at all\xff" * 4)
    with pytest.raises(zstd_error):
        _compression._unzstd(b"\x28\xb5\x2f\xfd" + b"\xff" * 20)  # a zstd magic number, then no valid frame


class InProgressSpider(Spider):
    """Notes, at each step of a page's way, whether the engine still holds the request the scheduler gave."""

    name = "in_progress"

    def __init__(self, base: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base
        self.seen: list[tuple[str, bool]] = []

    async def start(self) -> AsyncIterator[Request]:
        yield Request(f"{self.base}/redirected", callback=self.parse)

    def parse(self, response: Response) -> Iterator[Any]:
        held = requests_in_progress(self.crawler)
        # The request this answer is to (the redirect's), and not the redirected one: that one was done.
        self.seen.append(("callback", response.request in held and {r.url.rsplit("/", 1)[1] for r in held} == {"page"}))
        yield {"url": response.url}


class NotingPipeline:
    """Item pipelines and the feed come before the engine lets a request go."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NotingPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        await asyncio.sleep(0.05)
        spider = self.crawler.spider
        assert isinstance(spider, InProgressSpider)
        held = {request.url.rsplit("/", 1)[1] for request in requests_in_progress(self.crawler)}
        spider.seen.append(("pipeline", held == {"page"}))
        return item


def test_the_engine_holds_a_request_until_its_answer_is_through_the_callback_and_pipelines() -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path == "/redirected":
            raise web.HTTPMovedPermanently("/page")
        return web.Response(text="<html><body>ok</body></html>", content_type="text/html")

    async def scenario() -> tuple[InProgressSpider, list[bool]]:
        idle_held: list[bool] = []
        async with LocalSite(answer) as site:
            crawler = make_crawler(
                InProgressSpider, {"ITEM_PIPELINES": {f"{__name__}.NotingPipeline": 100}, "CONCURRENT_REQUESTS": 1}
            )

            def idle(spider: Spider) -> None:
                idle_held.append(bool(requests_in_progress(crawler)))

            crawler.signals.connect(idle, signal=signals.spider_idle)
            await crawler.crawl_async(base=site.base)
            assert isinstance(crawler.spider, InProgressSpider)
            return crawler.spider, idle_held

    spider, idle_held = asyncio.run(scenario())
    # The redirected request was let go once its redirect was queued; the page's was held through its callback
    # and its item's pipeline, and nothing is held once the engine is idle.
    assert spider.seen == [("callback", True), ("pipeline", True)]
    assert idle_held == [False]
