"""End to end, operation: blocks, robots.txt Crawl-delay, the user agent, the run report and the exit status.

Each test runs the real ``scrapy crawl tribun`` (tests/crawl.py) against the replica network (tests/replica),
which behaves like CloudFront in front of Tribun: 403 to non-browser user agents, 403 to everything on a
``--block``-ed host, ``Crawl-delay`` in robots.txt when asked, and with ``--redesign-since`` a new article
template for the newest articles. The replica's request log says what the crawler really sent.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawl import CrawlResult, run_crawl, spider_today
from tests.replica import Replica, start_replica
from tests.replica.network import POPULATED_SITES, Network
from tribun_crawler.extensions.report import report_path_for_feed
from tribun_crawler.settings import TRIBUN_BLOCK_THRESHOLD
from tribun_crawler.sites import SITES

pytestmark = pytest.mark.slow

SITE_LIST = ",".join(POPULATED_SITES)
HOSTS = tuple(SITES[key].host for key in POPULATED_SITES)
#: A small delay instead of 0: with 0, Scrapy may hand a host's queued requests to the downloader all at once,
#: before the first answer of the block is in.
BLOCK_TEST_DELAY = "0.01"


def crawl(tmp_path: Path, replica: Replica, name: str = "run", **kwargs: Any) -> CrawlResult:
    """``scrapy crawl tribun`` through the replica, with a state file of the run's own."""
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / f"{name}.sqlite3"), **kwargs.pop("settings", {})}
    return run_crawl(tmp_path, settings=settings, env=replica.env, name=name, **kwargs)


def gets(log: list[dict[str, Any]], host: str | None = None) -> list[dict[str, Any]]:
    return [e for e in log if e["method"] == "GET" and (host is None or e["host"] == host)]


def stories(network: Network, urls: set[str]) -> set[str]:
    """The stories behind article URLs: a syndicated copy and its original are one story."""
    by_url = {a.url: a for a in network.articles}
    return {network.article(by_url[url].based_on).url if by_url[url].based_on else url for url in urls}


# --- Blocks ----------------------------------------------------------------------------------------------------


def test_every_host_blocking_closes_the_run_as_blocked_with_exit_3(tmp_path: Path) -> None:
    with start_replica(tmp_path, today=spider_today(), block=POPULATED_SITES) as replica:
        result = crawl(tmp_path, replica, args={"sites": SITE_LIST}, settings={"DOWNLOAD_DELAY": BLOCK_TEST_DELAY})
        log = replica.requests()

    assert result.returncode == 3, result.log[-3000:]
    assert result.items == []
    assert result.stats["finish_reason"] == "blocked"
    assert result.stats["exit_code"] == 3
    assert result.stats["blocked_hosts"] == dict.fromkeys(sorted(HOSTS), 1)
    assert {f"tribun/blocked/{host}": 1 for host in HOSTS}.items() <= result.stats["stats"].items()
    for host in HOSTS:
        warnings = re.findall(
            rf"\[tribun_crawler\.middlewares\.blocks\] WARNING: {re.escape(host)} is blocking", result.log
        )
        assert len(warnings) == 1, host
        answers = gets(log, host)
        # Every answer is a refusal, and the crawler stopped asking once it had seen the threshold of them.
        assert answers, host
        assert {e["status"] for e in answers} == {403}
        assert len(answers) <= TRIBUN_BLOCK_THRESHOLD, (host, [e["path"] for e in answers])


def test_one_blocked_host_does_not_stop_the_others(tmp_path: Path) -> None:
    blocked = "banyumas"
    with start_replica(tmp_path, today=spider_today(), block=[blocked]) as replica:
        result = crawl(tmp_path, replica, args={"sites": SITE_LIST}, settings={"DOWNLOAD_DELAY": BLOCK_TEST_DELAY})
        log = replica.requests()
        network = replica.network()
        today = replica.today

    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    host = SITES[blocked].host
    assert result.stats["blocked_hosts"] == {host: 1}
    assert len(re.findall(rf"WARNING: {re.escape(host)} is blocking the crawler", result.log)) == 1
    assert len(gets(log, host)) <= TRIBUN_BLOCK_THRESHOLD
    # The other sites' articles all come out, each once; none of the blocked site's.
    others = [key for key in POPULATED_SITES if key != blocked]
    expected = {e.url for e in network.expected(others, depth=2, index_dates=[today])}
    urls = [item["url"] for item in result.items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) == expected
    # Every other page answered, but for the sitemap names a host does not publish (discover=changes looks for them).
    assert all(
        e["status"] == 200 or (e["status"] == 404 and "sitemap" in e["path"])
        for e in log
        if e["method"] == "GET" and e["host"] != host
    )


# --- Politeness ------------------------------------------------------------------------------------------------


def test_robots_crawl_delay_spaces_that_host_and_no_other(tmp_path: Path) -> None:
    delay = 1.0
    with start_replica(tmp_path, today=spider_today(), crawl_delay={"banyumas": delay}) as replica:
        result = crawl(tmp_path, replica, args={"sites": "www,banyumas"}, settings={"TRIBUN_RELATED_DEPTH": "0"})
        log = replica.requests()

    assert result.returncode == 0, result.log[-3000:]
    banyumas = [e["t"] for e in gets(log, "banyumas.tribunnews.com")]
    assert len(banyumas) >= 4, "the test needs a few banyumas pages"
    gaps = [later - earlier for earlier, later in pairwise(banyumas)]
    # The log's times are when the replica read each request: allow only transport jitter.
    assert min(gaps) >= delay - 0.05, gaps
    # www asked for no delay (DOWNLOAD_DELAY is 0 here): its pages came far faster than one a second.
    www = [e["t"] for e in gets(log, "www.tribunnews.com")]
    assert len(www) >= 10
    assert www[-1] - www[0] < delay * (len(www) - 1) / 2
    assert result.stats["stats"]["tribun/crawl_delay/banyumas.tribunnews.com"] == delay


def test_default_user_agent_is_a_browser_and_a_library_one_is_refused(tmp_path: Path, replica: Replica) -> None:
    settings = {"TRIBUN_RELATED_DEPTH": "0", "DOWNLOAD_DELAY": BLOCK_TEST_DELAY}
    default = crawl(tmp_path, replica, args={"sites": "www"}, settings=settings, name="default")
    default_log = replica.requests()

    assert default.returncode == 0, default.log[-3000:]
    assert default.items
    agents = {e["user_agent"] for e in gets(default_log)}
    assert len(agents) == 1
    assert agents.pop().startswith("Mozilla/5.0 (")
    assert {e["status"] for e in gets(default_log)} == {200}

    library = crawl(
        tmp_path,
        replica,
        args={"sites": "www"},
        settings={**settings, "USER_AGENT": "python-requests/2.0"},
        name="library",
    )
    library_log = replica.requests()[len(default_log) :]
    assert library.returncode == 3, library.log[-3000:]
    assert library.items == []
    assert {e["user_agent"] for e in gets(library_log)} == {"python-requests/2.0"}
    assert {e["status"] for e in gets(library_log)} == {403}


# --- Run report and exit status --------------------------------------------------------------------------------


def test_run_report_beside_the_feed_tells_what_the_run_did(tmp_path: Path, replica: Replica) -> None:
    result = crawl(tmp_path, replica, args={"sites": SITE_LIST})
    log = replica.requests()
    network = replica.network()

    assert result.returncode == 0, result.log[-3000:]
    report_file = report_path_for_feed(tmp_path / "run.jsonl")
    assert report_file == tmp_path / "run.stats.json"
    assert report_file.exists()
    report = result.stats
    assert report["finish_reason"] == "finished"
    assert report["exit_code"] == 0
    assert report["problems"] == []
    assert report["spider"] == "tribun"

    # Pages by type, as the replica saw them asked for.
    pages = Counter()
    absent = 0
    for entry in gets(log):
        if entry["path"] == "/robots.txt":
            continue
        fetched = network.request_article(entry)
        if fetched is not None:
            # An article is asked for as ?page=all; numbered pages are the ones stitched after it.
            pages["article" if fetched[1] == "all" else "article_page"] += 1
        elif entry["path"] == "/":
            pages["home"] += 1
        elif entry["path"].startswith("/index-news"):
            pages["index"] += 1
        elif "sitemap" in entry["path"]:
            # Read for the changes of recent articles (discover=changes). A name the host does not publish is an
            # answer received (in the total) but no page of a kind.
            if entry["status"] == 200:
                pages["sitemap"] += 1
            else:
                absent += 1
        else:
            pages["section"] += 1
    assert report["pages"] == {"total": sum(pages.values()) + absent, **pages}

    assert report["articles"] == len(result.items) > 0
    # The syndicated copy (jateng's story on banyumas) is one duplicate; nothing was malformed.
    assert report["duplicates"] == {"syndicated": 1}
    assert report["dropped"] == {}
    assert report["blocked_hosts"] == {}
    # The sitemap names a host does not publish (looked for by discover=changes) are no errors; the replica's one
    # malformed sitemap (pages.MALFORMED_SITEMAP, www's seleb news file, which www's index lists) is one.
    assert report["errors"] == {"sitemap/xml-syntax": 1}
    # Field coverage is the share of the articles read with the field filled: the emitted ones and the
    # syndicated copy the dedupe pipeline dropped.
    assert report["articles_read"] == len(result.items) + 1
    for name in ("headline", "articleBody", "datePublished"):
        assert report["coverage"][name] == 1.0
        assert report["emitted_coverage"][name] == 1.0
    # Emitted coverage is the same share over the articles in the feed.
    for name in ("dateModified", "keywords", "relatedUrls", "isBasedOn"):
        filled = sum(1 for item in result.items if item.get(name) not in (None, "", [], {}))
        assert report["emitted_coverage"][name] == round(filled / len(result.items), 4), name
    assert report["stats"]["item_scraped_count"] == len(result.items)


def test_a_scheduled_run_with_nothing_new_is_not_a_broken_run(tmp_path: Path, replica: Replica) -> None:
    # Today's news only (no related links): every article of the second run is within the recheck window, so it
    # is fetched again, and unchanged.
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"}
    first = crawl(tmp_path, replica, args={"sites": "www"}, settings=settings, name="first")
    assert first.returncode == 0, first.log[-3000:]
    assert first.items

    second = crawl(tmp_path, replica, args={"sites": "www"}, settings=settings, name="second")

    assert second.items == []
    assert second.stats["pages"]["article"] == len(first.items)
    assert second.stats["dropped"] == {"unchanged": len(first.items)}
    assert second.stats["problems"] == []
    assert second.returncode == 0


def test_a_new_article_template_loses_no_article_and_exits_5(tmp_path: Path) -> None:
    # The site switched templates yesterday: every article on today's listings is in the new one, whose body div
    # the era's selectors do not know. The generic reader takes the body from the page's densest text block, so
    # the articles are emitted whole; the run report names the fallback and the run exits 5 (coverage status).
    today = spider_today()
    with start_replica(tmp_path, today=today, redesign_since=today - timedelta(days=1)) as replica:
        result = crawl(tmp_path, replica, args={"sites": SITE_LIST, "discover": "sections"})
        log = replica.requests()
        network = replica.network()

    articles_read = [e for e in gets(log) if network.request_article(e)]
    assert articles_read
    report = result.stats
    assert report["finish_reason"] == "finished"
    assert report["articles"] == len(result.items) > 0
    redesigned = [a for a in network.articles if a.published.date() >= today - timedelta(days=1)]
    saved = [
        i
        for i in result.items
        if network.resolve(urlsplit(i["url"]).hostname or "", urlsplit(i["url"]).path) in redesigned
    ]
    assert saved
    # Every redesigned article fetched was read by the fallback, once, and saved, or dropped as a syndicated copy
    # of a story the feed already has.
    fetched = {key for e in articles_read if (key := network.request_article(e)[0]) in {a.key for a in redesigned}}
    assert report["extract_fallback"] == len(fetched)
    assert len(saved) + report["duplicates"].get("syndicated", 0) == len(fetched)
    assert report["extract_fallback"] / report["articles_read"] > 0.2
    for item in result.items:
        parts = urlsplit(item["url"])
        article = network.resolve(parts.hostname or "", parts.path)
        assert article is not None
        assert item["articleBody"] == network.expected_item(article.key)["articleBody"]
    assert any("densest text block" in problem for problem in report["problems"])
    assert report["exit_code"] == 5
    assert result.returncode == 5, result.log[-3000:]


def test_a_new_article_template_on_part_of_the_articles_is_reported(tmp_path: Path) -> None:
    # The newest articles come in a new template; older ones keep theirs and still read fine. The daily indexes
    # of the older articles' dates reach them at depth 0.
    today = spider_today()
    with start_replica(tmp_path, today=today, redesign_since=today - timedelta(days=1)) as replica:
        network = replica.network()
        old = [a for a in network.articles if a.published.date() < today - timedelta(days=1)]
        new = [a for a in network.articles if a.published.date() >= today - timedelta(days=1) and a.listed]
        indexes = sorted(
            {f"https://{a.host}/index-news?date={a.published.year}-{a.published.month}-{a.published.day}" for a in old}
        )
        homepages = [f"https://{SITES[key].host}/" for key in ("banyumas", "jateng", "makassar")]
        result = crawl(
            tmp_path,
            replica,
            args={"start_urls": ",".join([*homepages, *indexes])},
            settings={"TRIBUN_RELATED_DEPTH": "0"},
        )

    assert len(old) >= 10, "coverage is judged from TRIBUN_COVERAGE_MIN_ITEMS (10) articles on"
    assert new
    report = result.stats
    assert report["articles"] >= 10, result.log[-3000:]
    # Every emitted article is whole; the new template's articles were read by the body fallback.
    assert report["emitted_coverage"]["articleBody"] == 1.0
    # A few articles of the new template: read by the body fallback (or, too short for it, unreadable), named
    # in the report's problems, without failing the run.
    assert 0 < report["extract_fallback"] < report["articles_read"]
    assert report["extract_fallback"] + report["errors"].get("unreadable/no-body", 0) <= len(new)
    assert any("densest text block" in problem for problem in report["problems"])
    assert report["exit_code"] == 0
    assert result.returncode == 0
