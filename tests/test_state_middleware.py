"""StateMiddleware with the pipelines of the same crawl, on both backends: skip, recheck, update, reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from tests.conftest import BODIES, PipelineRun, make_article, make_crawler, published_hours_ago
from tribun_crawler import meta
from tribun_crawler.middlewares.state import StateMiddleware
from tribun_crawler.pipelines.normalize import NormalizePipeline
from tribun_crawler.state import open_store
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.records import ArticleRecord, ItemFingerprints, key_fingerprint, now_ms

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
    """One crawl: its pipelines and the state middleware, opened in Scrapy's order (pipelines first), closed
    with ``reason``."""

    def __init__(self, run: PipelineRun, reason: str = "finished") -> None:
        self.run = run
        self.reason = reason
        self.run.reason = reason
        self.middleware = build_from_crawler(StateMiddleware, run.crawler)
        self.state = CrawlState.of(run.crawler)

    def __enter__(self) -> Crawl:
        self.run.__enter__()
        self.state.spider_opened()
        return self

    def __exit__(self, *exc: object) -> None:
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


def test_a_recent_article_of_a_site_read_by_sitemaps_is_fetched_only_when_its_entry_shows_a_change(
    crawl: Any,
) -> None:
    with crawl() as second:
        second.state.changes_from_sitemaps(["bali"])
        # Named by a link or listing: the site's sitemaps would show a change.
        assert not second.fetched(article_request(RECENT))
        assert second.stat("tribun/skipped/recheck_not_due") == 1
        # Asked for by the sitemap path, its web entry's lastmod later than the stored dateModified: a recheck.
        later = published_hours_ago(1)["datePublished"]
        listed = Request(RECENT, meta={"tribun_page_type": "article", meta.SITEMAP_HINTS: {"lastmod": later}})
        assert second.fetched(listed)
        assert listed.meta["tribun_recheck"] is True
        assert second.stat("tribun/recheck/fetched") == 1
        # An entry without a later lastmod was not asked for by the spider; were it, it is a skip, not a recheck.
        assert not second.fetched(Request(RECENT, meta={"tribun_page_type": "article", meta.SITEMAP_HINTS: {}}))
        assert second.stat("tribun/recheck/fetched") == 1


def test_recheck_window_is_a_setting(crawl: Any) -> None:
    with crawl({"TRIBUN_RECHECK_HOURS": 1}) as second:
        assert not second.fetched(article_request(RECENT))
        assert second.stat("tribun/skipped/known") == 1


@pytest.mark.parametrize(("hours", "fetched"), [("48", True), ("0", False)])
def test_an_article_dated_in_the_future_is_recent_unless_rechecks_are_off(
    pipeline_run: Any, state_settings: dict[str, Any], hours: str, fetched: bool
) -> None:
    """A clock ahead of this machine's dates an article in the future: recent for any window, none for 0."""
    with pipeline_run(state_settings) as first:
        assert first.feed(make_article(url=NEW, body="gempa", **published_hours_ago(-3))) is not None
    with Crawl(pipeline_run({**state_settings, "TRIBUN_RECHECK_HOURS": hours})) as second:
        assert second.fetched(article_request(NEW)) is fetched
        assert second.stat("tribun/skipped/known") == (None if fetched else 1)


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
        assert stored.recorded >= second.state.opened_ms


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


@pytest.mark.parametrize(("reset_state", "fetched"), [("0", False), ("1", True)])
def test_a_request_before_anything_opened_gets_the_answer_of_the_reset_store(
    crawl: Any, reset_state: str, fetched: bool
) -> None:
    # The crawl state opens the store on first use, emptying it first when asked: whichever component asks first
    # (here the middleware, before pipelines and spider_opened), none sees the store before the reset.
    second = crawl(reset_state=reset_state)
    try:
        assert second.fetched(article_request(OLD)) is fetched
        assert second.stat("tribun/state/reset") == (2 if fetched else None)
    finally:
        second.state.close("finished")


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


# --- Runs that did not finish (state.runs) -------------------------------------------------------------------

#: Another story from before the recheck window, emitted by a run that was stopped before it finished.
STOPPED_OLD = "https://www.tribunnews.com/internasional/2020/05/06/korea-utara-terbangkan-balon-sampah"


def stopped_old_article(**fields: Any) -> Any:
    return make_article(url=STOPPED_OLD, body="korea", datePublished="Rabu, 6 Mei 2020 19:40 WIB", **fields)


def record_of(item: Any, *, recorded: int) -> tuple[ArticleRecord, tuple[int, ...]]:
    """The store's record of an item the normalise pipeline has read, as if written to the feed at ``recorded``."""
    normalized = NormalizePipeline.from_crawler(make_crawler()).process_item(item)
    fingerprints = ItemFingerprints.of(normalized)
    return fingerprints.record(normalized, recorded=recorded), fingerprints.aliases()


def open_runs(settings: dict[str, Any]) -> dict[str, int]:
    with open_store(settings) as store:
        return store.open_runs()


def test_a_run_is_marked_open_in_the_store_until_it_finishes(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with Crawl(pipeline_run(state_settings), reason="shutdown") as stopped:
        assert open_runs(state_settings) == {stopped.state.run_id: stopped.state.opened_ms}
        assert stopped.state.rule is not None
        assert stopped.state.rule.unfinished_since is None
    # Closed for another reason than "finished" (Ctrl-C, a limit, blocked): the marker stays.
    assert open_runs(state_settings) == {stopped.state.run_id: stopped.state.opened_ms}
    with Crawl(pipeline_run(state_settings)) as finished:
        assert finished.state.rule is not None
        assert finished.state.rule.unfinished_since == stopped.state.opened_ms
        assert set(open_runs(state_settings)) == {stopped.state.run_id, finished.state.run_id}
    assert open_runs(state_settings) == {}


def test_articles_recorded_since_an_unfinished_run_opened_are_fetched_again(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    stopped_at = now_ms() - 60_000
    with open_store(state_settings) as store:
        store.put(*record_of(old_article(), recorded=stopped_at - 1))
        store.open_run("stopped", stopped_at)
        store.put(*record_of(stopped_old_article(), recorded=stopped_at))
        store.put(*record_of(recent_article(), recorded=stopped_at + 1))
    with Crawl(pipeline_run(state_settings)) as second:
        # Recorded before the stopped run opened: as known as ever.
        assert not second.fetched(article_request(OLD))
        assert second.stat("tribun/skipped/known") == 1
        # Recorded by the stopped run, outside the recheck window or not: read again, as a recheck.
        request = article_request(STOPPED_OLD)
        assert second.fetched(request)
        assert request.meta["tribun_recheck"] is True
        assert second.fetched(article_request(RECENT))
        assert second.stat("tribun/recheck/unfinished_run") == 2
        assert second.stat("tribun/recheck/fetched") is None
        # Unchanged, it is dropped quietly; changed, it is an update of the feed.
        assert second.run.feed(stopped_old_article()) is None
        assert second.run.dropped == [f"unchanged since it was emitted: {STOPPED_OLD}"]
        assert second.stat("tribun/dropped/unchanged") == 1
        updated = second.run.feed(recent_article(dateModified="Kamis, 20 Juni 2024 11:40 WITA"))
        assert updated is not None
        assert second.stat("tribun/recheck/updated") == 1
    # The second run finished: it read again what the stopped one recorded, whose marker is gone with its own.
    assert open_runs(state_settings) == {}
    with Crawl(pipeline_run(state_settings)) as third:
        assert not third.fetched(article_request(STOPPED_OLD))
        assert third.stat("tribun/skipped/known") == 1
        assert third.stat("tribun/recheck/unfinished_run") is None


def test_the_earliest_of_several_unfinished_runs_counts(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    first_stop = now_ms() - 60_000
    with open_store(state_settings) as store:
        store.open_run("killed", first_stop)
        store.put(*record_of(old_article(), recorded=first_stop + 1))
        store.open_run("killed again", first_stop + 2)
        store.put(*record_of(stopped_old_article(), recorded=first_stop + 3))
    with Crawl(pipeline_run(state_settings)) as third:
        assert third.state.rule is not None
        assert third.state.rule.unfinished_since == first_stop
        assert third.fetched(article_request(OLD))
        assert third.fetched(article_request(STOPPED_OLD))
    assert open_runs(state_settings) == {}


def test_reset_state_forgets_the_unfinished_runs_too(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with open_store(state_settings) as store:
        store.open_run("stopped", now_ms() - 60_000)
    with Crawl(pipeline_run(state_settings, reset_state="1")) as fresh:
        assert fresh.state.rule is not None
        assert fresh.state.rule.unfinished_since is None
        assert open_runs(state_settings) == {fresh.state.run_id: fresh.state.opened_ms}


# --- Old URLs that redirect (renamed articles) -------------------------------------------------------------

#: A renamed story: its dated URL, still linked from older articles, answers 301 with the new id URL.
RENAMED_FROM = "https://www.tribunnews.com/nasional/2020/05/04/psbb-jakarta-diperpanjang-dua-pekan"
RENAMED_TO = "https://www.tribunnews.com/nasional/5045123/pemerintah-perpanjang-psbb-jakarta-hingga-akhir-mei"


def redirected(url: str, *redirect_urls: str, page_type: str = "article") -> Request:
    """The request RedirectMiddleware sends for ``url`` after the redirects from ``redirect_urls``."""
    return Request(url, meta={"tribun_page_type": page_type, "redirect_urls": list(redirect_urls)})


def feed_from(run: PipelineRun, item: Any, request: Request) -> Any:
    """``run.feed(item)`` for an item read from the response to ``request`` (Scrapy's item_scraped arguments)."""
    emitted = run.process(item)
    if emitted is not None:
        response = HtmlResponse(request.url, body=b"<html></html>", request=request)
        run.crawler.signals.send_catch_log(
            signal=signals.item_scraped, item=emitted, response=response, spider=run.crawler.spider
        )
    return emitted


def renamed_article(**fields: Any) -> Any:
    return make_article(url=RENAMED_TO, body="banjir", datePublished="Senin, 4 Mei 2020 04:25 WIB", **fields)


@pytest.mark.parametrize(
    "old", [RENAMED_FROM, RENAMED_FROM + "?page=all", RENAMED_FROM.replace("www.", "m.").replace(".com/", ".com/amp/")]
)
def test_an_old_url_that_redirected_to_an_emitted_article_is_not_fetched_again(
    pipeline_run: Any, state_settings: dict[str, Any], old: str
) -> None:
    with pipeline_run(state_settings) as first:
        request = redirected(RENAMED_TO + "?page=all", RENAMED_FROM + "?page=all")
        assert feed_from(first, renamed_article(), request) is not None
        assert first.stat("tribun/state/recorded_aliases") == 1
    with Crawl(pipeline_run(state_settings)) as second:
        assert not second.fetched(article_request(old))
        assert second.stat("tribun/skipped/known_alias") == 1
        assert second.stat("tribun/skipped/known") is None
        assert not second.fetched(article_request(RENAMED_TO))
        assert second.stat("tribun/skipped/known") == 1


def test_an_article_read_without_a_redirect_records_no_alias(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run(state_settings) as first:
        # A redirect between spellings of the article itself (http, m., /amp/) names no other URL.
        request = redirected(RENAMED_TO + "?page=all", RENAMED_TO.replace("https://www.", "http://m.") + "?page=all")
        assert feed_from(first, renamed_article(), request) is not None
        assert first.stat("tribun/state/recorded_aliases") is None
    with Crawl(pipeline_run(state_settings)) as second:
        assert second.fetched(article_request(RENAMED_FROM))


def test_an_old_url_of_a_recent_article_is_fetched_again_like_the_article(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    recent = make_article(url=RENAMED_TO, body="gempa", **published_hours_ago(2))
    with pipeline_run(state_settings) as first:
        assert feed_from(first, recent, redirected(RENAMED_TO, RENAMED_FROM)) is not None
    with Crawl(pipeline_run(state_settings)) as second:
        request = article_request(RENAMED_FROM + "?page=all")
        assert second.fetched(request)
        assert request.meta["tribun_recheck"] is True
        assert second.stat("tribun/recheck/fetched") == 1
        # The redirect RedirectMiddleware sends next carries the flag: the same fetch, not a second lookup.
        assert second.fetched(request.replace(url=RENAMED_TO, meta={**request.meta, "redirect_urls": [request.url]}))
        assert second.stat("tribun/recheck/fetched") == 1
        assert second.run.feed(recent) is None
        assert second.stat("tribun/dropped/unchanged") == 1
    with Crawl(pipeline_run({**state_settings, "TRIBUN_RECHECK_HOURS": 0})) as third:
        assert not third.fetched(article_request(RENAMED_FROM))
        assert third.stat("tribun/skipped/known_alias") == 1


@pytest.mark.parametrize(("hours", "fetched"), [(72, False), (2, True)], ids=["old", "recent"])
def test_a_redirect_that_ends_at_a_known_article_makes_its_old_url_known(
    pipeline_run: Any, state_settings: dict[str, Any], hours: float, fetched: bool
) -> None:
    """The new URL was recorded first (a listing named it): the old one is learnt when it redirects there.

    Skipped (old article) or fetched again and dropped unchanged (recent), the article is not recorded anew, so
    the middleware records the alias itself.
    """
    story = make_article(url=RENAMED_TO, body="gempa", **published_hours_ago(hours))
    with pipeline_run(state_settings) as first:
        assert first.feed(story) is not None
    window = {"TRIBUN_RECHECK_HOURS": 60}
    with Crawl(pipeline_run({**state_settings, **window})) as second:
        assert second.fetched(article_request(RENAMED_FROM))  # unknown yet: requested, and it redirects
        assert second.fetched(redirected(RENAMED_TO + "?page=all", RENAMED_FROM + "?page=all")) is fetched
        assert second.stat("tribun/state/recorded_aliases") == 1
    with Crawl(pipeline_run({**state_settings, **window})) as third:
        assert third.fetched(article_request(RENAMED_FROM)) is fetched
        assert third.stat("tribun/skipped/known_alias") == (None if fetched else 1)
        assert third.stat("tribun/recheck/fetched") == (1 if fetched else None)
        assert third.stat("tribun/state/recorded_aliases") is None


def test_an_old_url_of_a_dropped_copy_is_skipped_as_the_copy(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run(state_settings) as first:
        assert first.feed(old_article()) is not None
        old_copy = make_article(url=OLD_COPY, body="banjir", datePublished="Senin, 4 Mei 2020 06:10 WIB")
        assert first.feed(old_copy) is None
    renamed_copy = OLD_COPY.replace("psbb-jakarta-diperpanjang-hingga-akhir-mei", "psbb-diperpanjang")
    with (
        Crawl(pipeline_run(state_settings)) as second,
        pytest.raises(IgnoreRequest, match=re.escape(f"a known copy of an emitted article: {OLD_COPY}")),
    ):
        second.middleware.process_request(redirected(OLD_COPY, renamed_copy))
    with (
        Crawl(pipeline_run(state_settings)) as third,
        pytest.raises(IgnoreRequest, match=re.escape(f"a known copy of an emitted article as {OLD_COPY}: ")),
    ):
        third.middleware.process_request(article_request(renamed_copy))
    assert third.stat("tribun/skipped/known_alias") == 1
