"""Discovery from sitemaps, request by request: what the spider follows, requests and skips, on saved sitemaps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import build_from_crawler
from twisted.python.failure import Failure

from tests.test_spider import make_spider
from tribun_crawler import meta
from tribun_crawler.items import ArticleItem
from tribun_crawler.spiders.tribun import (
    MAX_SITEMAP_DEPTH,
    PRIORITY_ARTICLE,
    TribunSpider,
)
from tribun_crawler.state import open_store
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sitemaps"

SpiderFactory = Callable[..., TribunSpider]


@pytest.fixture
def spider_factory(tmp_path: Path) -> Iterator[SpiderFactory]:
    """``spider_factory(settings=None, **arguments)``: a spider whose state store is a file of this test."""
    built: list[TribunSpider] = []

    def build(settings: dict[str, Any] | None = None, **arguments: str) -> TribunSpider:
        state = {"TRIBUN_STATE_BACKEND": "sqlite", "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}
        built.append(make_spider({**state, **(settings or {})}, **arguments))
        return built[-1]

    yield build
    for spider in built:
        CrawlState.of(spider.crawler).close("finished")


def sitemap_response(spider: TribunSpider, url: str, fixture: str | None = None, *, body: bytes = b"") -> Response:
    """The response to the spider's own request for sitemap ``url`` (its meta carries the nesting depth)."""
    request = spider.sitemap_request(url, depth=0)
    return response_to(request, (FIXTURES / fixture).read_bytes() if fixture else body)


def response_to(request: Request, body: bytes) -> Response:
    if body.startswith(b"\x1f\x8b"):
        return Response(request.url, body=body, request=request, headers={"Content-Type": "application/x-gzip"})
    return XmlResponse(request.url, body=body, request=request)


def opened_ms(spider: TribunSpider) -> int:
    """When the spider's crawl state opened the store (opened now if not yet): what is recorded since is the run's."""
    state = CrawlState.of(spider.crawler)
    state.open()
    return state.opened_ms


def stat(spider: TribunSpider, name: str) -> Any:
    return spider.crawler.stats.get_value(name)


def iso(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def store(
    spider: TribunSpider,
    url: str,
    *,
    published: str,
    modified: str | None = None,
    this_run: bool = False,
    recorded: int | None = None,
) -> None:
    """Record ``url`` in the spider's state store as an earlier run (or this run) emitted it (at ``recorded``)."""
    if recorded is None:
        recorded = now_ms() + 1 if this_run else opened_ms(spider) - 60_000
    record = ArticleRecord(
        key=key_fingerprint(url),
        url=url,
        body=0,
        published=iso(published),
        modified=iso(modified) if modified else None,
        recorded=recorded,
    )
    with open_store(spider.settings) as state:
        state.put(record)


def recheck_hours_covering(day: str) -> str:
    """A TRIBUN_RECHECK_HOURS whose window reaches back to ``day`` (the fixtures' date) and one day more."""
    return str((datetime.now().astimezone() - datetime.fromisoformat(day)).total_seconds() / 3600 + 24)


# --- The discover argument -----------------------------------------------------------------------------------


def test_discover_defaults_to_hubs_daily_index_and_sitemaps_for_changes() -> None:
    default = [r.url for r in make_spider(sites="www,banyumas").initial_requests()]
    assert default == [
        r.url for r in make_spider(sites="www,banyumas", discover="sections,index,changes").initial_requests()
    ]
    day = make_spider().today()
    index = f"index-news?date={day.year}-{day.month}-{day.day}"
    assert [r.url for r in make_spider(sites="banyumas", discover="index").initial_requests()] == [
        f"https://banyumas.tribunnews.com/{index}"
    ]


def test_discover_sitemaps_starts_from_each_sites_standard_sitemap_xml() -> None:
    spider = make_spider(sites="www,banyumas", discover="sitemaps")
    requests = list(spider.initial_requests())
    assert [r.url for r in requests] == [
        "https://www.tribunnews.com/sitemap.xml",
        "https://banyumas.tribunnews.com/sitemap.xml",
    ]
    assert {(r.callback, r.meta["tribun_page_type"], r.meta["sitemap_depth"]) for r in requests} == {
        (spider.parse_sitemap, "sitemap", 0)
    }
    # The names to look for next on the host, once /sitemap.xml is answered; a 404 is an answer, not a failure.
    assert [r.meta[meta.SITEMAP_GUESSES] for r in requests] == [
        [],
        ["https://banyumas.tribunnews.com/sitemap_news.xml", "https://banyumas.tribunnews.com/sitemap_web.xml"],
    ]
    assert {tuple(r.meta["handle_httpstatus_list"]) for r in requests} == {(404, 410)}


def test_discover_combines_ways_per_site() -> None:
    spider = make_spider(sites="jateng", discover="sitemaps,sections")
    assert [r.url for r in spider.initial_requests()] == [
        "https://jateng.tribunnews.com/",
        "https://jateng.tribunnews.com/sitemap.xml",
    ]


def test_discover_changes_reads_sitemaps_for_changes_only_and_their_files_too(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="www,banyumas", discover="sections,changes")
    sitemaps = [r for r in spider.initial_requests() if r.meta["tribun_page_type"] == "sitemap"]
    # The regional news sitemap's name is not looked for: its entries carry no lastmod.
    assert [(r.url, r.meta[meta.SITEMAP_GUESSES]) for r in sitemaps] == [
        ("https://www.tribunnews.com/sitemap.xml", []),
        (f"{BANYUMAS}sitemap.xml", [f"{BANYUMAS}sitemap_web.xml"]),
    ]
    assert all(meta.is_changes_only(r.meta) for r in sitemaps)
    (next_name,) = spider.parse_sitemap(absent(sitemaps[1]))
    assert (next_name.url, meta.is_changes_only(next_name.meta)) == (f"{BANYUMAS}sitemap_web.xml", True)
    index = response_to(sitemaps[0], (FIXTURES / "www-sitemap-index-2026-03-12.xml").read_bytes())
    files = list(spider.parse_sitemap(index))
    assert len(files) == 10
    assert all(meta.is_changes_only(r.meta) for r in files)
    # With sitemaps, they are read for new articles too: no file is asked for changes only.
    both = spider_factory(sites="www", discover="sitemaps,changes")
    (sitemap,) = both.initial_requests()
    assert not meta.is_changes_only(sitemap.meta)
    # A backfill that ends before today reads no sitemap: they list the last two days.
    backfill = spider_factory(sites="banyumas", discover="index,changes", since="2024-01-22", until="2024-01-23")
    assert [r.meta["tribun_page_type"] for r in backfill.initial_requests()] == ["index", "index"]
    # Nor without the discovery cache, which holds them between reads.
    uncached = spider_factory({"TRIBUN_DISCOVERY_CACHE": "0"}, sites="banyumas", discover="index,changes")
    assert [r.meta["tribun_page_type"] for r in uncached.initial_requests()] == ["index"]


def test_discover_refuses_unknown_ways_and_start_urls() -> None:
    with pytest.raises(ValueError, match="discover must be one or more of sections, index, sitemaps, changes"):
        make_spider(discover="sitemaps,rss")
    with pytest.raises(ValueError, match="either start_urls or discover"):
        make_spider(discover="sitemaps", start_urls="https://www.tribunnews.com/nasional")


# --- Sitemap indexes -----------------------------------------------------------------------------------------


def test_sitemap_index_yields_its_sitemaps_one_level_deeper(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(discover="sitemaps")
    response = sitemap_response(spider, "https://www.tribunnews.com/sitemap.xml", "www-sitemap-index-2026-03-12.xml")
    requests = list(spider.parse_sitemap(response))
    assert [r.url for r in requests][:2] == [
        "https://www.tribunnews.com/nasional/sitemap-news.xml",
        "https://www.tribunnews.com/nasional/sitemap-web.xml",
    ]
    assert len(requests) == 10
    assert {(r.callback, r.meta["sitemap_depth"]) for r in requests} == {(spider.parse_sitemap, 1)}
    assert stat(spider, "tribun/sitemap/read/sitemapindex") == 1
    assert stat(spider, "tribun/pages/sitemap") == 1


def test_nested_indexes_end_at_the_depth_limit(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="jateng", discover="sitemaps")
    body = (FIXTURES / "jateng-sitemap_news-index-2026-03-12.xml").read_bytes()
    request = spider.sitemap_request("https://jateng.tribunnews.com/sitemap_news.xml", depth=MAX_SITEMAP_DEPTH - 1)
    assert [r.meta["sitemap_depth"] for r in spider.parse_sitemap(response_to(request, body))] == [
        MAX_SITEMAP_DEPTH
    ] * 3
    request = spider.sitemap_request("https://jateng.tribunnews.com/sitemap_news.xml", depth=MAX_SITEMAP_DEPTH)
    assert list(spider.parse_sitemap(response_to(request, body))) == []
    assert stat(spider, "tribun/sitemap/skipped/too_deep") == 3


def test_index_entries_off_the_chosen_sites_are_not_followed(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="www", discover="sitemaps")
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.tribunnews.com/nasional/sitemap-news.xml</loc></sitemap>
<sitemap><loc>https://m.tribunnews.com/nasional/sitemap-web.xml?utm_source=x</loc></sitemap>
<sitemap><loc>https://jateng.tribunnews.com/sitemap_news.xml</loc></sitemap>
<sitemap><loc>https://www.kompas.com/sitemap.xml</loc></sitemap>
<sitemap><loc>https://video.tribunnews.com/sitemap.xml</loc></sitemap>
</sitemapindex>
"""
    requests = list(spider.parse_sitemap(sitemap_response(spider, "https://www.tribunnews.com/sitemap.xml", body=body)))
    # The mirror host is the flagship: canonicalised like every other link.
    assert [r.url for r in requests] == [
        "https://www.tribunnews.com/nasional/sitemap-news.xml",
        "https://www.tribunnews.com/nasional/sitemap-web.xml",
    ]
    assert stat(spider, "tribun/sitemap/skipped/other_site") == 1
    assert stat(spider, "tribun/sitemap/skipped/off_network") == 2


# --- News and web sitemaps -----------------------------------------------------------------------------------


def test_news_sitemap_requests_its_articles_with_the_sitemaps_date_and_keywords(
    spider_factory: SpiderFactory,
) -> None:
    spider = spider_factory(sites="banyumas", discover="sitemaps")
    url = "https://banyumas.tribunnews.com/sitemap_news.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "banyumas-sitemap_news-2026-03-12.xml")))
    assert [r.url for r in requests] == [
        "https://banyumas.tribunnews.com/banyumas/813904/pemkab-banyumas-buka-pendaftaran-beasiswa-mahasiswa-berprestasi?page=all",
        "https://banyumas.tribunnews.com/cilacap/813877/kapal-nelayan-cilacap-kembali-melaut-setelah-gelombang-tinggi-mereda?page=all",
        # /amp/ and utm_source gone: the canonical article URL
        "https://banyumas.tribunnews.com/banyumas/813802/jadwal-kereta-tambahan-stasiun-purwokerto-selama-libur-lebaran?page=all",
    ]
    first = requests[0]
    assert (first.callback, first.priority) == (spider.parse_article, PRIORITY_ARTICLE)
    assert (first.meta["tribun_page_type"], first.meta["related_depth"]) == ("article", 0)
    assert first.meta[meta.SITEMAP_HINTS] == {
        "datePublished": "2026-03-12T10:21:00+07:00",
        "keywords": ["beasiswa", "Pemkab Banyumas", "mahasiswa"],
        "lastmod": None,  # a news entry has none
    }
    assert (stat(spider, "tribun/sitemap/entries"), stat(spider, "tribun/sitemap/requested")) == (3, 3)
    assert stat(spider, "tribun/sitemap/read/urlset") == 1


def test_web_sitemap_entries_that_are_not_articles_are_skipped(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(discover="sitemaps")
    url = "https://www.tribunnews.com/nasional/sitemap-web.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-web-2026-03-12.xml")))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["7702214", "7702187", "20"]
    # The section hub and the /video/ page.
    assert stat(spider, "tribun/sitemap/skipped/not_article") == 2
    assert stat(spider, "tribun/skipped/not_article") is None
    assert requests[0].meta[meta.SITEMAP_HINTS] == {
        "datePublished": None,
        "keywords": [],
        "lastmod": "2026-03-12T14:02:47+07:00",
    }


@pytest.mark.parametrize(
    ("window", "requested"),
    [
        ({"since": "2026-03-12"}, ["7702214", "7702187", "7702150"]),
        ({"until": "2026-03-11"}, ["7701893"]),
        ({"since": "2026-03-11", "until": "2026-03-12"}, ["7702214", "7702187", "7702150", "7701893"]),
    ],
)
def test_entries_outside_since_until_are_skipped(
    spider_factory: SpiderFactory, window: dict[str, str], requested: list[str]
) -> None:
    spider = spider_factory(discover="sitemaps", **window)
    url = "https://www.tribunnews.com/nasional/sitemap-news.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-news-2026-03-12.xml")))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == requested
    skipped = 4 - len(requested)
    assert stat(spider, "tribun/sitemap/skipped/out_of_window") == (skipped or None)
    assert stat(spider, "tribun/skipped/out_of_window") == (skipped or None)


def test_a_lastmod_before_since_proves_the_entry_old(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(discover="sitemaps", since="2026-03-12")
    url = "https://www.tribunnews.com/nasional/sitemap-web.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-web-2026-03-12.xml")))
    # The 2024 article last changed on 11 March 2026: published before since too.
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["7702214", "7702187"]
    assert stat(spider, "tribun/sitemap/skipped/out_of_window") == 1


def test_stored_articles_are_requested_only_when_the_sitemap_shows_a_change(spider_factory: SpiderFactory) -> None:
    spider = spider_factory({"TRIBUN_RECHECK_HOURS": recheck_hours_covering("2026-03-11T00:00:00+07:00")})
    www = "https://www.tribunnews.com"
    kpk = f"{www}/nasional/7702214/kpk-periksa-dua-saksi-kasus-kuota-haji-di-gedung-merah-putih"
    prabowo = f"{www}/nasional/7702187/prabowo-gibran-hadiri-sidang-tahunan-mpr-ini-agenda-lengkapnya"
    jokowi = f"{www}/nasional/2024/06/20/jokowi-resmikan-bendungan-di-nusa-tenggara-timur"
    # Changed since it was stored: the web sitemap's lastmod (14:02:47) is later.
    store(spider, kpk, published="2026-03-12T13:55:00+07:00", modified="2026-03-12T13:55:00+07:00")
    # Unchanged: lastmod 13:40:00, stored 13:40 (seconds aside, the same minute).
    store(spider, prabowo, published="2026-03-12T13:40:00+07:00", modified="2026-03-12T13:40:30+07:00")
    # Published long before the recheck window.
    store(spider, jokowi, published="2024-06-20T09:00:00+07:00")

    # www's sitemaps show its changes (discover=changes): a hub naming a recent article is no reason to read it.
    CrawlState.of(spider.crawler).changes_from_sitemaps(["www"])
    dupefilter = build_from_crawler(RFPDupeFilter, spider.crawler)
    # A hub named the article earlier in the run; the state middleware ignores that request (no sign of a change
    # then), which still takes the URL's fingerprint.
    (named_by_hub,) = spider.article_requests(kpk, depth=0, priority=0)
    assert not dupefilter.request_seen(named_by_hub)

    url = f"{www}/nasional/sitemap-web.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-web-2026-03-12.xml")))
    assert [r.url for r in requests] == [f"{kpk}?page=all"]
    assert (stat(spider, "tribun/sitemap/skipped/unchanged"), stat(spider, "tribun/sitemap/skipped/known")) == (1, 1)
    # The sitemap's evidence gets through the scheduler's dupefilter all the same.
    (changed,) = requests
    assert dupefilter.request_seen(changed)
    assert changed.dont_filter
    # Run-wide skips too, so a run that finds nothing new reads as healthy.
    assert (stat(spider, "tribun/skipped/unchanged"), stat(spider, "tribun/skipped/known")) == (1, 1)


def test_a_changed_article_a_hub_had_fetched_read_in_this_run_is_left_to_the_dupefilter(
    spider_factory: SpiderFactory,
) -> None:
    """Without sitemap evidence for its site the hub's request was a recheck by age (read), so the sitemap's own
    request is a repeat the dupefilter drops: the article is not fetched twice."""
    spider = spider_factory({"TRIBUN_RECHECK_HOURS": recheck_hours_covering("2026-03-11T00:00:00+07:00")})
    kpk = "https://www.tribunnews.com/nasional/7702214/kpk-periksa-dua-saksi-kasus-kuota-haji-di-gedung-merah-putih"
    store(spider, kpk, published="2026-03-12T13:55:00+07:00", modified="2026-03-12T13:55:00+07:00")
    (_read_by_age,) = spider.article_requests(kpk, depth=0, priority=0)
    url = "https://www.tribunnews.com/nasional/sitemap-web.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-web-2026-03-12.xml")))
    assert [r.dont_filter for r in requests if r.url == f"{kpk}?page=all"] == [False]


def test_a_news_entry_shows_no_change_so_a_stored_article_is_not_fetched_again(
    spider_factory: SpiderFactory,
) -> None:
    spider = spider_factory({"TRIBUN_RECHECK_HOURS": recheck_hours_covering("2026-03-11T00:00:00+07:00")})
    www = "https://www.tribunnews.com"
    bmkg = f"{www}/nasional/7702150/bmkg-prakirakan-hujan-lebat-di-12-provinsi-hingga-akhir-pekan"
    dpr = f"{www}/nasional/7701893/dpr-gelar-rapat-kerja-dengan-menteri-pendidikan-bahas-zonasi"
    store(spider, dpr, published="2026-03-11T21:14:09+07:00", modified="2026-03-11T22:00:00+07:00")
    # Recorded by this very run: the request dupefilter, not the state, stops the repeat.
    store(spider, bmkg, published="2026-03-12T12:58:31+07:00", this_run=True)
    url = f"{www}/nasional/sitemap-news.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-news-2026-03-12.xml")))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["7702214", "7702187", "7702150"]
    assert stat(spider, "tribun/sitemap/skipped/unchanged") == 1


def test_stored_articles_of_a_run_that_did_not_finish_are_requested_whatever_the_sitemap_shows(
    spider_factory: SpiderFactory,
) -> None:
    spider = spider_factory({"TRIBUN_RECHECK_HOURS": recheck_hours_covering("2026-03-11T00:00:00+07:00")})
    www = "https://www.tribunnews.com"
    kpk = f"{www}/nasional/7702214/kpk-periksa-dua-saksi-kasus-kuota-haji-di-gedung-merah-putih"
    prabowo = f"{www}/nasional/7702187/prabowo-gibran-hadiri-sidang-tahunan-mpr-ini-agenda-lengkapnya"
    jokowi = f"{www}/nasional/2024/06/20/jokowi-resmikan-bendungan-di-nusa-tenggara-timur"
    stopped_at = now_ms() - 120_000  # the stopped run opened before this one, which opens on first use
    with open_store(spider.settings) as state:
        state.open_run("stopped", stopped_at)
    # Recorded by the stopped run: read again for the links it leads to, though the sitemap shows no change since.
    store(spider, prabowo, published="2026-03-12T13:40:00+07:00", modified="2026-03-12T13:40:30+07:00")
    store(spider, kpk, published="2026-03-12T13:55:00+07:00", modified="2026-03-12T14:05:00+07:00")
    # Recorded before it opened: known, as without the marker.
    store(spider, jokowi, published="2024-06-20T09:00:00+07:00", recorded=stopped_at - 1)

    url = f"{www}/nasional/sitemap-web.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "www-nasional-sitemap-web-2026-03-12.xml")))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["7702214", "7702187"]
    assert (stat(spider, "tribun/sitemap/skipped/unchanged"), stat(spider, "tribun/sitemap/skipped/known")) == (None, 1)


def test_a_malformed_sitemap_keeps_the_entries_before_the_error(
    spider_factory: SpiderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    spider = spider_factory(discover="sitemaps")
    url = "https://www.tribunnews.com/seleb/sitemap-news.xml"
    fixture = "www-seleb-sitemap-news-control-char-2026-03-12.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, fixture)))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["7702233"]
    assert stat(spider, "tribun/errors/sitemap/xml-syntax") == 1
    assert stat(spider, "tribun/sitemap/read/urlset") is None
    assert f"Sitemap {url} is not readable (xml-syntax" in caplog.text


@pytest.mark.parametrize(
    ("fixture", "problem"),
    [
        ("www-techno-sitemap-news-rss-2026-03-12.xml", "not-sitemap"),
        ("www-sport-sitemap-web-cloudfront-403-2026-03-12.xml", "not-sitemap"),
        ("www-otomotif-sitemap-web-truncated-2026-03-12.xml", "xml-syntax"),
    ],
)
def test_a_file_that_is_no_sitemap_is_counted_with_its_problem(
    spider_factory: SpiderFactory, fixture: str, problem: str
) -> None:
    spider = spider_factory(discover="sitemaps")
    list(spider.parse_sitemap(sitemap_response(spider, "https://www.tribunnews.com/sport/sitemap-web.xml", fixture)))
    assert stat(spider, f"tribun/errors/sitemap/{problem}") == 1


def test_a_gzip_sitemap_is_read(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="makassar", discover="sitemaps")
    url = "https://makassar.tribunnews.com/makassar/sitemap_web.xml.gz"
    fixture = "makassar-makassar-sitemap_web-2026-03-12.xml.gz"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, fixture)))
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["905871", "905840", "905512"]
    assert stat(spider, "tribun/sitemap/read/gzip") == 1


def test_a_gzip_sitemap_decompressing_past_the_download_limit_is_refused(spider_factory: SpiderFactory) -> None:
    spider = spider_factory({"DOWNLOAD_MAXSIZE": 600}, sites="makassar", discover="sitemaps")
    url = "https://makassar.tribunnews.com/makassar/sitemap_web.xml.gz"
    fixture = "makassar-makassar-sitemap_web-2026-03-12.xml.gz"
    assert (FIXTURES / fixture).stat().st_size < 600
    assert list(spider.parse_sitemap(sitemap_response(spider, url, fixture))) == []
    assert stat(spider, "tribun/errors/sitemap/too-large") == 1


def test_a_sitemap_that_cannot_be_fetched_is_counted(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(discover="sitemaps")
    request = spider.sitemap_request("https://www.tribunnews.com/sitemap.xml", depth=0)
    failure = Failure(HttpError(Response(request.url, status=404, request=request), "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    spider.sitemap_failed(failure)
    assert stat(spider, "tribun/errors/sitemap/http_404") == 1


# --- Names looked for: /sitemap.xml, then the regional names -------------------------------------------------

BANYUMAS = "https://banyumas.tribunnews.com/"


def absent(request: Request, status: int = 404) -> Response:
    """The host's answer to a sitemap name it does not publish: its HTML "not found" page."""
    page = b"<html><head><title>Halaman tidak ditemukan</title></head><body><h1>404</h1></body></html>"
    return TextResponse(request.url, status=status, body=page, request=request, headers={"Content-Type": "text/html"})


def test_names_are_looked_for_one_after_another_and_an_absent_one_is_counted_quietly(
    spider_factory: SpiderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    spider = spider_factory(sites="banyumas", discover="sitemaps")
    (first,) = spider.initial_requests()
    assert first.url == f"{BANYUMAS}sitemap.xml"
    caplog.set_level("INFO", logger="tribun_crawler.spiders.tribun")

    (second,) = spider.parse_sitemap(absent(first))
    assert (second.url, second.meta[meta.SITEMAP_GUESSES]) == (
        f"{BANYUMAS}sitemap_news.xml",
        [f"{BANYUMAS}sitemap_web.xml"],
    )
    assert second.meta["sitemap_depth"] == 0
    # The regional news sitemap is there: its articles, then the last name.
    body = (FIXTURES / "banyumas-sitemap_news-2026-03-12.xml").read_bytes()
    requests = list(spider.parse_sitemap(response_to(second, body)))
    assert [r.meta["tribun_page_type"] for r in requests] == ["article"] * 3 + ["sitemap"]
    third = requests[-1]
    assert (third.url, third.meta[meta.SITEMAP_GUESSES]) == (f"{BANYUMAS}sitemap_web.xml", [])
    assert list(spider.parse_sitemap(absent(third, 410))) == []

    assert stat(spider, "tribun/sitemap/absent") == 2
    assert stat(spider, "tribun/pages/sitemap") == 1
    assert [
        name for name in spider.crawler.stats.get_stats() if name.startswith(("tribun/failed/", "tribun/errors/"))
    ] == []
    notes = [(r.levelname, r.getMessage()) for r in caplog.records if "No sitemap at" in r.getMessage()]
    assert notes == [
        ("INFO", f"No sitemap at {BANYUMAS}sitemap.xml (HTTP 404): the host does not publish that name"),
        ("INFO", f"No sitemap at {BANYUMAS}sitemap_web.xml (HTTP 410): the host does not publish that name"),
    ]
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def test_an_index_at_sitemap_xml_is_followed_before_the_next_name_is_looked_for(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="jateng", discover="sitemaps")
    (first,) = spider.initial_requests()
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://jateng.tribunnews.com/semarang/sitemap_news.xml</loc></sitemap>
<sitemap><loc>https://jateng.tribunnews.com/sitemap_news.xml</loc></sitemap>
</sitemapindex>
"""
    requests = list(spider.parse_sitemap(response_to(first, body)))
    # What the index names comes first, as named (one level deeper, a 404 of it a failure): the dupefilter then
    # drops the guess of the same URL.
    assert [(r.url, r.meta["sitemap_depth"], meta.SITEMAP_GUESSES in r.meta) for r in requests] == [
        ("https://jateng.tribunnews.com/semarang/sitemap_news.xml", 1, False),
        ("https://jateng.tribunnews.com/sitemap_news.xml", 1, False),
        ("https://jateng.tribunnews.com/sitemap_news.xml", 0, True),
    ]
    assert "handle_httpstatus_list" not in requests[0].meta
    assert stat(spider, "tribun/sitemap/read/sitemapindex") == 1


def test_a_guess_robots_txt_names_is_no_guess(spider_factory: SpiderFactory, caplog: pytest.LogCaptureFixture) -> None:
    spider = spider_factory(sites="jateng", discover="sitemaps")
    (first,) = spider.initial_requests()
    engine = RecordingEngine()
    spider.crawler.engine = engine  # type: ignore[assignment]
    robots = robots_response("https://jateng.tribunnews.com/robots.txt", ROBOTS)
    spider.robots_txt_received(robots, robots.request)  # type: ignore[arg-type]
    assert engine.crawled[0].url == first.url  # dropped by the dupefilter: the guess stands for it
    (following,) = spider.parse_sitemap(absent(first))
    assert following.url == "https://jateng.tribunnews.com/sitemap_news.xml"
    assert stat(spider, "tribun/sitemap/absent") is None
    assert stat(spider, "tribun/errors/sitemap/http_404") == 1
    assert stat(spider, "tribun/failed/http/404") == 1
    assert f"Sitemap {first.url} could not be fetched: HTTP 404" in caplog.text


def test_a_guess_that_cannot_be_fetched_still_leads_to_the_next_name(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="banyumas", discover="sitemaps")
    (first,) = spider.initial_requests()
    failure = Failure(HttpError(Response(first.url, status=503, request=first), "Ignoring non-200 response"))
    failure.request = first  # type: ignore[attr-defined]
    assert [r.url for r in spider.sitemap_failed(failure)] == [f"{BANYUMAS}sitemap_news.xml"]
    assert stat(spider, "tribun/errors/sitemap/http_503") == 1
    refused = Failure(IgnoreRequest("Forbidden by robots.txt"))
    refused.request = first  # type: ignore[attr-defined]
    assert [r.url for r in spider.sitemap_failed(refused)] == [f"{BANYUMAS}sitemap_news.xml"]
    assert stat(spider, "tribun/sitemap/absent") is None


def test_an_old_url_of_a_stored_article_in_a_sitemap_is_skipped_as_an_alias(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="banyumas", discover="sitemaps")
    renamed = "https://banyumas.tribunnews.com/banyumas/813904/beasiswa-mahasiswa-berprestasi-pemkab-banyumas-dibuka"
    with open_store(spider.settings) as state:
        state.put(
            ArticleRecord(
                key=key_fingerprint(renamed), url=renamed, body=0, published=iso("2026-03-12T10:21:00+07:00")
            ),
            [key_fingerprint("https://banyumas.tribunnews.com/cilacap/813877/slug-lama")],
        )
    url = f"{BANYUMAS}sitemap_news.xml"
    requests = list(spider.parse_sitemap(sitemap_response(spider, url, "banyumas-sitemap_news-2026-03-12.xml")))
    # 813904 is the stored article under another slug (the id decides): known; 813877 redirected to it: an alias.
    assert [r.url.rsplit("/", 2)[-2] for r in requests] == ["813802"]
    assert (stat(spider, "tribun/sitemap/skipped/known"), stat(spider, "tribun/sitemap/skipped/known_alias")) == (1, 1)
    assert stat(spider, "tribun/skipped/known_alias") == 1


# --- robots.txt ----------------------------------------------------------------------------------------------


class RecordingEngine:
    def __init__(self) -> None:
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def robots_response(url: str, body: bytes, status: int = 200) -> TextResponse:
    return TextResponse(url, body=body, status=status, headers={"Content-Type": "text/plain"}, request=Request(url))


ROBOTS = b"""User-agent: *
Disallow: /api/
Disallow: /tag/

Sitemap: https://jateng.tribunnews.com/sitemap.xml
Sitemap: https://jateng.tribunnews.com/sitemap_news.xml
Sitemap: https://banyumas.tribunnews.com/sitemap_news.xml
Sitemap: https://sitemaps.example.net/jateng.xml
"""


def test_robots_txt_sitemap_lines_are_crawled_for_the_chosen_sites(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="jateng", discover="sitemaps")
    engine = RecordingEngine()
    spider.crawler.engine = engine  # type: ignore[assignment]
    response = robots_response("https://jateng.tribunnews.com/robots.txt", ROBOTS)
    spider.robots_txt_received(response, response.request)  # type: ignore[arg-type]
    assert [(r.url, r.callback, r.meta["sitemap_depth"]) for r in engine.crawled] == [
        ("https://jateng.tribunnews.com/sitemap.xml", spider.parse_sitemap, 0),
        ("https://jateng.tribunnews.com/sitemap_news.xml", spider.parse_sitemap, 0),
    ]
    assert stat(spider, "tribun/sitemap/skipped/other_site") == 1
    assert stat(spider, "tribun/sitemap/skipped/off_network") == 1

    # The robots.txt of a site the run did not choose (reached through a related link), and a failed one.
    for url, status in (
        ("https://banyumas.tribunnews.com/robots.txt", 200),
        ("https://jateng.tribunnews.com/robots.txt", 404),
    ):
        other = robots_response(url, ROBOTS, status)
        spider.robots_txt_received(other, other.request)  # type: ignore[arg-type]
    assert len(engine.crawled) == 2


def test_robots_txt_sitemap_lines_are_ignored_without_sitemap_discovery(spider_factory: SpiderFactory) -> None:
    spider = spider_factory(sites="jateng")
    engine = RecordingEngine()
    spider.crawler.engine = engine  # type: ignore[assignment]
    response = robots_response("https://jateng.tribunnews.com/robots.txt", ROBOTS)
    spider.robots_txt_received(response, response.request)  # type: ignore[arg-type]
    assert engine.crawled == []


# --- The article ---------------------------------------------------------------------------------------------


def test_sitemap_date_and_keywords_fill_only_what_the_page_lacks() -> None:
    spider = make_spider()
    hints = {"datePublished": "2026-03-12T10:21:00+07:00", "keywords": ["beasiswa", "Pemkab Banyumas"]}
    bare = ArticleItem(url="https://banyumas.tribunnews.com/banyumas/813904/slug")
    spider.fill_from_sitemap(bare, hints)
    assert (bare.datePublished, bare.keywords) == ("2026-03-12T10:21:00+07:00", ["beasiswa", "Pemkab Banyumas"])
    assert stat(spider, "tribun/sitemap/filled/datePublished") == 1

    full = ArticleItem(
        url="https://banyumas.tribunnews.com/banyumas/813904/slug",
        datePublished="2026-03-12T10:20:00+07:00",
        keywords=["beasiswa"],
    )
    spider.fill_from_sitemap(full, hints)
    assert (full.datePublished, full.keywords) == ("2026-03-12T10:20:00+07:00", ["beasiswa"])
    assert stat(spider, "tribun/sitemap/filled/keywords") == 1
