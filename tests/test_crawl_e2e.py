"""End to end: the real ``scrapy crawl tribun`` against the replica network on 127.0.0.1.

The replica (tests/replica) serves four hosts in every template era through an HTTPS proxy; its
``network.py`` says which articles a correct crawl reaches, with which content, and which URLs it must never
request. These tests compare the JSONL feed and the replica's request log with that.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import by_url, run_crawl
from tests.replica import Replica
from tests.replica.network import Article, ExpectedArticle

SITES = ("www", "banyumas", "jateng", "makassar")

pytestmark = pytest.mark.slow


def assert_item_matches(item: dict[str, Any], expected: ExpectedArticle, source: Article) -> None:
    assert item["headline"] == expected.headline
    assert item["site"] == expected.site
    assert item["pageCount"] == expected.page_count
    assert item["articleBody"] == "\n\n".join(expected.paragraphs), expected.url
    assert item["datePublished"] == expected.date_published
    # Pages of the 2018-2023 template without JSON-LD show no modification date anywhere.
    assert item["dateModified"] == (expected.date_modified if source.jsonld != "absent" else None)
    assert item["isAccessibleForFree"] is (not expected.premium)
    assert item["isBasedOn"] == expected.based_on
    assert [a["name"] for a in item["authors"]] == [p.name for p in source.authors], expected.url
    assert [e["name"] for e in item["editors"]] == [p.name for p in source.editors], expected.url
    assert item["inLanguage"] == "id"
    assert item["dateDownloaded"].endswith("+00:00")


def assert_polite_request_log(replica: Replica, sites: tuple[str, ...], index_dates: list[date]) -> None:
    log = replica.requests()
    network = replica.network()
    assert log, "the crawl sent nothing through the replica"
    assert network.forbidden_requests(log, sites, 2, index_dates) == []
    assert network.duplicate_fetches(log) == {}
    assert not [entry for entry in log if entry.get("off_network")]
    assert {entry["user_agent"] for entry in log if entry["method"] == "GET"} == {
        next(entry["user_agent"] for entry in log if entry["method"] == "GET")
    }
    assert all(entry["status"] != 403 for entry in log), "the replica's CDN refused the crawler's user agent"


def test_whole_network_crawl_emits_every_reachable_article_once_and_complete(replica: Replica, tmp_path: Path) -> None:
    result = run_crawl(
        tmp_path,
        args={"sites": ",".join(SITES)},
        settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]

    network = replica.network()
    reachable = network.expected(SITES, depth=2, index_dates=[replica.today], include_copies=True)
    urls = [item["url"] for item in result.items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    # A story and its syndicated copy on another site are one article: whichever was read first is emitted.
    stories = {e.based_on or e.url for e in reachable}
    assert sorted({e.based_on or e.url for e in reachable if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    assert set(urls) <= {e.url for e in reachable}
    items = by_url(result.items)
    for article in reachable:
        if article.url in items:
            assert_item_matches(dict(items[article.url]), article, network.article(article.key))

    assert_polite_request_log(replica, SITES, [replica.today])
    # The jateng story republished on banyumas was read, and dropped as a copy of the original.
    assert "tribun/duplicates/syndicated" in result.log
    # One multi-page article's ?page=all answers page 1 only: its pages were stitched.
    assert "'tribun/articles/stitched': 1" in result.log


def test_related_links_are_followed_to_the_configured_depth(replica: Replica, tmp_path: Path) -> None:
    network = replica.network()
    shallow = run_crawl(
        tmp_path,
        args={"sites": "www"},
        settings={"TRIBUN_RELATED_DEPTH": "0", "TRIBUN_STATE_PATH": str(tmp_path / "shallow.sqlite3")},
        env=replica.env,
        name="shallow",
    )
    assert shallow.returncode == 0, shallow.log[-3000:]
    assert sorted(item["url"] for item in shallow.items) == [
        e.url for e in network.expected(["www"], depth=0, index_dates=[replica.today])
    ]
    deep = run_crawl(
        tmp_path,
        args={"sites": "www"},
        settings={"TRIBUN_RELATED_DEPTH": "3", "TRIBUN_STATE_PATH": str(tmp_path / "deep.sqlite3")},
        env=replica.env,
        name="deep",
    )
    assert sorted(item["url"] for item in deep.items) == [
        e.url for e in network.expected(["www"], depth=3, index_dates=[replica.today])
    ]
    assert len(deep.items) > len(shallow.items)


def test_start_urls_are_routed_by_shape_and_variants_collapse(replica: Replica, tmp_path: Path) -> None:
    network = replica.network()
    article = network.article("w-seoul")
    start_urls = [
        # An article through its AMP mirror with tracking: routed as an article, fetched once, canonical out.
        article.url.replace("https://www.", "https://m.").replace(".com/", ".com/amp/", 1) + "?utm_source=x#top",
        article.url + "/",
        f"https://banyumas.tribunnews.com/index-news?date={replica.today.year}-{replica.today.month}-"
        f"{replica.today.day}",
        "https://jateng.tribunnews.com/",
        "https://www.tribunnews.com/tag/pemilu",  # never requested: not a page the crawler reads
    ]
    result = run_crawl(
        tmp_path,
        args={"start_urls": ",".join(start_urls)},
        settings={"TRIBUN_RELATED_DEPTH": "0", "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]
    urls = sorted(item["url"] for item in result.items)
    reached = [article, *network.on_date("banyumas", replica.today), *network.latest("jateng")]
    # The banyumas copy of the jateng story and its original are one story: one of the two is emitted.
    original = {a.url: network.article(a.based_on).url if a.based_on else a.url for a in reached}
    assert len(urls) == len(set(original.values()))
    assert {original[url] for url in urls} == set(original.values())
    log = replica.requests()
    assert not [e for e in log if "/tag/" in e["path"]]
    assert network.duplicate_fetches(log) == {}


def test_backfill_window_reads_the_daily_index_of_each_day(replica: Replica, tmp_path: Path) -> None:
    network = replica.network()
    day = date(2024, 6, 20)
    result = run_crawl(
        tmp_path,
        args={"sites": "banyumas", "since": day.isoformat(), "until": day.isoformat()},
        settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]
    in_window = sorted(a.url for a in network.site_articles("banyumas") if a.published.date() == day)
    assert in_window, "the replica has articles on the backfilled day"
    assert sorted(item["url"] for item in result.items) == in_window
    log = replica.requests()
    paths = {(e["path"], e["query"]) for e in log if e["method"] == "GET"}
    assert ("/index-news", "date=2024-6-20") in paths
    # A backfill that ends before today does not read today's homepage.
    assert ("/", "") not in {(p, q) for p, q in paths}


def test_sections_restrict_the_hubs_crawled(replica: Replica, tmp_path: Path) -> None:
    result = run_crawl(
        tmp_path,
        args={"sections": "internasional,nasional"},
        settings={"TRIBUN_RELATED_DEPTH": "0", "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]
    listings = {
        (e["host"], e["path"])
        for e in replica.requests()
        if e["method"] == "GET"
        and replica.network().request_article(e) is None
        and e["path"] != "/robots.txt"
        and "sitemap" not in e["path"]
    }
    # The two hubs asked for, and today's daily index of the flagship; no other hub, no other site (the sitemaps
    # read for changes, discover=changes, are not hubs).
    assert listings == {
        ("www.tribunnews.com", "/internasional"),
        ("www.tribunnews.com", "/nasional"),
        ("www.tribunnews.com", "/index-news"),
    }
    network = replica.network()
    hub_articles = {a.url for a in network.latest("www", "internasional")} | {
        a.url for a in network.latest("www", "nasional")
    }
    assert hub_articles
    assert hub_articles <= {item["url"] for item in result.items}
