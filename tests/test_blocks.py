"""Block detection: 403 runs and WAF challenges per host, cool-down, and closing when every host blocks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from scrapy import Request, Spider, signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from tests.conftest import with_tribun_defaults
from tests.local_crawl import CDN_SETTINGS, CLOUDFRONT_403, CLOUDFRONT_403_HEADERS, PagesSpider, make_crawler
from tribun_crawler import settings as project_settings
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware, is_block_answer

BLOCKS = "tribun_crawler.middlewares.blocks.BlockDetectionMiddleware"
WWW = "www.tribunnews.com"
BANYUMAS = "banyumas.tribunnews.com"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def middleware_for(settings: dict[str, Any], clock: Clock | None = None) -> BlockDetectionMiddleware:
    """The middleware of a real crawler with its engine built but not started: its downloader slots are empty."""
    crawler = get_crawler(Spider, with_tribun_defaults({**CDN_SETTINGS, **settings}))
    crawler.engine = ExecutionEngine(crawler, lambda spider: None)
    built = BlockDetectionMiddleware.from_crawler(crawler)
    if clock is not None:
        built.clock = clock
    return built


@pytest.fixture
def middleware(clock: Clock) -> BlockDetectionMiddleware:
    """A multi-site run: www and banyumas have both been requested, so blocking one closes nothing."""
    built = middleware_for({"TRIBUN_BLOCK_THRESHOLD": 3, "TRIBUN_BLOCK_COOLDOWN": 600}, clock)
    built.process_request(Request(f"https://{WWW}/robots.txt"))
    built.process_request(Request(f"https://{BANYUMAS}/robots.txt"))
    return built


def article(host: str, n: int) -> Request:
    if host == WWW:
        return Request(f"https://{host}/nasional/{7731360 + n}/sidang-kabinet-paripurna-{n}?page=all")
    return Request(f"https://{host}/2024/06/20/pemkab-banyumas-gelar-rapat-{n}?page=all")


def cloudfront_403(request: Request) -> HtmlResponse:
    return HtmlResponse(request.url, status=403, headers=CLOUDFRONT_403_HEADERS, body=CLOUDFRONT_403, request=request)


def page(request: Request, status: int = 200, **headers: str) -> HtmlResponse:
    body = b'<html><body><div id="article"><h1 id="arttitle">Sidang Kabinet</h1></div></body></html>'
    return HtmlResponse(request.url, status=status, headers=headers, body=body, request=request)


SPIDER = Spider("tribun")


def answer(middleware: BlockDetectionMiddleware, request: Request, response: HtmlResponse) -> None:
    """Send ``request`` through the middleware, then tell it ``response`` came off the network."""
    middleware.process_request(request)
    middleware.response_downloaded(response, request, SPIDER)


def stat(middleware: BlockDetectionMiddleware, name: str) -> Any:
    return middleware.crawler.stats.get_value(name)


def test_a_run_of_403s_blocks_the_host_and_drops_its_requests(
    middleware: BlockDetectionMiddleware, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(2):
        request = article(WWW, n)
        answer(middleware, request, cloudfront_403(request))
    assert not middleware.is_blocked(WWW)

    with caplog.at_level(logging.INFO, logger="tribun_crawler.middlewares.blocks"):
        request = article(WWW, 2)
        answer(middleware, request, cloudfront_403(request))
        with pytest.raises(IgnoreRequest):
            middleware.process_request(article(WWW, 3))
        with pytest.raises(IgnoreRequest):
            middleware.process_request(Request(f"https://{WWW}/robots.txt"))
        middleware.process_request(article(BANYUMAS, 1))  # another host is not affected

    assert middleware.is_blocked(WWW)
    assert middleware.blocked_hosts() == [WWW]
    assert stat(middleware, f"tribun/blocked/{WWW}") == 1
    assert stat(middleware, f"tribun/block_dropped/{WWW}") == 2
    assert stat(middleware, f"tribun/block_dropped/{BANYUMAS}") is None
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert WWW in warnings[0].getMessage()
    assert "3 answers in a row" in warnings[0].getMessage()


@pytest.mark.parametrize("status", [200, 404, 500, 301])
def test_any_other_answer_ends_the_run(middleware: BlockDetectionMiddleware, status: int) -> None:
    for n in range(2):
        request = article(WWW, n)
        answer(middleware, request, cloudfront_403(request))
    request = article(WWW, 2)
    answer(middleware, request, page(request, status=status))
    for n in range(3, 5):
        request = article(WWW, n)
        answer(middleware, request, cloudfront_403(request))

    assert not middleware.is_blocked(WWW)
    assert stat(middleware, f"tribun/blocked/{WWW}") is None


def test_runs_are_counted_per_host(middleware: BlockDetectionMiddleware) -> None:
    for n in range(3):
        www, banyumas = article(WWW, n), article(BANYUMAS, n)
        answer(middleware, www, cloudfront_403(www))
        answer(middleware, banyumas, page(banyumas))

    assert middleware.is_blocked(WWW)
    assert not middleware.is_blocked(BANYUMAS)
    assert not middleware.every_host_blocked()
    assert middleware.closing is None


def test_after_the_cooldown_the_first_answer_decides(
    middleware: BlockDetectionMiddleware, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tribun_crawler.middlewares.blocks"):
        for n in range(3):
            request = article(WWW, n)
            answer(middleware, request, cloudfront_403(request))
        clock.now += 599
        with pytest.raises(IgnoreRequest):
            middleware.process_request(article(WWW, 3))

        clock.now += 2  # cool-down over: the next request goes out, and one more 403 blocks again at once
        request = article(WWW, 4)
        answer(middleware, request, cloudfront_403(request))
        assert middleware.is_blocked(WWW)
        assert stat(middleware, f"tribun/blocked/{WWW}") == 2

        clock.now += 601  # over again: this time the host answers
        request = article(WWW, 5)
        answer(middleware, request, page(request))
        assert not middleware.is_blocked(WWW)
        middleware.process_request(article(WWW, 6))

    messages = [(record.levelno, record.getMessage()) for record in caplog.records]
    assert [level for level, _ in messages].count(logging.WARNING) == 1
    assert any(level == logging.INFO and "still blocks" in text for level, text in messages)
    assert any(level == logging.INFO and "answers again" in text for level, text in messages)


@pytest.mark.parametrize(
    ("status", "headers", "blocked"),
    [
        (403, {}, True),
        (405, {"x-amzn-waf-action": "captcha"}, True),  # AWS WAF CAPTCHA interstitial
        (202, {"x-amzn-waf-action": "challenge"}, True),  # AWS WAF silent challenge
        (403, {"cf-mitigated": "challenge"}, True),
        (200, {"cf-mitigated": "challenge"}, True),
        (200, {}, False),
        (404, {}, False),
        (503, {}, False),
        (429, {"Retry-After": "30"}, False),
    ],
)
def test_block_answers(status: int, headers: dict[str, str], blocked: bool) -> None:
    request = article(WWW, 1)
    assert is_block_answer(page(request, status=status, **headers), frozenset({403})) is blocked


def test_answers_are_counted_from_the_response_downloaded_signal(middleware: BlockDetectionMiddleware) -> None:
    for n in range(3):
        request = article(WWW, n)
        middleware.process_request(request)
        middleware.crawler.signals.send_catch_log(
            signals.response_downloaded, response=cloudfront_403(request), request=request, spider=SPIDER
        )
    assert middleware.is_blocked(WWW)


def test_the_block_codes_are_a_setting() -> None:
    middleware = middleware_for({"TRIBUN_BLOCK_THRESHOLD": 1, "TRIBUN_BLOCK_HTTP_CODES": [403, 451]})
    middleware.process_request(Request(f"https://{BANYUMAS}/robots.txt"))
    request = article(WWW, 1)
    answer(middleware, request, page(request, status=451))
    assert middleware.is_blocked(WWW)


# --- In a crawl ---------------------------------------------------------------------------------------------


def crawl(blocked_hosts: list[str], urls: list[str], threshold: int = 3) -> Crawler:
    settings = {
        **CDN_SETTINGS,
        "TEST_CDN_BLOCKED_HOSTS": blocked_hosts,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOADER_MIDDLEWARES": {BLOCKS: project_settings.DOWNLOADER_MIDDLEWARES[BLOCKS]},
        "TRIBUN_BLOCK_THRESHOLD": threshold,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        # Any delay: without one Scrapy's downloader can start a host's next request before the previous one
        # is counted as transferring, and let two go at once despite a concurrency of 1.
        "DOWNLOAD_DELAY": 0.01,
        "DOWNLOAD_DELAY_JITTER": 0,
    }
    crawler = make_crawler(PagesSpider, settings)
    asyncio.run(crawler.crawl_async(urls=urls))
    return crawler


def urls_of(host: str, count: int = 10) -> list[str]:
    return [article(host, n).url for n in range(count)]


def test_the_spider_closes_as_blocked_when_every_host_blocks(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        crawler = crawl([WWW, BANYUMAS], urls_of(WWW) + urls_of(BANYUMAS))

    stats = crawler.stats.get_stats()
    assert stats["finish_reason"] == "blocked"
    for host in (WWW, BANYUMAS):
        assert stats[f"tribun/blocked/{host}"] == 1
        # robots.txt's 403 counts: it and two article pages make the run of 3, and nothing else goes out.
        assert stats[f"test/cdn_hits/{host}"] == 3
    # The 8 other articles of each host were waiting in its download slot (dropped there, counted), or, on a
    # loaded machine, one may still have been in the scheduler when the last block closed the run: never handed
    # out. Every one of the 16 is one or the other.
    never_handed_out = stats["scheduler/enqueued"] - stats["scheduler/dequeued"]
    dropped = [stats[f"tribun/block_dropped/{host}"] for host in (WWW, BANYUMAS)]
    assert sum(dropped) + never_handed_out == 16
    assert min(dropped) > 0
    assert stats.get("item_scraped_count", 0) == 0
    assert any("Every host of this run is blocking the crawler" in record.getMessage() for record in caplog.records)


def test_the_crawl_goes_on_with_the_hosts_that_answer() -> None:
    # Interleaved, so banyumas is part of the run before www blocks (the in-memory CDN answers in no time).
    crawler = crawl([WWW], [url for pair in zip(urls_of(WWW), urls_of(BANYUMAS), strict=True) for url in pair])

    stats = crawler.stats.get_stats()
    assert stats["finish_reason"] == "finished"
    assert stats[f"tribun/blocked/{WWW}"] == 1
    assert stats[f"test/cdn_hits/{WWW}"] == 3
    assert stats[f"tribun/block_dropped/{WWW}"] == 8
    assert stats[f"test/cdn_hits/{BANYUMAS}"] == 11  # robots.txt and 10 articles
    assert stats["item_scraped_count"] == 10
    assert f"tribun/blocked/{BANYUMAS}" not in stats


def test_project_settings_check_blocks_last_on_the_way_in() -> None:
    # process_request runs from the lowest number up. After the last built-in one (HttpCache, 900) nothing can
    # hold a request between the block check and the host's download slot.
    assert project_settings.DOWNLOADER_MIDDLEWARES[BLOCKS] > 900
    assert project_settings.TRIBUN_BLOCK_THRESHOLD >= 2
    assert project_settings.TRIBUN_BLOCK_COOLDOWN > 0
