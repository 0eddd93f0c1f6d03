"""End to end: a real ``scrapy crawl tribun`` reaches the articles of 2015-2020 and reads every field of them.

The replica (tests/replica) serves old articles in the template of their year (docs/site.md#older-eras):
dates printed without a zone on regional pages, credits after the body (editor-only pieces, "Laporan Wartawan"
lines, "Sumber:"), title suffixes of the brand of that year, related links wrapped in ``/tag/``, ``/topics/`` and
``/topic/`` URLs that robots.txt disallows, "Baca Juga" tables; and bodies of every era with lists, tables, block
quotes and ``br`` lines. A crawl reaches them through related links of newer articles, or through the daily index
of their date (backfill). Each must come out once, every field equal to ``Network.expected_item``, and no wrapper
URL may be asked for.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawl import CrawlResult, by_url, run_crawl
from tests.replica import Replica
from tests.replica.network import Article, BodyList, Lines, Network, Quote, Table, wrapper_url

SITES = ("www", "banyumas", "jateng", "makassar")
#: First path segments of the wrappers old pages route related links through.
WRAPPERS = ("tag", "topic", "topics")

pytestmark = pytest.mark.slow


def _structured_body(article: Article) -> bool:
    return any(isinstance(b, BodyList | Table | Quote | Lines) for page in article.pages for b in page)


def articles_under_test(network: Network) -> list[Article]:
    """The old-era articles, and the articles of any era whose bodies hold lists, tables, quotes or br lines."""
    return [a for a in network.articles if a.era.old or _structured_body(a)]


def field_mismatches(network: Network, items: dict[str, Any], keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each article, the fields whose value differs from the expected item: {key: {field: (expected, got)}}."""
    found: dict[str, dict[str, Any]] = {}
    for key in keys:
        expected = network.expected_item(key)
        item = dict(items[expected["url"]])
        assert str(item.pop("dateDownloaded", "")).endswith("+00:00"), key
        wrong = {
            name: (value, item.get(name, "<missing>"))
            for name, value in expected.items()
            if item.get(name, "<missing>") != value
        }
        wrong.update({name: ("<absent>", item[name]) for name in item.keys() - expected.keys()})
        if wrong:
            found[key] = wrong
    return found


def wrapper_requests(result: CrawlResult, log: list[dict[str, Any]]) -> list[str]:
    """Wrapper URLs the crawler asked for: sent (in the replica's log) or stopped by robots.txt (in its own)."""
    sent = [
        f"{e['host']}{e['path']}?{e['query']}"
        for e in log
        if e["method"] == "GET" and e["path"].strip("/").split("/")[0] in WRAPPERS
    ]
    refused = re.findall(r"Forbidden by robots\.txt: <GET (\S+?)>", result.log)
    return sent + [url for url in refused if re.search(r"//[^/]+/(?:tag|topics?)/", url)]


def test_related_links_lead_into_the_older_eras_and_every_field_is_read(replica: Replica, tmp_path: Path) -> None:
    network = replica.network()
    under_test = articles_under_test(network)
    depths = network.depths(SITES, [replica.today])
    # The old articles are on no homepage, hub or sitemap: only related links of newer articles lead to them.
    assert {a.key: depths.get(a.key) for a in under_test if not 1 <= depths.get(a.key, -1) <= 2} == {}
    assert {a.site for a in under_test if a.era.old} == {"www", "makassar", "suryamalang"}
    # The pages the crawl reads carry wrapped related links of all three kinds: decoding them is being tested.
    wrapped = {wrapper_url(a, network.article(link.target)) for a in under_test if a.era.wrapper for link in a.related}
    assert {urlsplit(url).path.split("/")[1] for url in wrapped} == set(WRAPPERS)

    result = run_crawl(
        tmp_path,
        args={"sites": ",".join(SITES)},
        settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "2"},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]
    log = replica.requests()

    counts = Counter(item["url"] for item in result.items)
    assert {a.key: counts[a.url] for a in under_test} == {a.key: 1 for a in under_test}
    assert field_mismatches(network, by_url(result.items), [a.key for a in under_test]) == {}
    assert wrapper_requests(result, log) == []
    assert network.forbidden_requests(log, SITES, 2, [replica.today]) == []
    assert network.duplicate_fetches(log) == {}


def test_related_depth_one_stops_at_the_first_old_article(replica: Replica, tmp_path: Path) -> None:
    network = replica.network()
    starts = [network.article(key) for key in ("w-timnas", "m-pelabuhan")]
    result = run_crawl(
        tmp_path,
        args={"start_urls": ",".join(a.url for a in starts)},
        settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "1"},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]

    reached = {a.key for a in starts} | {key for a in starts for key in network.related_targets(a)}
    # The 2017 www schedule and suryamalang piece and the 2020 makassar copy are one hop away; what they link
    # (through wrappers and "Baca Juga" tables) is two hops away: not requested at all.
    assert {"w-jadwal-2017", "sm-arema-2017", "m-pelni-2020"} <= reached
    assert sorted(item["url"] for item in result.items) == sorted(network.article(k).url for k in reached)
    log = replica.requests()
    fetched = {found[0] for e in log if (found := network.request_article(e)) is not None}
    assert fetched == reached
    assert wrapper_requests(result, log) == []


@pytest.mark.parametrize(
    ("site", "key"),
    [("makassar", "m-cabai-2016"), ("suryamalang", "sm-stadion-2016"), ("www", "w-piala-2015")],
)
def test_backfill_of_an_old_day_reads_its_index_and_the_old_template(
    replica: Replica, tmp_path: Path, site: str, key: str
) -> None:
    network = replica.network()
    article = network.article(key)
    day = article.published.date()
    result = run_crawl(
        tmp_path,
        args={"sites": site, "since": day.isoformat(), "until": day.isoformat()},
        settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        env=replica.env,
    )
    assert result.returncode == 0, result.log[-3000:]
    log = replica.requests()

    on_day = [a for a in network.on_date(site, day) if a.published.date() == day]
    assert [a.key for a in on_day] == [key]
    assert [item["url"] for item in result.items] == [article.url]
    assert field_mismatches(network, by_url(result.items), [key]) == {}
    assert (article.host, "/index-news", f"date={day.year}-{day.month}-{day.day}") in {
        (e["host"], e["path"], e["query"]) for e in log if e["method"] == "GET"
    }
    assert wrapper_requests(result, log) == []
