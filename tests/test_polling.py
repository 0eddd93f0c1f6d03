"""Adaptive polling: the estimator of polling.py on synthetic publishing days, then the spider that asks it.

The synthetic host publishes as Tribun's regional newsrooms do: steadily through the local working day, a little
in the evening, next to nothing at night. Its publication times are generated, not random, so each verdict is exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from tests.conftest import project_settings_dict
from tribun_crawler import meta, polling
from tribun_crawler import settings as project_settings
from tribun_crawler import stats as stat
from tribun_crawler.polling import WORTH_A_LOOK, HourlyRate, PollPolicy, Reason, decide
from tribun_crawler.sites import SITES, WIB, WIT, WITA
from tribun_crawler.spiders.tribun import TribunSpider
from tribun_crawler.state import open_store
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.records import ArticleRecord, key_fingerprint

POLICY = PollPolicy(threshold=1.0, min_interval=timedelta(minutes=15), max_interval=timedelta(hours=2))


def newsroom_day(
    until: datetime, *, tz: tzinfo = WIB, days: int = 14, per_hour: dict[range, int] | None = None
) -> list[datetime]:
    """Publication times of ``days`` days up to ``until``: by default 6 an hour from 07:00 to 19:00 local time,
    2 an hour from 19:00 to 23:00, none at night; spread evenly within each hour."""
    profile = per_hour or {range(7, 19): 6, range(19, 23): 2}
    local_end = until.astimezone(tz)
    first_day = (local_end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    times = []
    for day in range(days + 1):
        midnight = first_day + timedelta(days=day)
        for hours, count in profile.items():
            for hour in hours:
                for i in range(count):
                    moment = midnight + timedelta(hours=hour, minutes=(i + 0.5) * 60 / count)
                    if moment <= local_end:
                        times.append(moment)
    return times


def at(hour: int, minute: int = 0, tz: tzinfo = WIB) -> datetime:
    return datetime(2026, 12, 4, hour, minute, tzinfo=tz)


# --- The estimator --------------------------------------------------------------------------------------------


def test_a_site_never_discovered_is_due() -> None:
    decision = decide([], None, at(3), tz=WIB, policy=POLICY)
    assert (decision.due, decision.reason) == (True, Reason.NEW)
    assert decide(newsroom_day(at(3)), None, at(3), tz=WIB, policy=POLICY).due


def test_a_busy_hour_is_due_at_every_run() -> None:
    last = at(10)
    published = newsroom_day(last)
    for minutes in (15, 30, 45):
        decision = decide(published, last, last + timedelta(minutes=minutes), tz=WIB, policy=POLICY)
        # Six an hour: a quarter of an hour expects one and a half.
        assert (decision.due, decision.reason) == (True, Reason.LIKELY)
        assert decision.expected == pytest.approx(1.5 * minutes / 15, rel=0.1)


def test_a_quiet_night_waits_for_the_maximum_interval() -> None:
    last = at(1)
    published = newsroom_day(last)
    for minutes in (15, 30, 60, 90, 105):
        decision = decide(published, last, last + timedelta(minutes=minutes), tz=WIB, policy=POLICY)
        assert (decision.due, decision.reason) == (False, Reason.UNLIKELY), minutes
        # Not zero: the prior keeps a little of the site's daily mean in every hour.
        assert 0 < decision.expected < 1
    decision = decide(published, last, last + timedelta(hours=2), tz=WIB, policy=POLICY)
    assert (decision.due, decision.reason) == (True, Reason.MAX_INTERVAL)


def test_a_small_site_is_looked_at_by_the_delay_target_in_its_day_but_not_in_its_night() -> None:
    # A small regional site: one article an hour and a half through its working day, none at night.
    small = {range(7, 22): 1}
    day = at(11)
    published = [t for t in newsroom_day(day, per_hour=small) if t.minute == 30 and t.hour % 3 != 1]
    target = replace(POLICY, delay_target=timedelta(hours=1))
    for minutes in (30, 45):
        assert not decide(published, day, day + timedelta(minutes=minutes), tz=WIB, policy=target).due
    decision = decide(published, day, day + timedelta(hours=1), tz=WIB, policy=target)
    assert (decision.due, decision.reason) == (True, Reason.DELAY_TARGET)
    assert WORTH_A_LOOK <= decision.expected < 1
    # Without a target it waits for its threshold, well past the hour.
    assert not decide(published, day, day + timedelta(hours=1), tz=WIB, policy=POLICY).due
    # At night nothing is expected: the hour passes, the site waits for the maximum interval.
    night = at(1)
    published = [t for t in published if t <= night]
    decision = decide(published, night, night + timedelta(hours=1), tz=WIB, policy=target)
    assert (decision.due, decision.reason) == (False, Reason.UNLIKELY)
    assert decide(published, night, night + timedelta(hours=2), tz=WIB, policy=target).reason is Reason.MAX_INTERVAL


def test_the_evening_is_polled_less_often_than_the_day() -> None:
    last = at(20)
    published = newsroom_day(last)
    assert not decide(published, last, last + timedelta(minutes=15), tz=WIB, policy=POLICY).due
    assert decide(published, last, last + timedelta(minutes=30), tz=WIB, policy=POLICY).due


def test_the_night_expects_the_morning_once_the_newsroom_starts() -> None:
    # Discovered at 06:00, before the working day: by 07:15 the first hour's articles are expected.
    last = at(6)
    published = newsroom_day(last)
    assert not decide(published, last, at(7, 0), tz=WIB, policy=POLICY).due
    assert decide(published, last, at(7, 15), tz=WIB, policy=POLICY).due


def test_the_minimum_interval_holds_however_busy_the_site() -> None:
    last = at(10)
    published = newsroom_day(last, per_hour={range(24): 120})
    decision = decide(published, last, last + timedelta(minutes=5), tz=WIB, policy=POLICY)
    assert (decision.due, decision.reason) == (False, Reason.TOO_SOON)
    # A cron run starts a few seconds before the quarter after the run it follows: it still polls.
    assert decide(published, last, last + timedelta(minutes=14, seconds=50), tz=WIB, policy=POLICY).due


def test_a_site_that_never_published_is_polled_at_the_maximum_interval() -> None:
    last = at(10)
    assert not decide([], last, last + timedelta(minutes=115), tz=WIB, policy=POLICY).due
    assert decide([], last, last + timedelta(minutes=120), tz=WIB, policy=POLICY).reason is Reason.MAX_INTERVAL


def test_a_discovery_after_now_polls_again() -> None:
    # A simulation replayed from an earlier moment: the recorded discovery lies in its future.
    decision = decide([], at(10), at(9), tz=WIB, policy=POLICY)
    assert (decision.due, decision.reason) == (True, Reason.NEW)


def test_rates_are_per_hour_of_the_sites_own_clock() -> None:
    # Every article at 09:30 in Jayapura (WIT), which is 08:30 in Makassar (WITA) and 07:30 in Jakarta (WIB).
    last = datetime(2026, 12, 4, 12, 0, tzinfo=WIT)
    published = [last.replace(hour=9, minute=30) - timedelta(days=day) for day in range(7)]
    for tz, hour in ((WIT, 9), (WITA, 8), (WIB, 7)):
        rates = HourlyRate.estimate(published, observed_until=last, tz=tz).per_hour
        assert max(range(24), key=lambda h, rates=rates: rates[h]) == hour
    # The instants decide, whatever offset they are written with.
    in_utc = [moment.astimezone(UTC) for moment in published]
    one = decide(published, last, last + timedelta(minutes=30), tz=WIT, policy=POLICY)
    other = decide(in_utc, last.astimezone(UTC), last + timedelta(minutes=30), tz=WIT, policy=POLICY)
    assert one == other


def test_a_site_publishing_by_its_local_working_day_is_busy_at_its_local_morning() -> None:
    # A newsroom in Jayapura starts at 07:00 WIT = 05:00 WIB: at 05:30 WIB it is busy, a Jakarta one is not.
    last = datetime(2026, 12, 4, 5, 0, tzinfo=WIB)
    now = last + timedelta(minutes=30)
    papua = newsroom_day(last, tz=WIT)
    jakarta = newsroom_day(last, tz=WIB)
    assert decide(papua, last, now, tz=WIT, policy=POLICY).due
    assert not decide(jakarta, last, now, tz=WIB, policy=POLICY).due


def test_recent_weeks_weigh_more_than_older_ones() -> None:
    # A site that published at night until a week ago, then stopped: its night rate follows the last week.
    last = at(2)
    old_habit = [t for t in newsroom_day(last, per_hour={range(24): 4}) if t < last - timedelta(days=7)]
    now_quiet = newsroom_day(last, days=7)
    rates = HourlyRate.estimate(old_habit + now_quiet, observed_until=last, tz=WIB).per_hour
    flat = HourlyRate.estimate(newsroom_day(last, per_hour={range(24): 4}), observed_until=last, tz=WIB).per_hour
    assert rates[2] < flat[2] / 3
    assert not decide(old_habit + now_quiet, last, last + timedelta(minutes=45), tz=WIB, policy=POLICY).due


def test_a_site_known_for_a_day_is_judged_on_that_day() -> None:
    # The store has held this site's articles for one day only: its rate is that day's, not a fortnight's mean.
    last = at(10)
    published = newsroom_day(last, days=1)
    decision = decide(published, last, last + timedelta(minutes=15), tz=WIB, policy=POLICY)
    assert decision.due
    assert decision.expected == pytest.approx(1.5, rel=0.25)


def test_articles_after_the_last_discovery_do_not_lower_the_rate() -> None:
    # Time since the last discovery is not observed yet: an hour of it is no hour without articles.
    last = at(10)
    published = newsroom_day(last)
    half = decide(published, last, last + timedelta(minutes=30), tz=WIB, policy=POLICY).expected
    whole = decide(published, last, last + timedelta(minutes=60), tz=WIB, policy=POLICY).expected
    assert whole == pytest.approx(2 * half, rel=0.05)


@pytest.mark.parametrize(
    ("threshold", "low", "high", "problem"),
    [(0.0, 15, 120, "THRESHOLD"), (1.0, 150, 120, "MIN_POLL_INTERVAL"), (1.0, -1, 120, "MIN_POLL_INTERVAL")],
)
def test_a_policy_that_cannot_work_is_refused(threshold: float, low: int, high: int, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        PollPolicy(threshold, timedelta(minutes=low), timedelta(minutes=high))


def test_the_policy_reads_the_settings() -> None:
    policy = PollPolicy.from_settings(get_crawler(settings_dict=project_settings_dict(project_settings)).settings)
    assert policy == PollPolicy(1.0, timedelta(minutes=15), timedelta(hours=2), timedelta(hours=1))


def test_the_store_keeps_more_publications_than_the_estimator_reads() -> None:
    from tribun_crawler.state.base import PUBLICATIONS_KEPT

    assert timedelta(seconds=PUBLICATIONS_KEPT) > polling.HISTORY


# --- The spider: which sites a run discovers -------------------------------------------------------------------

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=WIB)


def store_history(settings: dict[str, Any], site: str, published: list[datetime], discovered: datetime) -> None:
    """What earlier runs left of ``site``: its articles (published at ``published``) and its last discovery."""
    with open_store(settings) as store:
        for i, moment in enumerate(published):
            url = f"https://{SITES[site].host}/{moment:%Y/%m/%d}/berita-nomor-{i}"
            store.put(ArticleRecord(key=key_fingerprint(url), url=url, body=i, published=int(moment.timestamp())))
        store.discovered(site, int(discovered.timestamp()))


@pytest.fixture
def state_file(state_settings: dict[str, Any]) -> dict[str, Any]:
    """The store of the test's runs: a SQLite file, or a Redis prefix (tests/conftest.py)."""
    return state_settings


@pytest.fixture
def spider_at(state_file: dict[str, Any]) -> Iterator[Any]:
    """``spider_at(now, settings=None, **arguments)``: a spider whose run's present moment is ``now``."""
    built: list[TribunSpider] = []

    def build(now: datetime, settings: dict[str, Any] | None = None, **arguments: str) -> TribunSpider:
        values = {**project_settings_dict(project_settings), **state_file, "TRIBUN_NOW": now.isoformat()}
        crawler = get_crawler(TribunSpider, {**values, **(settings or {})})
        spider = TribunSpider.from_crawler(crawler, **arguments)
        crawler.spider = spider
        built.append(spider)
        return spider

    yield build
    for spider in built:
        CrawlState.of(spider.crawler).close("finished")


def discovered_hosts(spider: TribunSpider) -> set[str]:
    return {request.url.split("/")[2] for request in spider.initial_requests()}


def test_a_site_not_due_is_skipped_and_counted(spider_at: Any, state_file: dict[str, Any], caplog: Any) -> None:
    # jateng was discovered at 01:00 and publishes nothing at night; banyumas five minutes ago; jogja never.
    night = NOW.replace(hour=2)
    store_history(state_file, "jateng", newsroom_day(NOW.replace(hour=1)), NOW.replace(hour=1))
    store_history(state_file, "banyumas", newsroom_day(night), night - timedelta(minutes=5))
    spider = spider_at(night, sites="jateng,banyumas,jogja")
    with caplog.at_level("INFO"):
        assert discovered_hosts(spider) == {"jogja.tribunnews.com"}
    stats = spider.crawler.stats.get_stats()
    assert stat.DISCOVERY_NOT_DUE.of(stats) == {"banyumas.tribunnews.com": 1, "jateng.tribunnews.com": 1}
    assert stats[stat.DISCOVERY_DUE] == 1
    assert "Adaptive polling: 1 of 3 site(s) due, 2 not due yet" in caplog.text


def test_a_site_is_due_after_the_maximum_interval(spider_at: Any, state_file: dict[str, Any]) -> None:
    store_history(state_file, "jateng", newsroom_day(NOW.replace(hour=1)), NOW.replace(hour=1))
    assert discovered_hosts(spider_at(NOW.replace(hour=2, minute=55), sites="jateng")) == set()
    assert discovered_hosts(spider_at(NOW.replace(hour=3), sites="jateng")) == {"jateng.tribunnews.com"}


def test_a_busy_site_is_due_at_the_next_run(spider_at: Any, state_file: dict[str, Any]) -> None:
    store_history(state_file, "jateng", newsroom_day(NOW), NOW)
    assert discovered_hosts(spider_at(NOW + timedelta(minutes=15), sites="jateng")) == {"jateng.tribunnews.com"}


@pytest.mark.parametrize(
    ("arguments", "settings"),
    [
        ({"force": "1"}, {}),
        ({}, {"TRIBUN_ADAPTIVE_POLLING": False}),
        ({"since": "2026-12-01"}, {}),
        ({"until": "2026-12-04"}, {}),
    ],
    ids=["force", "setting-off", "since", "until"],
)
def test_force_the_setting_and_a_date_window_discover_every_site(
    spider_at: Any, state_file: dict[str, Any], arguments: dict[str, str], settings: dict[str, Any]
) -> None:
    for site in ("jateng", "banyumas"):
        store_history(state_file, site, newsroom_day(NOW), NOW - timedelta(minutes=5))
    spider = spider_at(NOW, settings, sites="jateng,banyumas", **arguments)
    assert discovered_hosts(spider) == {"jateng.tribunnews.com", "banyumas.tribunnews.com"}
    assert stat.DISCOVERY_NOT_DUE.of(spider.crawler.stats.get_stats()) == {}


def test_start_urls_are_never_skipped(spider_at: Any, state_file: dict[str, Any]) -> None:
    store_history(state_file, "jateng", newsroom_day(NOW), NOW - timedelta(minutes=5))
    spider = spider_at(NOW, start_urls="https://jateng.tribunnews.com/")
    assert [request.url for request in spider.initial_requests()] == ["https://jateng.tribunnews.com/"]


def answer(request: Any, status: int = 200, body: bytes = b"<html><body><p>Kosong</p></body></html>") -> Any:
    from scrapy.http import HtmlResponse

    return HtmlResponse(request.url, status=status, body=body, encoding="utf-8", request=request)


@pytest.mark.parametrize(("reason", "recorded"), [("finished", True), ("shutdown", False), ("network_down", False)])
def test_a_site_counts_as_discovered_once_a_page_of_its_discovery_was_read_and_the_run_finished(
    spider_at: Any, state_file: dict[str, Any], reason: str, recorded: bool
) -> None:
    spider = spider_at(NOW, sites="jateng,banyumas")
    requests = list(spider.initial_requests())
    jateng_home = next(r for r in requests if r.url == "https://jateng.tribunnews.com/")
    list(spider.parse_listing(answer(jateng_home)))
    # banyumas's pages were never answered (the run was killed, or they failed): it is not polled.
    CrawlState.of(spider.crawler).close(reason)
    with open_store(state_file) as store:
        assert store.last_discoveries() == ({"jateng": int(NOW.timestamp())} if recorded else {})
    assert spider.crawler.stats.get_value(stat.DISCOVERY_RECORDED) == (1 if recorded else None)


def test_a_sitemap_read_counts_as_discovery_and_a_missing_one_does_not(
    spider_at: Any, state_file: dict[str, Any]
) -> None:
    spider = spider_at(NOW, sites="jateng,banyumas", discover="sitemaps")
    jateng, banyumas = list(spider.initial_requests())
    # banyumas publishes none of the guessed names: its 404s are no discovery.
    following = list(spider.parse_sitemap(answer(banyumas, 404)))
    assert [r.url for r in following] == ["https://banyumas.tribunnews.com/sitemap_news.xml"]
    assert meta.discovery_site(following[0].meta) == "banyumas"
    list(spider.parse_sitemap(answer(following[0], 404)))
    sitemap = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    list(spider.parse_sitemap(answer(jateng, body=sitemap)))
    CrawlState.of(spider.crawler).close("finished")
    with open_store(state_file) as store:
        assert set(store.last_discoveries()) == {"jateng"}


def test_a_backfill_that_ends_before_today_records_no_discovery(spider_at: Any, state_file: dict[str, Any]) -> None:
    spider = spider_at(NOW, sites="jateng", since="2026-11-01", until="2026-11-02")
    for request in spider.initial_requests():
        list(spider.parse_listing(answer(request)))
    CrawlState.of(spider.crawler).close("finished")
    with open_store(state_file) as store:
        assert store.last_discoveries() == {}


def test_the_robots_txt_of_a_site_not_due_starts_no_sitemap(spider_at: Any, state_file: dict[str, Any]) -> None:
    # An article of jateng reached through a related link fetches its robots.txt: its Sitemap: lines wait.
    store_history(state_file, "jateng", newsroom_day(NOW), NOW - timedelta(minutes=5))
    spider = spider_at(NOW, sites="jateng", discover="sitemaps")
    assert list(spider.initial_requests()) == []
    robots = answer(
        Request("https://jateng.tribunnews.com/robots.txt"), body=b"Sitemap: https://jateng.tribunnews.com/s.xml\n"
    )
    spider.robots_txt_received(robots, robots.request)
    assert spider.crawler.stats.get_value(stat.SITEMAP_FROM_ROBOTS_TXT) is None


# --- Midnight: what a site published between its last discovery and the end of that day ------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_first_run_of_a_day_reads_yesterdays_index_down_to_the_last_discovery(
    spider_at: Any, state_file: dict[str, Any]
) -> None:
    # jateng was last discovered at 22:20 yesterday; at 00:30 it is due (max interval), and what it published from
    # 22:20 to midnight is on yesterday's index only. bali was discovered after midnight: today's index is enough.
    after_midnight = datetime(2026, 12, 4, 0, 30, tzinfo=WIB)
    last = datetime(2026, 12, 3, 22, 20, tzinfo=WIB)
    store_history(state_file, "jateng", newsroom_day(last), last)
    bali_last = datetime(2026, 12, 4, 0, 10, tzinfo=WIB)
    store_history(state_file, "bali", newsroom_day(bali_last, tz=WITA, per_hour={range(24): 12}), bali_last)
    spider = spider_at(after_midnight, sites="jateng,bali", discover="index")
    requests = list(spider.initial_requests())
    assert [r.url for r in requests] == [
        "https://jateng.tribunnews.com/index-news?date=2026-12-4",
        "https://jateng.tribunnews.com/index-news?date=2026-12-3",
        "https://bali.tribunnews.com/index-news?date=2026-12-4",
    ]
    yesterday = requests[1]
    assert meta.listing_since(yesterday.meta) == int(last.timestamp())
    assert meta.discovery_site(yesterday.meta) == "jateng"


@pytest.mark.parametrize(("last_discovery", "paged"), [("22:30", False), ("22:00", True)])
def test_yesterdays_index_is_paged_only_down_to_the_last_discovery(
    spider_at: Any, last_discovery: str, paged: bool
) -> None:
    # The index page of 20 June 2024 lists 22:15 to 23:51: a discovery at 22:30 saw what is further down.
    spider = spider_at(NOW)
    url = "https://www.tribunnews.com/index-news?date=2024-6-20"
    request = spider.listing_request(url, priority=0)
    hour, minute = map(int, last_discovery.split(":"))
    request.meta[meta.LISTING_SINCE] = int(datetime(2024, 6, 20, hour, minute, tzinfo=WIB).timestamp())
    body = (FIXTURES / "listings" / "www-index-news-2024-6-20.html").read_bytes()
    response = answer(request, body=body)
    pages = [r.url for r in spider.parse_listing(response) if r.meta["tribun_page_type"] == "index"]
    assert pages == (["https://www.tribunnews.com/index-news?date=2024-6-20&page=2"] if paged else [])


@pytest.mark.parametrize(
    "settings",
    [{"TRIBUN_POLL_THRESHOLD": 0}, {"TRIBUN_MIN_POLL_INTERVAL": 9000}, {"TRIBUN_MAX_POLL_INTERVAL": -1}],
    ids=["threshold", "min-above-max", "negative-max"],
)
def test_polling_settings_that_cannot_work_stop_the_crawl_before_it_starts(settings: dict[str, Any]) -> None:
    crawler = get_crawler(TribunSpider, {**project_settings_dict(project_settings), **settings})
    with pytest.raises(ValueError, match="POLL"):
        TribunSpider.from_crawler(crawler)
