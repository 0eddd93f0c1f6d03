"""CrawlState, the one owner of the crawl's state store: its answers, its run marker and clock, on both backends.

Each verdict of :meth:`CrawlState.decide` on records shaped as earlier runs leave them; the spider, the state
middleware and the dedupe pipeline all ask this one object (their own tests cover what they do with the answer).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import make_crawler
from tribun_crawler.state import open_store
from tribun_crawler.state.crawl import CrawlState, Verdict, recheck_ages
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms

URL = "https://www.tribunnews.com/nasional/7702214/kpk-periksa-dua-saksi-kasus-kuota-haji-di-gedung-merah-putih"
OLD_URL = "https://www.tribunnews.com/nasional/2024/06/20/kpk-periksa-dua-saksi"


def record(url: str = URL, *, published_hours_ago: float, recorded: int, modified: int | None = None) -> ArticleRecord:
    return ArticleRecord(
        key=key_fingerprint(url),
        url=url,
        body=1,
        published=int(time.time() - published_hours_ago * 3600),
        modified=modified,
        recorded=recorded,
    )


def put(settings: dict[str, Any], *records: ArticleRecord, aliases: tuple[int, ...] = ()) -> None:
    with open_store(settings) as store:
        for one in records:
            store.put(one, aliases)


@pytest.fixture
def state(state_settings: dict[str, Any]) -> Any:
    """``state(settings, **spider_kwargs)``: the CrawlState of a new crawl on the test's store (closed as
    finished), with more ``settings`` when given."""
    built: list[CrawlState] = []

    def build(settings: dict[str, Any] | None = None, **spider_kwargs: Any) -> CrawlState:
        every = {**state_settings, "TRIBUN_RECHECK_HOURS": 48, **(settings or {})}
        built.append(CrawlState.of(make_crawler(every, **spider_kwargs)))
        return built[-1]

    yield build
    for one in built:
        one.close("finished")


def test_a_url_the_store_does_not_hold_is_new(state: Any) -> None:
    decision = state().decide(URL)
    assert (decision.verdict, decision.fetch, decision.record) == (Verdict.NEW, True, None)


def test_an_old_article_is_known_and_its_old_url_a_known_alias(state: Any, state_settings: dict[str, Any]) -> None:
    put(
        state_settings,
        record(published_hours_ago=24 * 30, recorded=now_ms() - 60_000),
        aliases=(key_fingerprint(OLD_URL),),
    )
    crawl = state()
    assert crawl.decide(URL).verdict is Verdict.KNOWN
    assert crawl.decide(OLD_URL).verdict is Verdict.KNOWN_ALIAS
    assert not crawl.decide(OLD_URL).fetch


def test_a_recent_article_is_rechecked_unless_its_sitemap_shows_no_change(
    state: Any, state_settings: dict[str, Any]
) -> None:
    modified = int(time.time() - 3600)
    put(state_settings, record(published_hours_ago=2, recorded=now_ms() - 60_000, modified=modified))
    crawl = state()
    assert crawl.decide(URL).verdict is Verdict.RECENT
    assert crawl.decide(URL).recheck == "recent"
    # A news sitemap entry (no lastmod), or a lastmod of the same minute: no evidence of a change.
    assert crawl.decide(URL, listed=True).verdict is Verdict.UNCHANGED
    same_minute = datetime.fromtimestamp(modified).astimezone()
    assert crawl.decide(URL, listed=True, lastmod=same_minute).verdict is Verdict.UNCHANGED
    later = same_minute + timedelta(minutes=5)
    assert crawl.decide(URL, listed=True, lastmod=later).verdict is Verdict.RECENT


def test_the_recheck_window_ends_at_tribun_now_when_a_simulation_fixes_it(
    state: Any, state_settings: dict[str, Any]
) -> None:
    # Published 10 days ago by the real clock: old now, but 2 hours old at a simulated present 10 days back.
    put(state_settings, record(published_hours_ago=24 * 10, recorded=now_ms() - 60_000))
    assert state().decide(URL).verdict is Verdict.KNOWN
    simulated = (datetime.now().astimezone() - timedelta(days=10) + timedelta(hours=2)).isoformat()
    assert state({"TRIBUN_NOW": simulated}).decide(URL).verdict is Verdict.RECENT
    later = (datetime.now().astimezone() - timedelta(days=10) + timedelta(hours=49)).isoformat()
    assert state({"TRIBUN_NOW": later}).decide(URL).verdict is Verdict.KNOWN


def test_what_this_run_recorded_is_its_own_by_its_one_clock(state: Any) -> None:
    crawl = state()
    crawl.open()
    crawl.record(record(published_hours_ago=2, recorded=now_ms()))
    decision = crawl.decide(URL)
    assert decision.verdict is Verdict.THIS_RUN
    assert not decision.fetch
    assert crawl.recorded_by_this_run(decision.record)


def test_an_article_of_a_run_that_did_not_finish_is_fetched_whatever_its_sitemap_shows(
    state: Any, state_settings: dict[str, Any]
) -> None:
    stopped = now_ms() - 120_000
    with open_store(state_settings) as store:
        store.open_run("stopped", stopped)
    put(state_settings, record(published_hours_ago=24 * 30, recorded=stopped + 1_000))
    crawl = state()
    assert crawl.decide(URL, listed=True).verdict is Verdict.UNFINISHED_RUN
    assert crawl.rule.unfinished_since == stopped


def test_the_store_opens_once_with_one_marker_removed_when_the_run_finishes(
    state: Any, state_settings: dict[str, Any]
) -> None:
    crawl = state()
    assert crawl.open() is crawl.open() is crawl.store
    with open_store(state_settings) as store:
        assert store.open_runs() == {crawl.run_id: crawl.opened_ms}
    crawl.close("shutdown")
    with open_store(state_settings) as store:
        assert store.open_runs() == {crawl.run_id: crawl.opened_ms}  # a stopped run leaves its marker
    again = state()
    again.open()
    again.close("finished")
    with open_store(state_settings) as store:
        assert store.open_runs() == {}  # a finished run removes its own and the older markers


def test_reset_state_empties_the_store_before_the_first_answer(state: Any, state_settings: dict[str, Any]) -> None:
    put(state_settings, record(published_hours_ago=24 * 30, recorded=now_ms() - 60_000))
    crawl = state(reset_state="1")
    assert crawl.decide(URL).verdict is Verdict.NEW
    assert crawl.crawler.stats.get_value("tribun/state/reset") == 1


def test_a_crawler_without_the_extension_says_what_to_enable() -> None:
    crawler = make_crawler({"EXTENSIONS": {"tribun_crawler.state.crawl.CrawlState": None}})
    with pytest.raises(RuntimeError, match="EXTENSIONS"):
        CrawlState.of(crawler)


# --- Rechecks only when a change may be expected (TRIBUN_RECHECK_AGES, TRIBUN_RECHECK_BY_SITEMAP) ---------------

LOOKED = datetime.fromisoformat("2026-12-04T10:00:00+07:00")
"""When the article's site was last discovered, in the tests below."""


def published_at(when: datetime) -> ArticleRecord:
    at = int(when.timestamp())
    return ArticleRecord(key=key_fingerprint(URL), url=URL, body=1, published=at, modified=at, recorded=now_ms() - 1)


def looked_at(settings: dict[str, Any], when: datetime, site: str = "www") -> None:
    with open_store(settings) as store:
        store.discovered(site, int(when.timestamp()))


def test_a_recent_article_a_link_names_is_read_again_once_per_age_passed_since_its_site_was_discovered(
    state: Any, state_settings: dict[str, Any]
) -> None:
    put(state_settings, published_at(LOOKED - timedelta(minutes=50)))
    looked_at(state_settings, LOOKED)

    def verdict(minutes_after_look: float) -> Verdict:
        return state({"TRIBUN_NOW": (LOOKED + timedelta(minutes=minutes_after_look)).isoformat()}).decide(URL).verdict

    # 50 minutes old when its site was looked at: its first age (1 h) not reached 5 minutes later, reached by 15.
    assert verdict(5) is Verdict.RECHECK_NOT_DUE
    assert verdict(15) is Verdict.RECENT
    # The run that read it finished: its site was looked at then. The 2 h age is reached 70 minutes after the
    # first look, the 4 h age 190 minutes after.
    looked_at(state_settings, LOOKED + timedelta(minutes=15))
    assert verdict(60) is Verdict.RECHECK_NOT_DUE
    assert verdict(75) is Verdict.RECENT
    looked_at(state_settings, LOOKED + timedelta(minutes=75))
    assert verdict(120) is Verdict.RECHECK_NOT_DUE
    assert verdict(195) is Verdict.RECENT
    # A site never discovered, or no ages: every time it is named, as before.
    assert (
        state({"TRIBUN_NOW": (LOOKED + timedelta(minutes=5)).isoformat(), "TRIBUN_RECHECK_AGES": ""})
        .decide(URL)
        .verdict
        is Verdict.RECENT
    )


def test_a_site_whose_sitemaps_the_run_reads_has_its_recent_articles_read_again_only_on_a_later_lastmod(
    state: Any, state_settings: dict[str, Any]
) -> None:
    record = published_at(LOOKED - timedelta(minutes=50))
    put(state_settings, record)
    looked_at(state_settings, LOOKED)
    now = (LOOKED + timedelta(minutes=15)).isoformat()  # the 1 h age passed: due by age
    crawl = state({"TRIBUN_NOW": now})
    crawl.changes_from_sitemaps(["www", "jateng"])
    assert crawl.decide(URL).verdict is Verdict.RECHECK_NOT_DUE
    assert not crawl.decide(URL).fetch
    changed = datetime.fromtimestamp(record.published + 600).astimezone()
    assert crawl.decide(URL, listed=True, lastmod=changed).verdict is Verdict.RECENT
    # Another site's article, or the setting off: by age.
    other = state({"TRIBUN_NOW": now})
    other.changes_from_sitemaps(["jateng"])
    assert other.decide(URL).verdict is Verdict.RECENT
    off = state({"TRIBUN_NOW": now, "TRIBUN_RECHECK_BY_SITEMAP": "0"})
    off.changes_from_sitemaps(["www"])
    assert off.decide(URL).verdict is Verdict.RECENT


@pytest.mark.parametrize("ages", ["0", "-1", "soon", "1,nan"])
def test_recheck_ages_that_are_not_hours_above_zero_stop_the_crawl_at_start(ages: str) -> None:
    with pytest.raises(ValueError, match="TRIBUN_RECHECK_AGES"):
        recheck_ages(ages.split(","))
    assert recheck_ages(["8", " 1", "", "2.5"]) == (3600, 9000, 28800)
