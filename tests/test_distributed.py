"""scrapy-redis wiring: the switch, the shared dupefilter's fingerprints, shared runs, and workers sharing a crawl."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis
from aiohttp import web
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from scrapy_redis.dupefilter import RFPDupeFilter

from tests.conftest import with_tribun_defaults
from tests.local_crawl import CDN_SETTINGS, LocalSite, html, make_crawler
from tribun_crawler import settings as project_settings
from tribun_crawler.distributed import (
    DistributedQueue,
    SharedDupeFilter,
    SharedRun,
    SharedScheduler,
    distributed_enabled,
)

ADDON = "tribun_crawler.distributed.DistributedQueue"
SHARED_SCHEDULER = "tribun_crawler.distributed.SharedScheduler"
TRIBUN_FINGERPRINTER = "tribun_crawler.fingerprint.TribunRequestFingerprinter"

# Tests that use the `emptied_redis_url` or `server` fixtures (conftest) share a redis-server of the module's own.


# --- The switch ---------------------------------------------------------------------------------------------


def scheduler_with(settings: dict[str, Any]) -> str:
    crawler = get_crawler(Spider, with_tribun_defaults({"ADDONS": {ADDON: 0}, **settings}))
    return str(crawler.settings["SCHEDULER"])


def test_without_redis_nothing_changes() -> None:
    assert scheduler_with({"REDIS_URL": None}) == "scrapy.core.scheduler.Scheduler"


def test_redis_url_switches_to_the_shared_scheduler() -> None:
    assert scheduler_with({"REDIS_URL": "redis://127.0.0.1:6390/0"}) == SHARED_SCHEDULER


@pytest.mark.parametrize(
    ("flag", "url", "shared"),
    [("1", None, True), ("on", "redis://127.0.0.1:6390/0", True), ("0", "redis://127.0.0.1:6390/0", False)],
)
def test_tribun_distributed_overrides_redis_url(flag: str, url: str | None, shared: bool) -> None:
    scheduler = scheduler_with({"TRIBUN_DISTRIBUTED": flag, "REDIS_URL": url})
    assert (scheduler == SHARED_SCHEDULER) is shared


def test_a_wrong_switch_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="TRIBUN_DISTRIBUTED"):
        distributed_enabled(get_crawler(Spider, {"TRIBUN_DISTRIBUTED": "maybe"}).settings)


def test_the_project_settings_see_command_line_values() -> None:
    # As `scrapy crawl tribun -s REDIS_URL=…` builds them: project settings, then the command line on top;
    # add-ons run after both, so the switch sees `-s`.
    assert ADDON in project_settings.ADDONS
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("REDIS_URL", None, priority="cmdline")
    settings.set("TRIBUN_DISTRIBUTED", "", priority="cmdline")
    DistributedQueue().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"

    settings.set("REDIS_URL", "redis://127.0.0.1:6390/0", priority="cmdline")
    DistributedQueue().update_settings(settings)
    assert settings["SCHEDULER"] == SHARED_SCHEDULER


class HubSpider(Spider):
    """Reads a hub page and the articles it links to, like the tribun spider's listings and articles."""

    name = "hubs"

    def __init__(self, hub: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hub = hub

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.hub, callback=self.parse_hub)

    def parse_hub(self, response: Response) -> Iterator[Request]:
        for href in response.css("ul#latestul h3 a::attr(href)").getall():
            yield Request(response.urljoin(href), callback=self.parse_article, priority=100)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {"url": response.url, "headline": response.css("h1#arttitle::text").get()}


# --- The shared dupefilter ----------------------------------------------------------------------------------


def crawler_for(emptied_redis_url: str, **settings: Any) -> Crawler:
    """A crawler that is not run: its downloader (built by some tests) gets the in-memory CDN, no sockets."""
    return get_crawler(
        HubSpider,
        with_tribun_defaults(
            {
                **CDN_SETTINGS,
                "REDIS_URL": emptied_redis_url,
                "REQUEST_FINGERPRINTER_CLASS": TRIBUN_FINGERPRINTER,
                **settings,
            }
        ),
    )


ARTICLE = "https://www.tribunnews.com/internasional/2024/06/20/korea-utara-kirim-balon-sampah-ke-korea-selatan"
VARIANTS = [
    "https://m.tribunnews.com/amp/internasional/2024/06/20/korea-utara-kirim-balon-sampah-ke-korea-selatan",
    f"{ARTICLE}?utm_source=facebook&utm_medium=social#komentar",
    f"{ARTICLE}/",
]


@pytest.mark.redis
def test_the_shared_dupefilter_fingerprints_like_the_project(emptied_redis_url: str) -> None:
    crawler = crawler_for(emptied_redis_url)
    dupefilter = SharedDupeFilter.from_crawler(crawler)
    spider = Spider("tribun")

    assert not dupefilter.request_seen(Request(ARTICLE))
    for variant in VARIANTS:
        request = Request(variant)
        assert dupefilter.request_seen(request), variant
        dupefilter.log(request, spider)
    assert not dupefilter.request_seen(Request(ARTICLE + "?page=2"))  # another page of the article
    assert not dupefilter.request_seen(Request("https://www.tribunnews.com/nasional/7731367/sidang-kabinet"))
    assert crawler.stats.get_value("dupefilter/filtered") == 3


@pytest.mark.redis
def test_scrapy_redis_own_fingerprint_misses_the_variants(emptied_redis_url: str) -> None:
    # Why the subclass exists: scrapy-redis hashes the canonical URL, so an m./AMP copy is new to it.
    crawler = crawler_for(emptied_redis_url)
    plain = RFPDupeFilter.from_crawler(crawler)
    assert not plain.request_seen(Request(ARTICLE))
    assert not plain.request_seen(Request(VARIANTS[0]))


# --- Shared runs --------------------------------------------------------------------------------------------


@pytest.mark.redis
def test_workers_join_one_run_and_the_last_one_cleans_up(server: redis.Redis) -> None:
    first = SharedRun(server, "tribun", "worker-a", heartbeat=5.0)
    second = SharedRun(server, "tribun", "worker-b", heartbeat=5.0)

    assert first.join() is True
    assert second.join() is False
    assert second.run_id == first.run_id
    assert server.get("tribun:run") == first.run_id.encode()

    server.sadd(first.key("dupefilter"), "fingerprint")
    server.zadd(first.key("requests"), {"request": 0})
    first.beat(busy=True)
    assert second.others_busy() == 1
    assert first.others_busy() == 0  # itself does not count
    first.beat(busy=False)
    assert second.others_busy() == 0

    assert first.leave() is False  # worker-b is still in the run
    assert server.exists(first.key("dupefilter"), first.key("requests")) == 2
    assert second.leave() is True
    assert server.keys("tribun:*") == []

    # The next run starts clean, with an id of its own.
    third = SharedRun(server, "tribun", "worker-c", heartbeat=5.0)
    assert third.join() is True
    assert third.run_id != first.run_id


@pytest.mark.redis
def test_a_run_whose_workers_all_crashed_is_replaced(server: redis.Redis) -> None:
    crashed = SharedRun(server, "tribun", "worker-a", heartbeat=5.0)
    crashed.join()
    server.sadd(crashed.key("dupefilter"), "fingerprint")
    # Its last heartbeat was long ago (three missed ones are enough).
    server.zadd(crashed.key("workers"), {"worker-a": 1_000_000})

    fresh = SharedRun(server, "tribun", "worker-b", heartbeat=5.0)
    assert fresh.join() is True
    assert fresh.run_id != crashed.run_id
    assert server.exists(crashed.key("dupefilter"), crashed.key("workers")) == 0


@pytest.mark.redis
def test_run_keys_expire_so_nothing_is_left_for_good(server: redis.Redis) -> None:
    run = SharedRun(server, "tribun", "worker-a", heartbeat=5.0)
    run.join()
    server.sadd(run.key("dupefilter"), "fingerprint")
    run.beat(busy=True)
    for key in ("tribun:run", run.key("dupefilter"), run.key("workers"), run.key("busy")):
        assert 0 < server.ttl(key) <= 7 * 24 * 3600, key


# --- The shared scheduler -----------------------------------------------------------------------------------


def opened_scheduler(crawler: Crawler) -> SharedScheduler:
    """The scheduler of a real crawler whose engine is built but not started, opened as the engine would."""
    crawler.engine = ExecutionEngine(crawler, lambda spider: None)
    crawler.spider = HubSpider.from_crawler(crawler, hub="https://www.tribunnews.com/internasional")
    scheduler = SharedScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    return scheduler


@pytest.mark.redis
def test_two_schedulers_share_one_queue_and_one_dupefilter(emptied_redis_url: str, server: redis.Redis) -> None:
    async def scenario() -> None:
        worker_a = opened_scheduler(crawler_for(emptied_redis_url, SCHEDULER=SHARED_SCHEDULER))
        worker_b = opened_scheduler(crawler_for(emptied_redis_url, SCHEDULER=SHARED_SCHEDULER))
        assert worker_a.run is not None
        assert worker_b.run is not None
        assert worker_a.run.run_id == worker_b.run.run_id

        hub = Request("https://www.tribunnews.com/internasional", callback=worker_a.spider.parse_hub)
        assert worker_a.enqueue_request(hub) is True
        # Worker B yields the same start request: already in the run.
        assert worker_b.enqueue_request(hub.replace(callback=worker_b.spider.parse_hub)) is False
        assert worker_b.has_pending_requests()

        taken = worker_b.next_request()  # what A queued, B takes
        assert taken is not None
        assert taken.url == hub.url
        assert taken.callback == worker_b.spider.parse_hub
        assert not worker_a.has_pending_requests()
        assert worker_a.next_request() is None

        worker_a.close("finished")
        assert server.exists(worker_b.run.key("dupefilter")) == 1  # B still works in the run
        worker_b.close("finished")
        assert server.keys("hubs:*") == []

    asyncio.run(scenario())


@pytest.mark.redis
def test_an_idle_worker_closes_only_when_the_run_can_produce_nothing_more(emptied_redis_url: str) -> None:
    async def scenario() -> None:
        worker_a = opened_scheduler(crawler_for(emptied_redis_url, TRIBUN_DISTRIBUTED_IDLE_TIMEOUT=0))
        worker_b = opened_scheduler(crawler_for(emptied_redis_url, TRIBUN_DISTRIBUTED_IDLE_TIMEOUT=0))
        spider_a, spider_b = worker_a.spider, worker_b.spider

        # B queued a request: idle A stays open to take it.
        worker_b.enqueue_request(Request("https://www.tribunnews.com/nasional", callback=spider_b.parse_hub))
        with pytest.raises(DontCloseSpider):
            worker_a.spider_idle(spider_a)
        # B took it and works on it (it may queue more): A still stays open.
        assert worker_b.next_request() is not None
        with pytest.raises(DontCloseSpider):
            worker_a.spider_idle(spider_a)
        # B is done too and the queue is empty: nothing can come any more, both may close.
        worker_b.spider_idle(spider_b)
        worker_a.spider_idle(spider_a)

        # With an idle timeout, a worker first waits it out.
        patient = opened_scheduler(crawler_for(emptied_redis_url, TRIBUN_DISTRIBUTED_IDLE_TIMEOUT=3600))
        with pytest.raises(DontCloseSpider):
            patient.spider_idle(patient.spider)

        for scheduler in (worker_a, worker_b, patient):
            scheduler.close("finished")

    asyncio.run(scenario())


HUB_PAGE = """<html><body><div id="boxright_fix"><a href="/berita-populer">Berita Populer</a></div>
<ul id="latestul">{items}</ul></body></html>"""
HUB_ITEM = """<li class="art-list p1520"><a href="{href}"><img src="/thumb.jpg"></a>
<h3><a href="{href}" class="f20 ln24 fbo txt-oev-2">{title}</a></h3>
<h4><a href="/topic/korea-utara">Korea Utara</a></h4>
<time class="timeago" title="2024-01-23 17:01:36">32 menit lalu</time></li>"""


ARTICLES = [f"/internasional/2024/01/23/berita-{n}" for n in range(1, 9)]


def hub_site() -> LocalSite:
    def answer(request: web.Request) -> web.Response:
        if request.path == "/internasional":
            # Thumbnail links are relative without a leading slash, as on the site.
            items = "".join(HUB_ITEM.format(href=path.lstrip("/"), title=f"Berita {path}") for path in ARTICLES)
            return html(HUB_PAGE.format(items=items))
        if request.path in ARTICLES:
            return html(f'<html><body><h1 id="arttitle">Berita {request.path}</h1></body></html>')
        return html("<html><body>Halaman tidak ditemukan</body></html>", status=404)

    return LocalSite(answer)


def worker_settings(emptied_redis_url: str, idle_timeout: float = 0.5) -> dict[str, Any]:
    return {
        "ADDONS": {ADDON: 0},
        "REDIS_URL": emptied_redis_url,
        "TRIBUN_DISTRIBUTED_HEARTBEAT": 0.2,
        "TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": idle_timeout,
        "CONCURRENT_REQUESTS": 1,
        "DOWNLOAD_DELAY": 0.05,
    }


@pytest.mark.redis
@pytest.mark.slow
def test_workers_share_a_crawl_and_the_next_run_starts_over(emptied_redis_url: str, server: redis.Redis) -> None:
    async def scenario() -> tuple[list[Crawler], list[str], list[str]]:
        async with hub_site() as site:
            hub = site.url("/internasional")
            workers = [make_crawler(HubSpider, worker_settings(emptied_redis_url)) for _ in range(2)]
            await asyncio.gather(*(worker.crawl_async(hub=hub) for worker in workers))
            first_run_hits = list(site.hits)
            # The next scheduled run, one worker this time: alone, it need not wait for anybody.
            await make_crawler(HubSpider, worker_settings(emptied_redis_url, idle_timeout=0)).crawl_async(hub=hub)
            return workers, first_run_hits, site.hits[len(first_run_hits) :]

    workers, first_run, second_run = asyncio.run(scenario())

    # Both workers yielded the hub; it was fetched once, and each article once.
    assert sorted(first_run) == sorted(["/internasional", *ARTICLES])
    for worker in workers:
        assert worker.stats.get_value("finish_reason") == "finished"
    # Through the one queue in Redis: the hub, then its 8 articles; the second hub was filtered.
    assert sum(worker.stats.get_value("scheduler/enqueued/redis", 0) for worker in workers) == 9
    assert workers[0].stats.get_value("tribun/distributed/run") == workers[1].stats.get_value("tribun/distributed/run")
    assert sum(worker.stats.get_value("item_scraped_count", 0) for worker in workers) == 8
    assert sum(worker.stats.get_value("dupefilter/filtered", 0) for worker in workers) == 1
    # The last worker deleted the run's keys: the next run fetches the hub (and its articles) again.
    assert sorted(second_run) == sorted(["/internasional", *ARTICLES])
    assert server.keys("hubs:*") == []


def test_without_redis_a_crawl_needs_no_server() -> None:
    async def scenario() -> tuple[Crawler, list[str]]:
        async with hub_site() as site:
            crawler = make_crawler(HubSpider, {"ADDONS": {ADDON: 0}, "REDIS_URL": None})
            await crawler.crawl_async(hub=site.url("/internasional"))
            return crawler, site.hits

    crawler, hits = asyncio.run(scenario())
    assert crawler.settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert crawler.stats.get_value("item_scraped_count") == 8
    assert len(hits) == 9
