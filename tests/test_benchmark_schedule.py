"""The scheduling benchmark (benchmarks/schedule.py) and its clocked replica day (benchmarks/schedule_network.py).

The clocked day must show only what is published at its clock (an article invisible before its time, in every
listing and at its URL; visible after; an update served from its time on), and the benchmark's figures must add
up on a real run: ``--quick`` for ``before``, every published article emitted, delays non-negative, requests by
kind summing to the total the replica logged.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from benchmarks import schedule
from benchmarks.schedule_network import (
    BIG_SITES,
    HOURLY_WEIGHTS,
    ClockedConfig,
    DayNetwork,
    build_day,
    daily_volume,
)
from tests.replica.network import Article
from tests.replica.server import Response
from tribun_crawler.sites import WIB
from tribun_crawler.urls import article_key

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
DAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def day() -> DayNetwork:
    return build_day(
        hosts=("www", "jatim", "banyumas", "makassar"), day=DAY, history_days=1, steps=32, start_time=time(6)
    )


def serve(day: DayNetwork, tmp_path: Path, clock: datetime) -> ClockedConfig:
    clock_file = tmp_path / "clock.txt"
    clock_file.write_text(clock.isoformat(), encoding="utf-8")
    return ClockedConfig(network=day.view(day.start), log_path=tmp_path / "log.jsonl", day=day, clock_file=clock_file)


def get(config: ClockedConfig, article: Article, path: str, query: str = "") -> Response:
    return config.respond(article.host, path, query, BROWSER)


def published_in_the_steps(day: DayNetwork, site: str) -> Article:
    return next(a for a in day.published_between(day.start + timedelta(hours=2), day.end) if a.site == site)


def test_an_article_is_nowhere_before_its_publication_and_everywhere_after(day: DayNetwork, tmp_path: Path) -> None:
    article = published_in_the_steps(day, "banyumas")
    index = f"/index-news?date={DAY.year}-{DAY.month}-{DAY.day}"
    before = serve(day, tmp_path, article.published - timedelta(seconds=1))
    assert get(before, article, article.path).status == 404
    assert get(before, article, article.path, "page=all").status == 404
    for path in ("/", "/index-news", "/sitemap_news.xml", "/sitemap_web.xml"):
        answer = get(before, article, path, index.partition("?")[2] if path == "/index-news" else "")
        assert answer.status == 200
        assert article.url.encode() not in answer.body, path

    after = serve(day, tmp_path, article.published)
    page = get(after, article, article.path, "page=all")
    assert page.status == 200
    assert article.headline.encode() in page.body
    for path in ("/", "/sitemap_news.xml", "/sitemap_web.xml"):
        assert article.url.encode() in get(after, article, path).body, path
    assert article.url.encode() in get(after, article, "/index-news", index.partition("?")[2]).body
    # Today's index is the clock's day when the request names none.
    assert article.url.encode() in get(after, article, "/index-news").body


def test_an_update_is_served_from_its_time_on_with_its_lastmod(day: DayNetwork, tmp_path: Path) -> None:
    assert day.updates, "the day has no updated article"
    key, update = next((k, u) for k, u in day.updates.items() if u.at <= day.end)
    original = next(a for a in day.articles if a.key == key)
    note = update.article.pages[0][-1]
    assert isinstance(note, str)
    assert original.modified == original.published < update.at
    before = serve(day, tmp_path, update.at - timedelta(minutes=1))
    page = get(before, original, original.path, "page=all")
    assert page.status == 200
    assert note.split(":", 1)[1].strip().encode() not in page.body
    sitemap = get(
        before, original, "/sitemap_web.xml" if original.site != "www" else f"/{original.section}/sitemap-web.xml"
    )
    assert f"<lastmod>{original.published.isoformat()}</lastmod>".encode() in sitemap.body

    after = serve(day, tmp_path, update.at)
    page = get(after, original, original.path, "page=all")
    assert note.split(":", 1)[1].strip().encode() in page.body
    assert update.at.astimezone(original.tz).isoformat().encode()[:16] in page.body
    sitemap = get(
        after, original, "/sitemap_web.xml" if original.site != "www" else f"/{original.section}/sitemap-web.xml"
    )
    assert f"<lastmod>{update.at.isoformat()}</lastmod>".encode() in sitemap.body


def test_pages_link_only_to_articles_published_before_them(day: DayNetwork) -> None:
    published = {a.key: a.published for a in day.articles}
    links = [(a, target) for a in day.articles for target, _ in a.links()]
    assert links
    assert all(published[target] < published[a.key] for a, target in links)


def test_the_day_is_deterministic_uneven_and_follows_a_daily_rhythm() -> None:
    hosts = ("www", BIG_SITES[0], "banyumas", "ambon")
    first = build_day(hosts=hosts, day=DAY, history_days=0, steps=96, seed=3)
    again = build_day(hosts=hosts, day=DAY, history_days=0, steps=96, seed=3)
    assert [(a.url, a.published) for a in first.articles] == [(a.url, a.published) for a in again.articles]
    assert {k: u.at for k, u in first.updates.items()} == {k: u.at for k, u in again.updates.items()}
    per_site = {site: sum(1 for a in first.articles if a.site == site) for site in hosts}
    assert per_site["www"] > 250
    assert 50 <= per_site[BIG_SITES[0]] <= 70
    assert 10 <= min(per_site["banyumas"], per_site["ambon"]) <= max(per_site["banyumas"], per_site["ambon"]) <= 30
    hours = [a.published.astimezone(WIB).hour for a in first.articles]
    assert sum(1 for h in hours if h < 5) * 5 < sum(1 for h in hours if 8 <= h < 13)
    assert HOURLY_WEIGHTS[3] < HOURLY_WEIGHTS[10]
    share = len(first.updates) / len(first.articles)
    assert 0.02 < share < 0.09
    assert 10 <= daily_volume("banyumas", random.Random(1)) <= 30


def test_a_request_before_any_clock_is_written_sees_the_whole_day(day: DayNetwork, tmp_path: Path) -> None:
    last = day.published_between(day.start, day.end)[-1]
    config = ClockedConfig(
        network=day.view(day.start), log_path=tmp_path / "log.jsonl", day=day, clock_file=tmp_path / "absent.txt"
    )
    assert get(config, last, last.path).status == 200
    assert config.respond(last.host, last.path, "", "python-requests/2.32").status == 403


def test_request_kinds() -> None:
    def kind(path: str, query: str = "", host: str = "www.tribunnews.com") -> str:
        return schedule.request_kind({"host": host, "path": path, "query": query})

    assert kind("/robots.txt") == "robots"
    assert kind("/nasional/sitemap-news.xml") == "sitemap"
    assert kind("/sitemap_web.xml.gz", host="makassar.tribunnews.com") == "sitemap"
    assert kind("/index-news", "date=2026-11-30&page=2") == "daily index"
    assert kind("/") == "home/hub"
    assert kind("/nasional") == "home/hub"
    assert kind("/nasional/7000123/harga-beras-naik", "page=all") == "article"
    assert kind("/tag/banjir") == "other"


@pytest.mark.slow
def test_quick_run_of_before_adds_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results.json"
    code = schedule.main(["--quick", "--modes", "before", "--workdir", str(tmp_path), "--json", str(results)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "requests per new article" in printed
    assert "delay to feed, p95" in printed
    data = json.loads(results.read_text(encoding="utf-8"))
    assert (data["sites"], data["steps"]) == (12, 16)
    (before,) = data["columns"]
    assert before["name"] == "before"
    assert before["runs"] == 16
    assert before["failed_runs"] == {}
    assert before["published"] > 50
    assert before["missed"] == []
    assert before["new_articles"] == before["published"]
    assert before["older_first_emitted"] == 0
    assert 0 <= before["delay_median_min"] <= before["delay_p95_min"] <= 15
    assert sum(before["requests"].values()) == before["total_requests"]
    assert set(before["requests"]) == set(schedule.KINDS)
    # Every request of the runs is in the replica's log, and only those after the warm-up are counted.
    log = [json.loads(line) for line in (tmp_path / "before" / "requests.jsonl").read_text().splitlines()]
    logged = [e for e in log if e["method"] != "CONNECT"]
    assert before["total_requests"] + before["warmup_requests"] == len(logged)
    assert before["total_bytes"] == sum(e["bytes"] for e in logged) - sum(
        e["bytes"] for e in logged[: before["warmup_requests"]]
    )
    assert before["requests"]["article"] >= before["new_articles"]
    assert before["requests"]["robots"] == 16 * 12
    assert before["updates_emitted"] == before["updates_due"]
    assert before["requests_per_new_article"] == pytest.approx(
        before["total_requests"] / before["new_articles"], rel=1e-3
    )


def test_the_www_sitemap_index_gives_each_file_the_lastmod_of_its_newest_change(
    day: DayNetwork, tmp_path: Path
) -> None:
    article = published_in_the_steps(day, "www")
    news = f"https://www.tribunnews.com/{article.section}/sitemap-news.xml"

    def lastmods(clock: datetime) -> dict[str, str]:
        body = get(serve(day, tmp_path, clock), article, "/sitemap.xml").body.decode()
        entries = re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", body)
        return dict(entries)

    before, after = lastmods(article.published - timedelta(seconds=1)), lastmods(article.published)
    # The files of the article's section (news and web) move to its publication; the others stay.
    assert after[news] == article.published.isoformat() != before[news]
    assert after[news.replace("-news", "-web")] == article.published.isoformat()
    assert {url for url in after if after[url] != before[url]} <= {news, news.replace("-news", "-web")}


def test_an_article_not_emitted_is_missed_unless_published_within_the_longest_poll_interval(
    day: DayNetwork,
) -> None:
    last = day.step_time(day.steps)
    published = day.published_between(day.start, last)
    early = next(a for a in published if a.published < last - schedule.MAX_POLL_INTERVAL)
    late = next(a for a in reversed(published) if a.published > last - schedule.MAX_POLL_INTERVAL)
    emitted = {article_key(a.url): last for a in published if a not in (early, late)}
    column = schedule.Column(name="c", mode="after", discover="sitemaps")
    schedule.score(column, day, emitted, set(), {})
    assert (column.missed, column.pending) == ([early.url], [late.url])


def test_an_update_may_wait_for_the_next_read_of_its_web_sitemap_when_discovering_by_sitemaps(
    day: DayNetwork,
) -> None:
    assert schedule.update_horizon("after", "sitemaps") == timedelta(hours=6)
    assert schedule.update_horizon("after-c0", "sitemaps") == timedelta(hours=2)
    assert schedule.update_horizon("after-c2h", "sitemaps") == timedelta(hours=4)
    # The crawler's default reads sitemaps for changes; the design before it, hubs and indexes only.
    assert schedule.update_horizon("after", "default") == timedelta(hours=6)
    assert schedule.update_horizon("after-listings", "default") == timedelta(hours=2)
    assert schedule.update_horizon("before", "default") == timedelta(hours=2)
    assert schedule.update_horizon("after", "changes") == timedelta(hours=6)
    last = day.step_time(day.steps)
    updated = [
        a for a in day.published_between(day.start, last) if a.key in day.updates and day.updates[a.key].at <= last
    ]
    assert updated
    emitted = {article_key(a.url): last for a in day.published_between(day.start, last)}
    column = schedule.Column(name="c", mode="after", discover="sitemaps", update_horizon=timedelta(hours=6))
    schedule.score(column, day, emitted, set(), {})
    young = [a for a in updated if day.updates[a.key].at > last - timedelta(hours=6)]
    assert (column.updates_due, column.updates_emitted, column.updates_pending) == (len(updated), 0, len(young))
    strict = schedule.Column(name="c", mode="after-c0", discover="sitemaps", update_horizon=timedelta(0))
    schedule.score(strict, day, emitted, set(), {})
    assert (strict.updates_due, strict.updates_pending) == (len(updated), 0)
