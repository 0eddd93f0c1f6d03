"""The discovery cache end to end: consecutive ``scrapy crawl tribun`` runs against the replica, one state file and
so one cache folder (beside it), as cron runs them. What was requested is read from the replica's request log.

- sitemaps, on a replica that sends validators (``--validators``): the second run asks for no robots.txt, every
  sitemap it asks for is answered 304 and no url set is read again; the files an index lists at an unchanged
  ``lastmod`` are not asked for at all; the run emits nothing and exits 0;
- after a run cut short (a page limit: not ``finished``), the next one reads the sitemaps answered 304 all the
  same, and between them the two runs fetch and emit every listed article once;
- a web sitemap (changes only) asked for once per ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` while the news sitemap of its
  host answers;
- robots.txt on the crawl's clock (``TRIBUN_NOW``), on the replica as it is by default (no validators): asked for
  once by runs within 24 hours, again by the run after them; the hubs, without validators, are asked for every run.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import CrawlResult, run_crawl, spider_today
from tests.replica import Replica, start_replica
from tests.replica.network import POPULATED_SITES
from tests.replica.pages import sitemap_files
from tests.test_sitemap_e2e import article_keys, sitemap_articles
from tribun_crawler.sites import SITES, WIB, site_key

pytestmark = pytest.mark.slow


def gets(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in log if entry["method"] == "GET"]


def is_sitemap(entry: dict[str, Any]) -> bool:
    site = site_key(entry["host"])
    return site is not None and entry["path"] in sitemap_files(site) and not entry["query"]


def crawl(replica: Replica, workdir: Path, name: str, **settings: str) -> tuple[CrawlResult, list[dict[str, Any]]]:
    """One run; its requests are the replica log's lines it added."""
    before = len(replica.requests())
    result = run_crawl(workdir, settings=settings, env=replica.env, name=name, args=ARGS[name.rstrip("0123456789")])
    assert result.returncode == 0, result.log[-3000:]
    return result, replica.requests()[before:]


ARGS = {
    "sitemaps": {"sites": ",".join(POPULATED_SITES), "discover": "sitemaps"},
    "sections": {"sites": "banyumas", "discover": "sections"},
    # No discover: the default, hubs and daily index for new articles, sitemaps for changes. Every site every run.
    "default": {"sites": ",".join(POPULATED_SITES), "force": "1"},
}


def test_a_second_sitemap_run_asks_only_conditionally_and_reads_no_unchanged_sitemap(tmp_path: Path) -> None:
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    with start_replica(tmp_path, today=spider_today(), validators=True) as replica:
        first, first_log = crawl(replica, tmp_path, "sitemaps1", **settings)
        second, second_log = crawl(replica, tmp_path, "sitemaps2", **settings)
    assert (tmp_path / "state-discovery" / "finished-runs").read_text().count("\n") == 2

    assert first.items
    first_sitemaps = [(e["host"], e["path"]) for e in gets(first_log) if is_sitemap(e)]
    assert {e["status"] for e in gets(first_log) if is_sitemap(e)} == {200}
    assert sorted(e["host"] for e in gets(first_log) if e["path"] == "/robots.txt") == sorted(
        SITES[s].host for s in POPULATED_SITES
    )

    # Run 2: robots.txt from the cache; every sitemap asked for conditionally and unchanged; no article.
    assert [e for e in gets(second_log) if e["path"] == "/robots.txt"] == []
    second_sitemaps = [(e["host"], e["path"]) for e in gets(second_log) if is_sitemap(e)]
    assert second_sitemaps
    assert {e["status"] for e in gets(second_log) if is_sitemap(e)} == {304}
    assert [e for e in gets(second_log) if not is_sitemap(e) and e["status"] != 404] == []
    assert second.items == []
    stats = second.stats["stats"]
    # No url set was read again: not one entry; each was answered 304 and counted.
    assert stats.get("tribun/sitemap/entries", 0) == 0
    assert stats["tribun/discovery/not_modified"] > 0
    # The files an index lists with the lastmod run 1 read them at are not asked for at all.
    assert stats["tribun/discovery/sitemap_unchanged"] > 0
    assert ("www.tribunnews.com", "/nasional/sitemap-news.xml") in first_sitemaps
    assert ("www.tribunnews.com", "/nasional/sitemap-news.xml") not in second_sitemaps
    assert len(second_sitemaps) < len(first_sitemaps)
    # A run with nothing new is healthy.
    assert second.stats["problems"] == []
    print(
        f"\nrequests: run 1 {len(gets(first_log))} ({Counter(e['status'] for e in gets(first_log))}), "
        f"run 2 {len(gets(second_log))} ({Counter(e['status'] for e in gets(second_log))})"
    )


def test_robots_txt_is_asked_for_once_a_day_of_the_crawl_clock(tmp_path: Path) -> None:
    today = spider_today()
    start = datetime.combine(today, datetime.min.time(), WIB) + timedelta(hours=6)
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    robots: list[int] = []
    hubs: list[int] = []
    with start_replica(tmp_path, today=today) as replica:
        for n, hours in enumerate((0, 1, 23.5, 24.5), start=1):
            now = (start + timedelta(hours=hours)).isoformat()
            _, log = crawl(replica, tmp_path, f"sections{n}", **settings, TRIBUN_NOW=now)
            robots.append(len([e for e in gets(log) if e["path"] == "/robots.txt"]))
            hubs.append(len([e for e in gets(log) if e["path"] == "/" and not e["query"]]))
    # Within 24 hours of the run that fetched it, robots.txt comes from the cache; the fourth run is 24.5 hours
    # after the first, so it is asked for again. The homepage carries no validator: asked for every run.
    assert robots == [1, 0, 0, 1]
    assert hubs == [1, 1, 1, 1]


def test_a_web_sitemap_is_asked_for_again_only_once_its_interval_has_passed(tmp_path: Path) -> None:
    """banyumas publishes a news sitemap (new articles, with their publication dates) and a web sitemap (each
    article's lastmod): runs 1 h apart ask for the news sitemap each time and for the web sitemap once per
    ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` (4 h)."""
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    start = datetime.now(WIB)
    asked: list[Counter[str]] = []
    held: list[int] = []
    with start_replica(tmp_path, today=spider_today(), validators=True) as replica:
        for n, hours in enumerate((0, 1, 4.1), start=1):
            at = (start + timedelta(hours=hours)).isoformat()
            result, log = crawl(replica, tmp_path, f"sitemaps{n}", **settings, TRIBUN_NOW=at)
            asked.append(Counter(e["path"] for e in gets(log) if e["host"] == SITES["banyumas"].host))
            held.append(result.stats["stats"].get("tribun/discovery/change_sitemap_not_due", 0))
    assert sitemap_files("banyumas")["/sitemap_web.xml"].kind == "web"
    assert [a["/sitemap_news.xml"] for a in asked] == [1, 1, 1]
    assert [a["/sitemap_web.xml"] for a in asked] == [1, 0, 1]
    assert held == [0, 1, 0]


def test_a_default_run_reads_the_sitemaps_for_changes_once_per_interval(tmp_path: Path) -> None:
    """The default discovery (discover=sections,index,changes) on runs 0, 1 and 4.1 hours apart: the hubs and the
    daily index every run; every sitemap file once per TRIBUN_CHANGE_SITEMAP_INTERVAL, held from the cache in
    between, and never the regional news sitemap's name; every host's sitemaps recorded as showing its changes."""
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    start = datetime.now(WIB)
    sitemaps: list[Counter[str]] = []
    listings: list[int] = []
    held: list[int] = []
    with start_replica(tmp_path, today=spider_today(), validators=True) as replica:
        for n, hours in enumerate((0, 1, 4.1), start=1):
            at = (start + timedelta(hours=hours)).isoformat()
            result, log = crawl(replica, tmp_path, f"default{n}", **settings, TRIBUN_NOW=at)
            sitemaps.append(Counter(e["host"] for e in gets(log) if is_sitemap(e)))
            listings.append(len([e for e in gets(log) if e["path"] == "/" or e["path"].startswith("/index-news")]))
            held.append(result.stats["stats"].get("tribun/discovery/change_sitemap_not_due", 0))
            asked = {(e["host"], e["path"]) for e in gets(log)}
            assert (SITES["banyumas"].host, "/sitemap_news.xml") not in asked
            assert result.stats["errors"].get("http/404") is None
    hosts = {SITES[site].host for site in POPULATED_SITES}
    assert set(sitemaps[0]) == hosts
    assert sitemaps[1] == Counter()
    assert set(sitemaps[2]) == hosts
    assert min(listings) > 0
    assert held[0] == 0 < held[1]
    answers = json.loads((tmp_path / "state-discovery" / "host-answers.json").read_text())
    assert set(answers["changes"]) == hosts
    assert set(answers["new_articles"]) == hosts


def test_after_a_run_cut_short_the_unchanged_sitemaps_are_read_again(tmp_path: Path) -> None:
    """Run 1 stops at a page limit, before it asked for every article its sitemaps list: its copies vouch for
    nothing. Run 2 gets 304 for every sitemap, reads them all the same, and fetches what run 1 left."""
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    with start_replica(tmp_path, today=spider_today(), validators=True) as replica:
        network = replica.network()
        first, first_log = crawl(replica, tmp_path, "sitemaps1", **settings, CLOSESPIDER_PAGECOUNT="20")
        assert first.stats["finish_reason"] == "closespider_pagecount"
        assert not (tmp_path / "state-discovery" / "finished-runs").exists()
        second, second_log = crawl(replica, tmp_path, "sitemaps2", **settings)

    listed = sitemap_articles(network, POPULATED_SITES)
    assert article_keys(network, first_log) < listed
    # The sitemaps run 1 read are unchanged (304); those it never reached come whole.
    read_before = {(e["host"], e["path"]) for e in gets(first_log) if is_sitemap(e)}
    again = {(e["host"], e["path"]): e["status"] for e in gets(second_log) if is_sitemap(e)}
    assert {status for key, status in again.items() if key in read_before} == {304}
    stats = second.stats["stats"]
    assert "tribun/discovery/not_modified" not in stats
    assert stats["tribun/sitemap/entries"] > 0
    # Between them, the two runs fetched every listed article once, and emitted every story once.
    assert article_keys(network, first_log) | article_keys(network, second_log) == listed
    emitted = [item["url"] for item in first.items + second.items]
    assert len(emitted) == len(set(emitted)) == len(listed) - 1  # the syndicated pair is one story
