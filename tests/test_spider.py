"""The crawl strategy of the ``tribun`` spider, request by request, on saved listing pages and fixture articles."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from tests.conftest import project_settings_dict
from tribun_crawler import meta
from tribun_crawler import settings as project_settings
from tribun_crawler.extractors.article import ArticlePage
from tribun_crawler.failures import page_failed
from tribun_crawler.meta import HELD_FAILURES as HELD_FAILURES_META
from tribun_crawler.middlewares.failures import FailedDownloadMiddleware
from tribun_crawler.spiders.tribun import (
    PRIORITY_ARTICLE,
    PRIORITY_LISTING,
    TribunSpider,
)
from tribun_crawler.spiders.window import DateWindow
from tribun_crawler.urls import PageType, classify_url

FIXTURES = Path(__file__).parent / "fixtures"


def make_spider(settings: dict[str, Any] | None = None, **arguments: str) -> TribunSpider:
    # Every chosen site is discovered, as no state store is asked which are due (tests/test_polling.py is about that).
    defaults = {**project_settings_dict(project_settings), "TRIBUN_ADAPTIVE_POLLING": False}
    crawler = get_crawler(TribunSpider, {**defaults, **(settings or {})})
    spider = TribunSpider.from_crawler(crawler, **arguments)
    crawler.spider = spider
    return spider


def start_urls(spider: TribunSpider) -> list[str]:
    return [request.url for request in spider.initial_requests()]


def fixture_response(kind: str, name: str, url: str, request: Request | None = None) -> HtmlResponse:
    body = (FIXTURES / kind / f"{name}.html").read_bytes()
    return HtmlResponse(url, body=body, encoding="utf-8", request=request or Request(url))


def test_no_arguments_crawls_the_flagship_hubs_and_todays_index() -> None:
    spider = make_spider()
    urls = start_urls(spider)
    today = spider.today()
    assert "https://www.tribunnews.com/internasional" in urls
    assert "https://www.tribunnews.com/nasional" in urls
    assert urls[-2] == f"https://www.tribunnews.com/index-news?date={today.year}-{today.month}-{today.day}"
    # Last, the sitemap index read for the changes of recent articles (discover=changes).
    assert urls[-1] == "https://www.tribunnews.com/sitemap.xml"
    assert {classify_url(url) for url in urls[:-1]} == {PageType.SECTION, PageType.INDEX}


def test_sites_and_sections_pick_hosts_and_hubs() -> None:
    spider = make_spider(sites="www,banyumas", sections="internasional", discover="sections,index")
    urls = start_urls(spider)
    day = spider.today()
    index = f"index-news?date={day.year}-{day.month}-{day.day}"
    assert urls == [
        "https://www.tribunnews.com/internasional",
        f"https://www.tribunnews.com/{index}",
        "https://banyumas.tribunnews.com/internasional",
        f"https://banyumas.tribunnews.com/{index}",
    ]
    assert len({request.url for request in make_spider(sites="all").initial_requests()}) > 100


def test_unknown_site_and_bad_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown site"):
        make_spider(sites="www,kompas")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        make_spider(since="20/06/2024")
    with pytest.raises(ValueError, match="after until"):
        make_spider(since="2024-06-30", until="2024-06-01")


def test_backfill_window_crawls_one_daily_index_per_day_newest_first() -> None:
    spider = make_spider(sites="jateng", since="2024-06-01", until="2024-06-03")
    assert start_urls(spider) == [
        "https://jateng.tribunnews.com/index-news?date=2024-6-3",
        "https://jateng.tribunnews.com/index-news?date=2024-6-2",
        "https://jateng.tribunnews.com/index-news?date=2024-6-1",
    ]


def test_start_urls_are_routed_by_shape() -> None:
    spider = make_spider(
        start_urls=",".join(
            [
                "https://m.tribunnews.com/amp/nasional/2020/07/22/slug?utm_source=x",
                "https://www.tribunnews.com/index-news?date=2021-5-1",
                "https://banyumas.tribunnews.com/",
                "https://www.tribunnews.com/tag/pemilu",
            ]
        )
    )
    requests = list(spider.initial_requests())
    assert [(r.url, r.meta["tribun_page_type"], r.callback) for r in requests] == [
        ("https://www.tribunnews.com/nasional/2020/07/22/slug?page=all", "article", spider.parse_article),
        ("https://www.tribunnews.com/index-news?date=2021-5-1", "index", spider.parse_listing),
        ("https://banyumas.tribunnews.com/", "home", spider.parse_listing),
    ]
    assert requests[0].priority == PRIORITY_ARTICLE > requests[1].priority == PRIORITY_LISTING
    # On the network but never read (robots.txt disallows tag pages): skipped with a warning, counted.
    assert spider.crawler.stats.get_value("tribun/start_urls/rejected") == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kompas.com/read/2024/01/01/x",
        "https://video.tribunnews.com/view/123456/cuplikan",
        "https://tribunnews.com.example.org/nasional/7731367/slug",
        "ftp://www.tribunnews.com/nasional/7731367/slug",
    ],
)
def test_an_off_network_start_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="outside the Tribun network"):
        make_spider(start_urls=f"https://www.tribunnews.com/nasional,{url}")


def test_daily_index_yields_its_articles_then_its_next_page() -> None:
    spider = make_spider()
    url = "https://www.tribunnews.com/index-news?date=2024-6-20"
    response = fixture_response("listings", "www-index-news-2024-6-20", url, spider.listing_request(url, priority=0))
    requests = list(spider.parse_listing(response))
    articles = [r for r in requests if r.meta["tribun_page_type"] == "article"]
    listings = [r for r in requests if r.meta["tribun_page_type"] == "index"]
    assert articles
    assert all(r.meta["related_depth"] == 0 for r in articles)
    assert [r.url for r in listings] == ["https://www.tribunnews.com/index-news?date=2024-6-20&page=2"]
    assert listings[0].meta["listing_pages"] == 2


def test_listing_is_not_paged_past_since_nor_past_the_page_limit() -> None:
    url = "https://www.tribunnews.com/index-news?date=2024-6-20"
    past_since = make_spider(since="2024-06-21")
    request = past_since.listing_request(url, priority=0)
    response = fixture_response("listings", "www-index-news-2024-6-20", url, request)
    requests = list(past_since.parse_listing(response))
    # Every entry of 20 June is older than the window: no article and no next page.
    assert requests == []
    assert past_since.crawler.stats.get_value("tribun/skipped/out_of_window") > 0

    limited = make_spider({"TRIBUN_MAX_LISTING_PAGES": 1})
    request = limited.listing_request(url, priority=0)
    response = fixture_response("listings", "www-index-news-2024-6-20", url, request)
    assert not [r for r in limited.parse_listing(response) if r.meta["tribun_page_type"] == "index"]


@pytest.mark.parametrize(("depth_setting", "reached_from", "followed"), [(2, 0, True), (2, 1, True), (2, 2, False)])
def test_related_links_are_followed_up_to_the_depth_setting(
    depth_setting: int, reached_from: int, followed: bool
) -> None:
    spider = make_spider({"TRIBUN_RELATED_DEPTH": depth_setting})
    url = "https://makassar.tribunnews.com/makassar/847221/pemkot-makassar-uji-coba-bus-listrik-rute-pantai-losari-bandara-sultan-hasanuddin"
    request = spider.article_request(url, depth=reached_from, priority=PRIORITY_ARTICLE)
    response = fixture_response("articles", "makassar_2025_id_wita", url, request)
    page = ArticlePage(response)
    (item, *requests) = spider.parse_article(response)
    assert item.url == url
    assert bool(requests) is followed
    # ?page=all: a multi-page article in one request.
    assert [r.url for r in requests] == ([f"{u}?page=all" for u in page.relatedUrls()] if followed else [])
    assert all(r.meta["related_depth"] == reached_from + 1 for r in requests)


def test_an_article_asked_for_before_is_not_requested_again() -> None:
    spider = make_spider()
    url = "https://www.tribunnews.com/index-news?date=2024-6-20"
    response = fixture_response("listings", "www-index-news-2024-6-20", url, spider.listing_request(url, priority=0))
    first = [r for r in spider.parse_listing(response) if r.meta["tribun_page_type"] == "article"]
    assert first
    # The same links named again (a second listing, a related block): no request the dupefilter would drop.
    again = list(spider.parse_listing(response))
    assert [r.meta["tribun_page_type"] for r in again] == ["index"]
    assert spider.crawler.stats.get_value("tribun/requests/asked_before") == len(first)
    related_to_one = list(spider.article_requests(first[0].url, depth=1, priority=0))
    assert related_to_one == []


def test_window_is_judged_on_the_day_the_site_printed() -> None:
    spider = make_spider(since="2024-06-20", until="2024-06-20")
    # 00:30 WIB on 20 June is still 19 June in UTC: the site's own day decides.
    assert spider.window.holds(datetime.fromisoformat("2024-06-20T00:30:00+07:00"))
    assert not spider.window.holds(datetime.fromisoformat("2024-06-21T00:30:00+07:00"))
    assert spider.index_days() == [date(2024, 6, 20)]


def test_a_window_keeps_what_it_cannot_date_and_drops_what_it_can() -> None:
    window = DateWindow(since=date(2024, 6, 20), until=date(2024, 6, 22))
    assert window.holds_publication("2024-06-22T23:59:00+08:00", None)
    assert not window.holds_publication("2024-06-19T23:59:00+07:00", "2024-06-19")
    assert window.holds_publication(None, "2024-06-21")  # a page that shows the day only
    assert not window.holds_publication(None, "2024-06-23")
    assert window.holds_publication(None, None)  # undated: lose precision, never the article
    # Sitemap entries: the publication decides; without one, a last change before the window proves it older.
    assert window.excludes_entry(None, datetime.fromisoformat("2024-06-19T10:00:00+07:00"))
    assert not window.excludes_entry(None, datetime.fromisoformat("2024-06-25T10:00:00+07:00"))
    assert window.excludes_entry(datetime.fromisoformat("2024-06-25T10:00:00+07:00"), None)
    assert list(window.days(today=date(2024, 6, 21))) == [date(2024, 6, 21), date(2024, 6, 20)]
    assert list(DateWindow().days(today=date(2024, 6, 21))) == [date(2024, 6, 21)]
    assert window.ends_before(date(2024, 6, 23))
    assert not window.ends_before(date(2024, 6, 22))


# --- Pages the spider cannot read --------------------------------------------------------------------------------


def collect(output: Any) -> list[Any]:
    return list(output)


def failed_pages(spider: TribunSpider) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    spider.crawler.signals.connect(lambda url, reason, **_: seen.append((url, reason)), signal=page_failed, weak=False)
    return seen


def test_article_pages_that_yield_no_article_are_reported_with_their_url_and_reason() -> None:
    spider = make_spider()
    seen = failed_pages(spider)
    url = "https://jogja.tribunnews.com/jogja/913002/jalur-sepeda-baru-di-malioboro"
    for problem, body in (
        ("not-html", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
        ("no-body", b"<html><head><title>Jalur Sepeda Baru - TribunJogja.com</title></head></html>"),
    ):
        request = spider.article_request(url, depth=0, priority=PRIORITY_ARTICLE)
        kind = Response if problem == "not-html" else HtmlResponse
        # Neither page needs another download, so the callback runs to its end outside a crawl.
        (plain,) = collect(spider.parse_article(kind(f"{url}?page=all", body=body, request=request)))
        # The ?page=all answer is not the article: the plain URL may be, and nothing is reported yet.
        assert (plain.url, seen) == (url, [])
        assert (collect(spider.parse_article(kind(url, body=body, request=plain)))) == []
        assert seen.pop() == (f"{url}?page=all", f"unreadable/{problem}")
    # The article's own page with nothing to read (a video: title and date, no body) reads the same any other way.
    video = (
        "https://jatim.tribunnews.com/2024/02/10/video-detik-detik-banjir-bandang-terjang-desa-di-lereng-gunung-arjuno"
    )
    request = spider.article_request(video, depth=0, priority=PRIORITY_ARTICLE)
    response = fixture_response("articles", "jatim_2024_video_no_body", request.url, request)
    assert (collect(spider.parse_article(response))) == []
    assert seen == [(f"{video}?page=all", "unreadable/no-body")]
    stats = spider.crawler.stats
    # One article read with every field empty each, however many ways it was asked for.
    assert (stats.get_value("tribun/unreadable/not-html"), stats.get_value("tribun/unreadable/no-body")) == (1, 2)
    assert stats.get_value("tribun/articles/page_all_fallback") == 2


def test_a_listing_that_is_not_html_is_reported() -> None:
    spider = make_spider()
    seen = failed_pages(spider)
    home = "https://jogja.tribunnews.com/"
    image = Response(home, body=b"\xff\xd8\xff\xe0", request=spider.listing_request(home, priority=PRIORITY_LISTING))
    assert list(spider.parse_listing(image)) == []
    assert seen == [(home, "unreadable/not-html")]
    # A listing is not an article read: the coverage count stays untouched.
    assert spider.crawler.stats.get_value("tribun/unreadable/not-html") is None


URL_847221 = "https://makassar.tribunnews.com/makassar/847221/pemkot-makassar-uji-coba-bus-listrik-rute-pantai-losari-bandara-sultan-hasanuddin"


def read_at(spider: TribunSpider, depth: int) -> tuple[ArticlePage, list[Request]]:
    """The 847221 fixture read as if asked for at related depth ``depth``: the page and its related requests."""
    request = spider.article_request(URL_847221, depth=depth, priority=PRIORITY_ARTICLE)
    response = fixture_response("articles", "makassar_2025_id_wita", URL_847221, request)
    page = ArticlePage(response)
    return page, list(spider.related_requests(page.url(), depth, page.relatedUrls()))


def test_an_article_read_at_the_depth_limit_follows_its_related_links_once_a_listing_names_it() -> None:
    spider = make_spider({"TRIBUN_RELATED_DEPTH": 2})
    list(spider.requests_reached_at(URL_847221, 2))
    page, requests = read_at(spider, 2)
    related = page.relatedUrls()
    assert related, "the fixture needs related links"
    assert requests == []

    assert list(spider.requests_reached_at(URL_847221, 2)) == []  # not nearer
    # A listing names it: depth 0 now, so its related links are depth 1 and asked for (the article itself is not
    # fetched again: the dupefilter drops the listing's request for it).
    again = list(spider.requests_reached_at(URL_847221, 0))
    assert [r.url for r in again] == [f"{u}?page=all" for u in related]
    assert {r.meta["related_depth"] for r in again} == {1}
    assert list(spider.requests_reached_at(URL_847221, 0)) == []  # once
    assert spider.crawler.stats.get_value("tribun/related/reached_nearer") == 1


def test_a_nearer_depth_passes_through_articles_already_read_to_the_links_held_back() -> None:
    spider = make_spider({"TRIBUN_RELATED_DEPTH": 2})
    # 847221 read at depth 1: its related links were followed, at depth 2.
    list(spider.requests_reached_at(URL_847221, 1))
    page, requests = read_at(spider, 1)
    assert {r.meta["related_depth"] for r in requests} == {2}
    first = page.relatedUrls()[0]
    for url in page.relatedUrls():
        list(spider.requests_reached_at(url, 2))
    # The first related article, read at depth 2, holds its own links back at the limit.
    held_back = "https://makassar.tribunnews.com/makassar/847000/contoh-berita-terkait"
    assert spider.related_links().links_to_follow(first, 2, [held_back]) == (3, ())

    # A listing names 847221: the first related article is now at depth 1, and what it held back is asked for.
    again = list(spider.requests_reached_at(URL_847221, 0))
    assert [(r.url, r.meta["related_depth"]) for r in again] == [(f"{held_back}?page=all", 2)]


def test_an_article_asked_for_nearer_before_it_is_read_follows_its_links_from_the_nearer_depth() -> None:
    spider = make_spider({"TRIBUN_RELATED_DEPTH": 2})
    list(spider.requests_reached_at(URL_847221, 2))
    list(spider.requests_reached_at(URL_847221, 1))  # the request itself is dropped by the dupefilter in a crawl
    _, requests = read_at(spider, 2)
    assert {r.meta["related_depth"] for r in requests} == {2}


# --- Every way to an article before giving up on it ---------------------------------------------------------------

URL_7731367 = "https://www.tribunnews.com/nasional/7731367/bmkg-prediksi-puncak-kemarau-2026-terjadi-agustus-ini-daerah-yang-perlu-waspada"


def failure_of(request: Request, exception: Exception) -> Failure:
    """The failure the engine hands an errback: the exception, with the request that failed."""
    failure = Failure(exception)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def http_failure(spider: TribunSpider, request: Request, status: int) -> Failure:
    """``status`` as the final answer to ``request``: through FailedDownloadMiddleware, then HttpErrorMiddleware."""
    response = HtmlResponse(request.url, status=status, body=b"<html></html>", request=request)
    FailedDownloadMiddleware(spider.crawler).process_response(request, response)
    return failure_of(request, HttpError(response, "Ignoring non-200 response"))


def timeout_failure(spider: TribunSpider, request: Request) -> Failure:
    exception = DownloadTimeoutError(f"Getting {request.url} took longer than 30.0 seconds.")
    FailedDownloadMiddleware(spider.crawler).process_exception(request, exception)
    return failure_of(request, exception)


def test_a_page_all_that_fails_for_good_is_asked_for_again_as_the_plain_url() -> None:
    spider = make_spider()
    seen = failed_pages(spider)
    hints = {"datePublished": "2026-07-24T12:40:00+07:00", "keywords": ["BMKG"]}
    first = spider.article_request(URL_7731367, depth=1, priority=PRIORITY_ARTICLE, sitemap=hints)
    first.meta[meta.RECHECK] = True  # the state middleware let it through as a recheck
    (plain,) = spider.article_failed(http_failure(spider, first, 500))
    # The middleware held the failure for the spider: not a failed page while another way remains.
    assert seen == []
    assert first.meta[HELD_FAILURES_META] == [("http/500", f"HTTP 500 for {URL_7731367}?page=all")]
    assert plain.url == URL_7731367
    assert (plain.callback, plain.errback) == (spider.parse_article, spider.article_failed)
    assert plain.meta["tribun_page_type"] == "article"
    assert plain.meta["related_depth"] == 1
    assert plain.meta[meta.SITEMAP_HINTS] == hints
    assert plain.meta[meta.RECHECK] is True  # not counted as a second recheck
    assert plain.meta[HELD_FAILURES_META] == []
    assert plain.meta[meta.EARLIER_FAILURES] == [
        (f"{URL_7731367}?page=all", "http/500", f"HTTP 500 for {URL_7731367}?page=all")
    ]
    assert spider.crawler.stats.get_value("tribun/articles/page_all_fallback") == 1


def test_the_plain_url_gets_past_the_dupefilter_that_let_page_all_through() -> None:
    spider = make_spider()
    first = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    (plain,) = spider.article_failed(http_failure(spider, first, 404))
    fingerprints = spider.crawler.request_fingerprinter
    assert fingerprints.fingerprint(plain) != fingerprints.fingerprint(first)
    # The redirects of the plain URL would be those ?page=all went through: not dropped as their duplicates.
    assert plain.dont_filter


def test_an_article_whose_every_way_fails_is_one_failed_page_naming_each_reason() -> None:
    spider = make_spider()
    seen: list[dict[str, Any]] = []
    spider.crawler.signals.connect(lambda **kwargs: seen.append(kwargs), signal=page_failed, weak=False)
    first = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    (plain,) = spider.article_failed(http_failure(spider, first, 500))
    assert list(spider.article_failed(timeout_failure(spider, plain))) == []
    (page,) = seen
    assert page["url"] == f"{URL_7731367}?page=all"
    assert page["reason"] == "download/DownloadTimeoutError"
    assert page["page_type"] == "article"
    assert page["detail"] == (
        f"page=all: http/500 (HTTP 500 for {URL_7731367}?page=all); "
        f"plain: download/DownloadTimeoutError (Getting {URL_7731367} took longer than 30.0 seconds.)"
    )
    assert spider.crawler.stats.get_value("tribun/failed/download/DownloadTimeoutError") == 1
    assert spider.crawler.stats.get_value("tribun/failed/http/500") is None


def test_decisions_and_refusals_are_not_asked_again() -> None:
    spider = make_spider()
    seen = failed_pages(spider)
    # robots.txt or the state store said no: no failure held, nothing to report, no other way tried.
    robots = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    assert list(spider.article_failed(failure_of(robots, IgnoreRequest("Forbidden by robots.txt")))) == []
    # A host refusing the crawler (403, a block answer) refuses the plain URL too: reported, not asked again.
    refused = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    assert list(spider.article_failed(http_failure(spider, refused, 403))) == []
    assert seen == [(f"{URL_7731367}?page=all", "http/403")]
    assert spider.crawler.stats.get_value("tribun/articles/page_all_fallback") is None


class Site:
    """Answers the requests for an article's further pages from a table, as the engine would hand them to the spider:
    a response to the request's callback, an exception (raised as the download's) to its errback."""

    def __init__(self, answers: dict[str, Response | Exception]) -> None:
        self.answers = answers
        self.asked: list[Request] = []

    def crawl(self, output: Iterable[Any]) -> list[Any]:
        """What the spider yields, with every further-page request it makes answered in turn (depth first)."""
        result: list[Any] = []
        for entry in output:
            if isinstance(entry, Request) and entry.callback is not None and entry.url in self.answers:
                self.asked.append(entry)
                answer = self.answers[entry.url]
                if isinstance(answer, Exception):
                    assert entry.errback is not None
                    result.extend(self.crawl(entry.errback(failure_of(entry, answer))))
                else:
                    response = answer.replace(request=entry)
                    result.extend(self.crawl(entry.callback(response, **entry.cb_kwargs)))
            else:
                result.append(entry)
        return result


def plain_fallback(spider: TribunSpider) -> Request:
    first = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    (plain,) = spider.article_failed(http_failure(spider, first, 500))
    return plain


def test_the_plain_url_of_a_failed_page_all_is_stitched_with_its_pages_without_asking_page_all_again() -> None:
    spider = make_spider()
    seen = failed_pages(spider)
    plain = plain_fallback(spider)
    page2 = fixture_response("articles", "www_2026_id_page2", f"{URL_7731367}?page=2")
    site = Site({f"{URL_7731367}?page=2": page2})
    response = fixture_response("articles", "www_2026_id_page1", URL_7731367, plain)
    (item, *_related) = site.crawl(spider.parse_article(response))
    assert [request.url for request in site.asked] == [f"{URL_7731367}?page=2"]
    # An ordinary request through the scheduler and every middleware, carrying what the first page gave.
    assert site.asked[0].callback == spider.parse_article_page
    assert site.asked[0].meta["tribun_page_type"] == "article_page"
    whole = json.loads((FIXTURES / "articles" / "www_2026_id_page_all.json").read_text())
    assert item.articleBody == whole["articleBody"]
    assert item.pageCount == 2
    # Read whole: the ?page=all failure held for it is no failed page.
    assert seen == []
    assert spider.crawler.stats.get_value("tribun/articles/stitched") == 1


def test_a_page_that_times_out_leaves_the_article_incomplete_not_lost() -> None:
    spider = make_spider()
    site = Site({f"{URL_7731367}?page=2": DownloadTimeoutError("took longer than 30.0 seconds")})
    # A ?page=all the site ignored: page 1 with its paging, so page 2 is asked for.
    request = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    response = fixture_response("articles", "www_2026_id_page1", request.url, request)
    (item, *_related) = site.crawl(spider.parse_article(response))
    assert [r.url for r in site.asked] == [f"{URL_7731367}?page=2"]
    page1 = json.loads((FIXTURES / "articles" / "www_2026_id_page1.json").read_text())
    assert item.articleBody == page1["articleBody"]
    assert spider.crawler.stats.get_value("tribun/articles/incomplete") == 1


def test_a_plain_answer_asks_for_page_all_and_a_failure_of_it_is_no_failed_page() -> None:
    """A ?page=all redirected to the plain URL (not a fallback): ?page=all is asked for once more, its failure held,
    and the pages stitched instead."""
    spider = make_spider()
    site = Site(
        {
            f"{URL_7731367}?page=all": DownloadTimeoutError("took longer than 30.0 seconds"),
            f"{URL_7731367}?page=2": fixture_response("articles", "www_2026_id_page2", f"{URL_7731367}?page=2"),
        }
    )
    request = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    redirected = request.replace(url=URL_7731367, meta={**request.meta, "redirect_urls": [request.url]})
    response = fixture_response("articles", "www_2026_id_page1", URL_7731367, redirected)
    (item, *_related) = site.crawl(spider.parse_article(response))
    assert [r.url for r in site.asked] == [f"{URL_7731367}?page=all", f"{URL_7731367}?page=2"]
    assert site.asked[0].meta[HELD_FAILURES_META] == []  # held: a failure of it is the spider's to judge
    assert HELD_FAILURES_META not in site.asked[1].meta  # a missing page is a failed page where it fails
    # The article's first answer came through a redirect: its further pages carry that for the state's aliases.
    assert all(r.meta[meta.REDIRECTED_FROM] == [request.url] for r in site.asked)
    assert item.pageCount == 2


def test_a_job_keeps_its_related_depths_in_spider_state_for_its_resumed_run() -> None:
    """With JOBDIR, Scrapy keeps ``spider.state`` (pickled) between the runs of a job: the related depths live there.
    An article queued far (depth 2) and named nearer (depth 1) before the stop is read in the resumed run from the
    queue, at depth 2; its links are still followed, as the nearer depth asks."""
    article = "https://www.tribunnews.com/sport/2017/01/29/jadwal-uji-coba-timnas-u-22-jelang-sea-games-2017"
    links = ["https://www.tribunnews.com/sport/2015/08/20/hasil-undian-fase-grup-piala-presiden-2015"]
    stopped = make_spider(sites="www")
    stopped.state = {}
    assert len(list(stopped.article_requests(article, depth=2, priority=0))) == 1
    assert list(stopped.article_requests(article, depth=1, priority=0)) == []  # asked before: the dupefilter's
    resumed = make_spider(sites="www")
    resumed.state = pickle.loads(pickle.dumps(stopped.state))
    assert resumed.related_links().links_to_follow(article, 2, links) == (2, links)
    # A run that is no job's starts afresh: read at depth 2, the article's links wait beyond the limit.
    assert make_spider(sites="www").related_links().links_to_follow(article, 2, links) == (3, ())
