"""The crawl benchmark's machinery on a tiny network: generator, HTTP cache, real crawl, re-run (not timed).

``benchmarks/crawl.py`` prints figures nobody checks in CI; this proves, on a few dozen articles, that what it
measures is a real crawl of the generated network replayed from the cache: every response comes from the cache,
every emitted line is one generated article, the re-run skips every article emitted before and outside the
recheck window.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.crawl import article_requests, feed_urls, rerun_requests, scrapy_crawl
from benchmarks.replica_cache import INDEX_PAGE_SIZE, build_network, start_urls, write_cache
from tribun_crawler.sites import WIB
from tribun_crawler.urls import article_key

pytestmark = pytest.mark.slow

ARTICLES = 60


def test_generated_network_crawls_from_the_cache_and_reruns_with_nothing_new(tmp_path: Path) -> None:
    net = build_network(ARTICLES, today=datetime.now(WIB).date(), hosts=("www", "banyumas", "makassar", "ambon"))
    summary = write_cache(net, tmp_path / "httpcache")
    multi_page = [a for a in net.articles if a.page_count > 1]
    # Plain URL and ?page=all for every article, ?page=2..N for the long ones; robots.txt, homepage and
    # daily indexes for every host; the www hubs.
    assert multi_page
    assert summary.entries >= 2 * ARTICLES + sum(a.page_count - 1 for a in multi_page) + 4 * (2 + net.days)

    urls = start_urls(net)
    first = scrapy_crawl(tmp_path, tmp_path / "httpcache", urls, name="first")
    assert first.returncode == 0
    assert first.stat("httpcache/miss") == 0
    assert first.stat("httpcache/hit") == first.requests
    emitted = feed_urls(first.feed)
    assert len(emitted) == first.items > 0
    generated = {article_key(a.url): a for a in net.articles}
    assert {article_key(url) for url in emitted} <= set(generated)
    # Every recent article is on its daily index (within the listing page limit): the crawl emits one article
    # of each story (an original or its syndicated copy, whichever it read first).
    listed = [a for a in net.articles if a.listed]
    assert all(len(net.on_date(a.site, a.published.date())) <= INDEX_PAGE_SIZE * 10 for a in listed)
    emitted_stories = {generated[article_key(url)].based_on or generated[article_key(url)].key for url in emitted}
    assert not [a.url for a in listed if (a.based_on or a.key) not in emitted_stories]
    assert len(emitted_stories) == len(emitted), "a story emitted twice (an original and its copy)"
    # A copy shows its original's text, and no copy is copied (the generator keeps the two roles apart).
    copies = [a for a in net.articles if a.based_on]
    assert copies
    assert all(generated[article_key(net.article(c.based_on).url)].based_on is None for c in copies)
    assert all(c.headline == net.article(c.based_on).headline for c in copies)
    assert first.stat("tribun/pages/article") >= first.items

    rerun = scrapy_crawl(tmp_path, tmp_path / "httpcache", urls, name="rerun", log_level="DEBUG")
    assert rerun.returncode == 0
    found = rerun_requests(net, article_requests(rerun.log), emitted, hours=48)
    assert found.outside_known == []
    assert rerun.stat("tribun/skipped/known") > 0
    assert rerun.items <= found.inside + len(found.outside_new)
