"""StateMiddleware with the pipelines of the same crawl, on both backends: skip, recheck, update, reset."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler

from tests.conftest import BODIES, PipelineRun, make_article, published_hours_ago
from tribun_crawler.middlewares.state import StateMiddleware
from tribun_crawler.state import open_store
from tribun_crawler.state.records import key_fingerprint

OLD = "https://www.tribunnews.com/nasional/2020/05/04/pemerintah-perpanjang-psbb-jakarta"
RECENT = "https://bali.tribunnews.com/2024/06/20/gempa-magnitudo-51-guncang-bali-selatan"
# Republications with the same body (no "Artikel ini telah tayang di" footer): dropped as duplicates.
OLD_COPY = "https://wartakota.tribunnews.com/2020/05/04/psbb-jakarta-diperpanjang-hingga-akhir-mei"
RECENT_COPY = "https://www.tribunnews.com/regional/2024/06/20/gempa-magnitudo-51-guncang-bali-selatan"
NEW = "https://jateng.tribunnews.com/2024/06/20/kpu-jateng-tetapkan-jadwal-pendaftaran"


def old_article(**fields: Any) -> Any:
    return make_article(url=OLD, body="banjir", datePublished="Senin, 4 Mei 2020 04:25 WIB", **fields)


def recent_article(**fields: Any) -> Any:
    return make_article(url=RECENT, body="gempa", **{**published_hours_ago(2), **fields})


def article_request(url: str, page_type: str = "article") -> Request:
    return Request(url, meta={"tribun_page_type": page_type})


class Crawl:
    """One crawl: its pipelines and the state middleware, opened in Scrapy's order (pipelines first)."""

    def __init__(self, run: PipelineRun) -> None:
        self.run = run
        self.middleware = build_from_crawler(StateMiddleware, run.crawler)

    def __enter__(self) -> Crawl:
        self.run.__enter__()
        self.middleware.spider_opened()
        return self

    def __exit__(self, *exc: object) -> None:
        self.middleware.spider_closed()
        self.run.__exit__(*exc)

    def fetched(self, request: Request) -> bool:
        """True when the middleware lets the request through to the download."""
        try:
            assert self.middleware.process_request(request) is None
        except IgnoreRequest:
            return False
        return True

    def stat(self, name: str) -> Any:
        return self.run.stat(name)


@pytest.fixture
def crawl(pipeline_run: Any, state_settings: dict[str, Any]) -> Any:
    """``crawl(**settings_or_spider_args)``: a new crawl on the test's store, after a first one emitted OLD and
    RECENT."""
    with pipeline_run(state_settings) as first:
        assert first.feed(old_article()) is not None
        assert first.feed(recent_article()) is not None

    def start(settings: dict[str, Any] | None = None, **spider_kwargs: Any) -> Crawl:
        return Crawl(pipeline_run({**state_settings, **(settings or {})}, **spider_kwargs))

    return start


@pytest.mark.parametrize(
    "variant",
    [OLD, OLD.replace("www.", "m.").replace(".com/", ".com/amp/") + "?page=all", OLD + "?page=2#x"],
)
def test_known_article_is_not_fetched_again(crawl: Any, variant: str) -> None:
    with crawl() as second:
        assert not second.fetched(article_request(variant))
        assert second.stat("tribun/skipped/known") == 1
        assert second.stat("tribun/recheck/fetched") is None


def test_unknown_article_and_listing_pages_are_fetched(crawl: Any) -> None:
    with crawl() as second:
        assert second.fetched(article_request(NEW))
        assert second.fetched(article_request("https://www.tribunnews.com/nasional", "section"))
        assert second.fetched(Request(OLD))
        assert second.fetched(article_request(OLD, "index"))
        assert second.stat("tribun/skipped/known") is None


def test_recent_article_is_fetched_to_recheck_and_its_retries_pass(crawl: Any) -> None:
    with crawl() as second:
        request = article_request(RECENT + "?page=all")
        assert second.fetched(request)
        assert request.meta["tribun_recheck"] is True
        assert second.stat("tribun/recheck/fetched") == 1
        # RetryMiddleware and RedirectMiddleware send copies carrying the meta: they are the same fetch.
        assert second.fetched(request.replace(url=RECENT))
        assert second.stat("tribun/recheck/fetched") == 1


def test_recheck_window_is_a_setting(crawl: Any) -> None:
    with crawl({"TRIBUN_RECHECK_HOURS": 1}) as second:
        assert not second.fetched(article_request(RECENT))
        assert second.stat("tribun/skipped/known") == 1


def test_rechecked_article_is_dropped_when_unchanged(crawl: Any) -> None:
    with crawl() as second:
        assert second.fetched(article_request(RECENT))
        assert second.run.feed(recent_article()) is None
        assert second.stat("tribun/dropped/unchanged") == 1


@pytest.mark.parametrize(
    "change",
    [
        {"articleBody": BODIES["gempa"] + "\n\nBPBD Bali mencatat dua rumah warga di Jimbaran retak ringan."},
        {"dateModified": "Kamis, 20 Juni 2024 11:40 WITA"},
    ],
    ids=["body", "dateModified"],
)
def test_rechecked_article_is_emitted_when_changed(crawl: Any, change: dict[str, str]) -> None:
    with crawl() as second:
        assert second.fetched(article_request(RECENT))
        updated = second.run.feed(recent_article(**change))
        assert updated is not None
        assert updated.url == RECENT
        assert second.stat("tribun/recheck/updated") == 1
        # Recorded during this run: not fetched a second time in it.
        assert not second.fetched(article_request(RECENT))
    with open_store(second.run.crawler.settings) as store:
        stored = store.get(key_fingerprint(RECENT))
        assert stored is not None
        assert stored.recorded >= second.middleware.opened_ms


def test_article_emitted_in_this_run_is_not_fetched_again_in_it(crawl: Any) -> None:
    with crawl() as second:
        assert second.fetched(article_request(NEW))
        assert second.run.feed(make_article(url=NEW, body="pilkada", **published_hours_ago(1))) is not None
        assert not second.fetched(article_request(NEW))
        assert second.stat("tribun/skipped/known") == 1
        assert second.stat("tribun/recheck/fetched") is None


def test_reset_state_fetches_everything_again(crawl: Any) -> None:
    with crawl(reset_state="1") as second:
        assert second.fetched(article_request(OLD))
        assert second.fetched(article_request(RECENT))
        assert second.stat("tribun/recheck/fetched") is None
        assert second.run.feed(old_article()) is not None


def test_request_before_spider_opened_is_an_error(crawl: Any) -> None:
    middleware = crawl().middleware
    with pytest.raises(RuntimeError, match="spider_opened"):
        middleware.process_request(article_request(OLD))


def test_dropped_copy_is_not_fetched_again_unless_recent(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    def old_copy() -> Any:
        return make_article(url=OLD_COPY, body="banjir", datePublished="Senin, 4 Mei 2020 06:10 WIB")

    def recent_copy() -> Any:
        return make_article(url=RECENT_COPY, body="gempa", **published_hours_ago(1))

    with pipeline_run(state_settings) as first:
        assert first.feed(old_article()) is not None
        assert first.feed(recent_article()) is not None
        assert first.feed(old_copy()) is None
        assert first.feed(recent_copy()) is None
    with Crawl(pipeline_run(state_settings)) as second:
        assert not second.fetched(article_request(OLD_COPY + "?page=all"))
        assert second.stat("tribun/skipped/known") == 1
        assert second.fetched(article_request(RECENT_COPY))
        assert second.stat("tribun/recheck/fetched") == 1
        # Rechecked, it is dropped as the duplicate it is: the feed never gets it as an update.
        assert second.run.feed(recent_copy()) is None
        assert second.run.dropped == [f"duplicate (same_body) of {RECENT}: {RECENT_COPY}"]
        assert second.stat("tribun/recheck/updated") is None
    with Crawl(pipeline_run({**state_settings, "TRIBUN_RECHECK_HOURS": 0})) as third:
        assert not third.fetched(article_request(RECENT_COPY))
        assert third.stat("tribun/skipped/known") == 1
