"""The discovery cache (middlewares/discovery.py), run by run: robots.txt kept and expired on the crawl's clock, its
copy used when the host fails, discovery pages revalidated, a 304 marked not modified only when a finished run read
the page, an index's sitemap at an unchanged lastmod not asked for; and the spider reading nothing from such a page.

Each run is a real crawler with the project's settings and its own crawl state, sharing one state file and one
cache folder with the runs before it; the site is a function of the request, so every test says what it answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.settings import Settings
from twisted.internet.error import TCPTimedOutError

from tests.local_crawl import LocalSite, PagesSpider, html
from tests.local_crawl import make_crawler as local_crawler
from tests.test_spider import make_spider
from tribun_crawler import meta
from tribun_crawler import settings as project_settings
from tribun_crawler import stats as stat
from tribun_crawler.meta import PageKind
from tribun_crawler.middlewares.discovery import (
    HOST_ANSWERS_FILE,
    ROBOTS_TXT_MAX_AGE,
    DiscoveryCacheMiddleware,
    cache_folder,
    robots_txt_lifetime,
)
from tribun_crawler.spiders.tribun import TribunSpider
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms

ROBOTS = "https://banyumas.tribunnews.com/robots.txt"
SITEMAP = "https://banyumas.tribunnews.com/sitemap_news.xml"
HUB = "https://www.tribunnews.com/nasional"
ROBOTS_BODY = b"User-agent: *\nDisallow: /ajax/\n\nSitemap: https://banyumas.tribunnews.com/sitemap_news.xml\n"
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://banyumas.tribunnews.com/2026/12/04/banjir-rob-di-cilacap</loc><lastmod>2026-12-04T09:00:00+07:00</lastmod></url>
</urlset>
"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://jateng.tribunnews.com/semarang/sitemap_news.xml</loc><lastmod>2026-12-04T13:12:00+07:00</lastmod></sitemap>
<sitemap><loc>https://jateng.tribunnews.com/solo/sitemap_news.xml</loc></sitemap>
</sitemapindex>
"""
UNREACHABLE = "tribun_crawler.middlewares.discovery.UnreachableRobotsTxtMiddleware"
START = datetime.fromisoformat("2026-12-04T08:00:00+07:00")


def robots_request() -> Request:
    """What RobotsTxtMiddleware asks for."""
    return Request(ROBOTS, meta={"dont_obey_robotstxt": True})


def page_request(url: str, kind: PageKind, **extra: Any) -> Request:
    return Request(url, meta={meta.PAGE_KIND: kind, **extra})


@dataclass
class Site:
    """The host: ``answer(request)`` gives each response; ``asked`` keeps every request that reached it."""

    answer: Callable[[Request], Response | Exception]
    asked: list[Request] = field(default_factory=list)

    def fetch(self, request: Request) -> Response | Exception:
        self.asked.append(request)
        return self.answer(request)


def answer(status: int = 200, body: bytes = b"", **headers: str) -> Callable[[Request], Response]:
    """Always the same answer; a 304 to a request carrying the ETag given (as a CDN does)."""

    def reply(request: Request) -> Response:
        etag = headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag.encode():
            return Response(request.url, status=304, headers={"ETag": etag}, request=request)
        kind = XmlResponse if body.startswith(b"<?xml") else TextResponse
        return kind(request.url, status=status, body=body, headers=Headers(headers), request=request)

    return reply


@dataclass
class Run:
    """One crawl's discovery cache, opened on the shared state file and cache folder."""

    middleware: DiscoveryCacheMiddleware
    crawler: Any

    def download(self, request: Request, site: Site) -> Response:
        """The request through the middleware, as the downloader takes it: from the cache, or from the site."""
        kept = self.middleware.process_request(request)
        if isinstance(kept, Response):
            result = self.middleware.process_response(request, kept)
            assert isinstance(result, Response)
            return result
        answer = site.fetch(request)
        if isinstance(answer, Exception):
            recovered = self.middleware.process_exception(request, answer)
            if recovered is None:
                raise answer
            assert isinstance(recovered, Response)
            return recovered
        result = self.middleware.process_response(request, answer)
        assert isinstance(result, Response)
        return result

    def stat(self, name: str) -> Any:
        return self.crawler.stats.get_value(name)

    def remember_an_article(self) -> None:
        """An article the feed received, so the state store is not empty."""
        url = "https://banyumas.tribunnews.com/2026/12/04/banjir-rob-di-cilacap"
        published = int(START.timestamp())
        record = ArticleRecord(key_fingerprint(url), url, 0, published, published, now_ms())
        CrawlState.of(self.crawler).record(record)


@pytest.fixture
def runs(tmp_path: Path) -> Callable[..., Any]:
    """``runs(at=datetime, reason="finished", settings=None, **spider_arguments)``: a context manager, one run."""

    @contextmanager
    def run(
        at: datetime = START, reason: str = "finished", settings: dict[str, Any] | None = None, **arguments: str
    ) -> Iterator[Run]:
        spider = make_spider(
            {
                "TRIBUN_STATE_BACKEND": "sqlite",
                "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"),
                "TRIBUN_NOW": at.isoformat(),
                **(settings or {}),
            },
            **arguments,
        )
        crawler = spider.crawler
        middleware = DiscoveryCacheMiddleware.from_crawler(crawler)
        state = CrawlState.of(crawler)
        state.spider_opened()
        middleware.spider_opened(spider)
        try:
            yield Run(middleware, crawler)
        finally:
            middleware.spider_closed(spider, reason)
            state.spider_closed(reason)

    return run


# --- robots.txt -----------------------------------------------------------------------------------------------


def test_robots_txt_is_asked_for_once_in_24_hours_of_the_crawl_clock_then_revalidated(runs: Any) -> None:
    site = Site(answer(body=ROBOTS_BODY, ETag='"r1"', **{"Content-Type": "text/plain"}))
    with runs(at=START) as first:
        assert first.download(robots_request(), site).body == ROBOTS_BODY
    for hours in (1, 15, 23.9):
        with runs(at=START + timedelta(hours=hours)) as later:
            kept = later.download(robots_request(), site)
            assert kept.body == ROBOTS_BODY
            assert "cached" in kept.flags
    assert len(site.asked) == 1

    with runs(at=START + timedelta(hours=24, minutes=1)) as stale:
        assert stale.download(robots_request(), site).body == ROBOTS_BODY
    # Asked for again, with the validator it came with; the site's 304 renews the copy for another 24 hours.
    assert len(site.asked) == 2
    assert site.asked[-1].headers.get("If-None-Match") == b'"r1"'
    with runs(at=START + timedelta(hours=47)) as renewed:
        renewed.download(robots_request(), site)
    assert len(site.asked) == 2


def test_robots_txt_caching_headers_shorten_its_24_hours_and_never_lengthen_them(runs: Any) -> None:
    site = Site(answer(body=ROBOTS_BODY, **{"Cache-Control": "max-age=600"}))
    with runs(at=START) as first:
        first.download(robots_request(), site)
    with runs(at=START + timedelta(minutes=9)) as within:
        within.download(robots_request(), site)
    with runs(at=START + timedelta(minutes=11)) as after:
        after.download(robots_request(), site)
    assert len(site.asked) == 2

    def lifetime(**headers: str) -> float:
        return robots_txt_lifetime(Headers(headers))

    assert lifetime() == ROBOTS_TXT_MAX_AGE == 24 * 3600
    assert lifetime(**{"Cache-Control": "public, max-age=31536000"}) == ROBOTS_TXT_MAX_AGE
    assert lifetime(**{"Cache-Control": "no-cache"}) == 0
    assert lifetime(**{"Cache-Control": "max-age=soon"}) == 0
    date = formatdate(START.timestamp(), usegmt=True)
    in_an_hour = formatdate(START.timestamp() + 3600, usegmt=True)
    assert lifetime(Date=date, Expires=in_an_hour) == 3600
    assert lifetime(Date=date, Expires="0") == 0


def test_a_robots_txt_the_host_cannot_serve_is_read_from_the_copy_kept(runs: Any, caplog: Any) -> None:
    """RFC 9309 2.3.1.4 and 2.4: unreachable (5xx, no connection), a robots.txt kept is used whatever its age."""
    with runs(at=START) as first:
        first.download(robots_request(), Site(answer(body=ROBOTS_BODY)))

    failing = Site(answer(status=503, body=b"<html>Service Unavailable</html>"))
    with runs(at=START + timedelta(days=3)) as later:
        kept = later.download(robots_request(), failing)
        assert (kept.status, kept.body) == (200, ROBOTS_BODY)
        assert later.stat(stat.DISCOVERY_ROBOTS_TXT_FALLBACK) == 1
    assert len(failing.asked) == 1
    assert "robots.txt could not be fetched (HTTP 503): the copy kept since 2026-12-04T01:00:00+00:00" in caplog.text

    unreachable = Site(lambda request: TCPTimedOutError())
    with runs(at=START + timedelta(days=4)) as later:
        assert later.download(robots_request(), unreachable).body == ROBOTS_BODY
        assert later.stat(stat.DISCOVERY_ROBOTS_TXT_FALLBACK) == 1


def test_without_a_copy_a_failing_robots_txt_is_left_to_scrapy(runs: Any) -> None:
    with runs() as only:
        answered = only.download(robots_request(), Site(answer(status=503, body=b"down")))
        assert answered.status == 503
        assert only.stat(stat.DISCOVERY_ROBOTS_TXT_FALLBACK) is None


@pytest.mark.parametrize(("status", "kept"), [(404, True), (410, True), (403, False), (429, False), (500, False)])
def test_only_a_robots_txt_or_its_absence_is_kept(runs: Any, status: int, kept: bool) -> None:
    site = Site(answer(status=status, body=b"<html>no</html>"))
    with runs(at=START) as first:
        first.download(robots_request(), site)
    with runs(at=START + timedelta(hours=1)) as second:
        second.download(robots_request(), site)
    assert len(site.asked) == (1 if kept else 2)


# --- Discovery pages ------------------------------------------------------------------------------------------


def test_a_sitemap_is_asked_for_again_with_its_validators_and_a_304_is_the_copy_marked_not_modified(
    runs: Any,
) -> None:
    site = Site(answer(body=URLSET, ETag='"s1"', **{"Last-Modified": "Fri, 04 Dec 2026 02:00:00 GMT"}))
    with runs(at=START) as first:
        first.remember_an_article()
        read = first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        assert read.body == URLSET
        assert not meta.not_modified(read.meta)

    with runs(at=START + timedelta(minutes=15)) as second:
        request = page_request(SITEMAP, PageKind.SITEMAP)
        unchanged = second.download(request, site)
    assert site.asked[-1].headers.get("If-None-Match") == b'"s1"'
    assert site.asked[-1].headers.get("If-Modified-Since") == b"Fri, 04 Dec 2026 02:00:00 GMT"
    assert (unchanged.status, unchanged.body) == (200, URLSET)
    assert meta.not_modified(request.meta)


def test_a_changed_page_is_read_and_kept_anew(runs: Any) -> None:
    bodies = iter([b"<html><body>one</body></html>", b"<html><body>two</body></html>"])

    def changing(request: Request) -> Response:
        body = next(bodies)
        etag = f'"{len(site.asked)}"'
        return HtmlResponse(request.url, body=body, headers={"ETag": etag}, request=request)

    site = Site(changing)
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(HUB, PageKind.SECTION), site)
    with runs(at=START + timedelta(minutes=15)) as second:
        request = page_request(HUB, PageKind.SECTION)
        assert second.download(request, site).body == b"<html><body>two</body></html>"
        assert not meta.not_modified(request.meta)
    assert site.asked[-1].headers.get("If-None-Match") == b'"1"'


@pytest.mark.parametrize(
    ("first_reason", "arguments"),
    [("shutdown", {}), ("closespider_timeout", {}), ("finished", {"reset_state": "1"})],
)
def test_a_304_is_read_again_unless_a_finished_run_read_the_page(
    runs: Any, first_reason: str, arguments: dict[str, str]
) -> None:
    """A run that did not finish may not have followed every link of the page; a reset forgot what it followed."""
    site = Site(answer(body=URLSET, ETag='"s1"'))
    with runs(at=START, reason=first_reason) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
    with runs(at=START + timedelta(minutes=15), **arguments) as second:
        request = page_request(SITEMAP, PageKind.SITEMAP)
        assert second.download(request, site).body == URLSET
        assert not meta.not_modified(request.meta)
    assert site.asked[-1].headers.get("If-None-Match") == b'"s1"'
    assert len(site.asked) == 2


def test_a_304_is_read_again_when_the_state_store_knows_no_article(runs: Any) -> None:
    site = Site(answer(body=URLSET, ETag='"s1"'))
    with runs(at=START) as first:
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
    with runs(at=START + timedelta(minutes=15)) as second:
        request = page_request(SITEMAP, PageKind.SITEMAP)
        second.download(request, site)
        assert not meta.not_modified(request.meta)


def test_a_page_without_validators_is_not_kept_and_a_failing_one_fails(runs: Any) -> None:
    plain = Site(answer(body=b"<html><body>hub</body></html>", **{"Content-Type": "text/html"}))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(HUB, PageKind.SECTION), plain)
    with runs(at=START + timedelta(minutes=15)) as second:
        second.download(page_request(HUB, PageKind.SECTION), plain)
    assert plain.asked[-1].headers.get("If-None-Match") is None

    kept = Site(answer(body=URLSET, ETag='"s1"'))
    with runs(at=START) as first:
        first.download(page_request(SITEMAP, PageKind.SITEMAP), kept)
    with runs(at=START + timedelta(minutes=15)) as second:
        assert second.download(page_request(SITEMAP, PageKind.SITEMAP), Site(answer(status=503))).status == 503
        with pytest.raises(TCPTimedOutError):
            second.download(page_request(SITEMAP, PageKind.SITEMAP), Site(lambda request: TCPTimedOutError()))


def test_a_sitemap_name_the_host_does_not_publish_is_not_asked_for_again_for_24_hours(runs: Any) -> None:
    guess = "https://jateng.tribunnews.com/sitemap.xml"

    def guessed() -> Request:
        # As the spider looks for a host's sitemap names: this one first, then the rest (meta.SITEMAP_GUESSES).
        return page_request(guess, PageKind.SITEMAP, **{meta.SITEMAP_GUESSES: [SITEMAP]})

    absent = Site(answer(status=404, body=b"<html>Halaman tidak ditemukan</html>"))
    with runs(at=START) as first:
        assert first.download(guessed(), absent).status == 404
    for hours in (0.25, 12, 23.9):
        with runs(at=START + timedelta(hours=hours)) as later:
            kept = later.download(guessed(), absent)
            # The spider reads the kept 404 as it read the first: absent, on to the host's next name.
            assert (kept.status, "cached" in kept.flags) == (404, True)
    assert len(absent.asked) == 1

    # After a day it is asked for again; a host that published the file since is read from it.
    published = Site(answer(body=URLSET, ETag='"s1"'))
    with runs(at=START + timedelta(hours=24, minutes=1)) as next_day:
        assert next_day.download(guessed(), published).body == URLSET
    assert len(published.asked) == 1

    # A 404 of a sitemap a page named (not a guess) is a failure, never kept.
    named = Site(answer(status=404, body=b"<html>Halaman tidak ditemukan</html>"))
    for hours in (30, 31):
        with runs(at=START + timedelta(hours=hours)) as run:
            run.download(page_request(SITEMAP, PageKind.SITEMAP), named)
    assert len(named.asked) == 2


def test_articles_are_never_kept(runs: Any) -> None:
    article = "https://www.tribunnews.com/nasional/2026/12/04/dpr-sahkan-ruu?page=all"
    site = Site(answer(body=b"<html><body>article</body></html>", ETag='"a"'))
    with runs(at=START) as first:
        first.download(page_request(article, PageKind.ARTICLE), site)
    with runs(at=START + timedelta(minutes=15)) as second:
        second.download(page_request(article, PageKind.ARTICLE), site)
    assert site.asked[-1].headers.get("If-None-Match") is None


def test_an_indexed_sitemap_is_unchanged_only_at_the_lastmod_a_finished_run_read_it_at(runs: Any) -> None:
    child = "https://jateng.tribunnews.com/semarang/sitemap_news.xml"
    site = Site(answer(body=URLSET, ETag='"c1"'))

    def listed(lastmod: str) -> Request:
        return page_request(child, PageKind.SITEMAP, **{meta.SITEMAP_LISTED_LASTMOD: lastmod})

    with runs(at=START) as first:
        first.remember_an_article()
        assert not first.middleware.sitemap_unchanged(listed("2026-12-04T13:12:00+07:00"), "2026-12-04T13:12:00+07:00")
        first.download(listed("2026-12-04T13:12:00+07:00"), site)
    with runs(at=START + timedelta(minutes=15)) as second:
        assert second.middleware.sitemap_unchanged(listed("2026-12-04T13:12:00+07:00"), "2026-12-04T13:12:00+07:00")
        assert not second.middleware.sitemap_unchanged(listed("2026-12-04T13:40:00+07:00"), "2026-12-04T13:40:00+07:00")


# --- Web sitemaps (changes only) ------------------------------------------------------------------------------

WEB_SITEMAP = "https://banyumas.tribunnews.com/sitemap_web.xml"
WEB_SITEMAP_ARTICLE = "https://banyumas.tribunnews.com/2026/12/04/banjir-rob-di-cilacap"
NEWS_URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc><![CDATA[https://banyumas.tribunnews.com/2026/12/04/banjir-rob-di-cilacap]]></loc>
<news:news><news:publication><news:name>TribunBanyumas.com</news:name><news:language>id</news:language></news:publication>
<news:publication_date>2026-12-04T07:30:00+07:00</news:publication_date>
<news:title>Banjir Rob</news:title></news:news></url>
</urlset>
"""


def news_and_web(news: Callable[[Request], Response]) -> Site:
    """banyumas: its news sitemap as ``news`` answers, its web sitemap (changes only) with an ETag."""
    web = answer(body=URLSET, ETag='"w1"')
    return Site(lambda request: news(request) if request.url == SITEMAP else web(request))


def asked_for(site: Site, url: str) -> int:
    return sum(1 for request in site.asked if request.url == url)


def test_a_web_sitemap_is_asked_for_once_per_interval_while_the_news_sitemap_answers(runs: Any) -> None:
    site = news_and_web(answer(body=NEWS_URLSET, ETag='"n1"'))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        first.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    # 15 minutes and 3 h 59 later: the news sitemap is asked for (304), the web sitemap is not: its copy stands.
    for minutes in (15, 239):
        with runs(at=START + timedelta(minutes=minutes)) as later:
            later.download(page_request(SITEMAP, PageKind.SITEMAP), site)
            request = page_request(WEB_SITEMAP, PageKind.SITEMAP)
            kept = later.download(request, site)
            assert (kept.status, kept.body) == (200, URLSET)
            assert meta.not_modified(request.meta)
            assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) == 1
    assert (asked_for(site, SITEMAP), asked_for(site, WEB_SITEMAP)) == (3, 1)
    # Four hours after it was read, it is asked for again, conditionally.
    with runs(at=START + timedelta(hours=4)) as due:
        due.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        due.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
        assert due.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) is None
    assert asked_for(site, WEB_SITEMAP) == 2
    assert site.asked[-1].headers.get("If-None-Match") == b'"w1"'


def test_a_sitemap_s_role_is_read_once_when_it_arrives_and_kept_with_its_copy(runs: Any, tmp_path: Path) -> None:
    """The role is noted on the kept copy (``X-Tribun-Sitemap-Role``): a later run deciding whether the web
    sitemap's copy stands goes by the note, without parsing the copy again."""
    site = news_and_web(answer(body=NEWS_URLSET, ETag='"n1"'))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        first.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    noted = {
        (entry / "response_headers").read_bytes().split(b"X-Tribun-Sitemap-Role: ", 1)[1].split(b"\r\n")[0]
        for entry in (tmp_path / "state-discovery").glob("*/*/*")
    }
    assert noted == {b"news", b"changes"}
    # The note is what is believed: the web sitemap's copy noted "news" is no sitemap of changes, and is not held.
    for entry in (tmp_path / "state-discovery").glob("*/*/*"):
        headers = entry / "response_headers"
        headers.write_bytes(headers.read_bytes().replace(b"Role: changes", b"Role: news"))
    with runs(at=START + timedelta(minutes=15)) as later:
        later.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        later.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
        assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) is None
    assert asked_for(site, WEB_SITEMAP) == 2


def test_a_copy_kept_before_roles_were_noted_is_read_for_its_role(runs: Any, tmp_path: Path) -> None:
    site = news_and_web(answer(body=NEWS_URLSET, ETag='"n1"'))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        first.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    for entry in (tmp_path / "state-discovery").glob("*/*/*"):
        headers = entry / "response_headers"
        lines = headers.read_bytes().split(b"\r\n")
        headers.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"X-Tribun-Sitemap-Role")))
    with runs(at=START + timedelta(minutes=15)) as later:
        later.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        later.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
        assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) == 1
    assert asked_for(site, WEB_SITEMAP) == 1


def test_a_web_sitemap_is_asked_for_every_time_once_the_news_sitemap_stopped_answering(runs: Any) -> None:
    news = {"answer": answer(body=NEWS_URLSET, ETag='"n1"')}

    def news_answer(request: Request) -> Response:
        return news["answer"](request)

    site = news_and_web(news_answer)
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        first.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    news["answer"] = answer(404)
    # The web sitemap is read again when due (4 h); a run 15 minutes after that reads it again too: the host's
    # last news sitemap is more than the interval old, so only the web sitemap lists its new articles.
    for at in (START + timedelta(hours=4), START + timedelta(hours=4, minutes=15)):
        with runs(at=at) as later:
            later.download(page_request(SITEMAP, PageKind.SITEMAP, handle_httpstatus_list=[404]), site)
            request = page_request(WEB_SITEMAP, PageKind.SITEMAP)
            later.download(request, site)
            assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) is None
    assert asked_for(site, WEB_SITEMAP) == 3


BANYUMAS_HOME = "https://banyumas.tribunnews.com/"
BANYUMAS_INDEX = "https://banyumas.tribunnews.com/sitemap.xml"


def changes_only(url: str) -> Request:
    """A sitemap asked for by a run that reads sitemaps for changes only (-a discover=changes)."""
    return page_request(url, PageKind.SITEMAP, **{meta.CHANGES_ONLY: True})


def test_a_run_reading_sitemaps_for_changes_holds_every_sitemap_while_the_host_s_listings_answer(
    runs: Any,
) -> None:
    home = answer(body=b"<html><ul id='latestul'></ul></html>", ETag='"h1"')
    index = answer(body=INDEX, ETag='"i1"')
    site = Site(lambda request: home(request) if request.url == BANYUMAS_HOME else index(request))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(BANYUMAS_HOME, PageKind.HOME), site)
        first.download(changes_only(BANYUMAS_INDEX), site)
    # An index lists no change itself: read by a run that finds new articles through the homepage, it waits too.
    with runs(at=START + timedelta(minutes=15)) as later:
        later.download(page_request(BANYUMAS_HOME, PageKind.HOME), site)
        request = changes_only(BANYUMAS_INDEX)
        kept = later.download(request, site)
        assert (kept.status, kept.body) == (200, INDEX)
        assert meta.not_modified(request.meta)
        assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) == 1
        # Not asked for changes only (-a discover=sitemaps), the same index is asked for: it may list new files.
        later.download(page_request(BANYUMAS_INDEX, PageKind.SITEMAP), site)
    assert (asked_for(site, BANYUMAS_HOME), asked_for(site, BANYUMAS_INDEX)) == (2, 2)


def test_a_sitemap_read_for_changes_is_asked_for_every_time_while_the_host_s_listings_do_not_answer(
    runs: Any,
) -> None:
    home = {"answer": answer(body=b"<html><ul id='latestul'></ul></html>", ETag='"h1"')}
    index = answer(body=INDEX, ETag='"i1"')
    site = Site(lambda request: home["answer"](request) if request.url == BANYUMAS_HOME else index(request))
    with runs(at=START) as first:
        first.remember_an_article()
        first.download(page_request(BANYUMAS_HOME, PageKind.HOME), site)
        first.download(changes_only(BANYUMAS_INDEX), site)
    home["answer"] = answer(403)
    # Four hours on, the homepage refuses the crawler: the sitemaps may be all that lists the host's new articles.
    for at in (START + timedelta(hours=4), START + timedelta(hours=4, minutes=15)):
        with runs(at=at) as later:
            later.download(page_request(BANYUMAS_HOME, PageKind.HOME), site)
            later.download(changes_only(BANYUMAS_INDEX), site)
            assert later.stat(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE) is None
    assert asked_for(site, BANYUMAS_INDEX) == 3


def test_recent_articles_are_read_again_by_age_on_the_sites_whose_sitemaps_showed_no_change_lately(
    runs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discover=changes (the default): a site's recent articles are read again on its sitemaps' evidence alone
    while those sitemaps answer; a site whose sitemaps are refused (403) keeps the ages of TRIBUN_RECHECK_AGES."""
    published = int((START - timedelta(hours=3)).timestamp())
    banyumas = ArticleRecord(key_fingerprint(WEB_SITEMAP_ARTICLE), WEB_SITEMAP_ARTICLE, 0, published, None, now_ms())
    jateng_url = "https://jateng.tribunnews.com/2026/12/04/jalan-tol-semarang-demak"
    jateng = ArticleRecord(key_fingerprint(jateng_url), jateng_url, 0, published, None, now_ms())
    web = answer(body=URLSET, ETag='"w1"')
    refused = answer(403)
    site = Site(lambda request: refused(request) if "jateng" in request.url else web(request))
    with runs(at=START, sites="banyumas,jateng") as first:
        first.remember_an_article()
        first.download(changes_only(WEB_SITEMAP), site)
        first.download(changes_only("https://jateng.tribunnews.com/sitemap_web.xml"), site)
    with runs(at=START + timedelta(minutes=15), sites="banyumas,jateng") as second:
        monkeypatch.setattr(TribunSpider, "discovery_cache", property(lambda spider: second.middleware))
        second.crawler.spider.tell_state_of_sitemaps()
        state = CrawlState.of(second.crawler)
        # Never looked at before: a site without sitemap evidence is read again whenever named.
        assert state.recheck_due(jateng_url, jateng)
        assert not state.recheck_due(WEB_SITEMAP_ARTICLE, banyumas)
    with runs(at=START + timedelta(hours=8, minutes=15), sites="banyumas,jateng") as much_later:
        monkeypatch.setattr(TribunSpider, "discovery_cache", property(lambda spider: much_later.middleware))
        much_later.crawler.spider.tell_state_of_sitemaps()
        # Its sitemap unread for 8 h (twice the interval), banyumas is back to the ages too.
        assert CrawlState.of(much_later.crawler).recheck_due(WEB_SITEMAP_ARTICLE, banyumas)


@pytest.mark.parametrize(
    ("reason", "settings"), [("finished", {"TRIBUN_CHANGE_SITEMAP_INTERVAL": "0"}), ("shutdown", {})]
)
def test_a_web_sitemap_is_asked_for_every_time_without_an_interval_or_after_a_run_cut_short(
    runs: Any, reason: str, settings: dict[str, str]
) -> None:
    site = news_and_web(answer(body=NEWS_URLSET, ETag='"n1"'))
    with runs(at=START, reason=reason, settings=settings) as first:
        first.remember_an_article()
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        first.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    with runs(at=START + timedelta(minutes=15), settings=settings) as second:
        second.download(page_request(SITEMAP, PageKind.SITEMAP), site)
        second.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
    assert asked_for(site, WEB_SITEMAP) == 2


def test_the_hosts_answers_with_new_articles_and_with_changes_are_kept_in_the_cache_folder(
    runs: Any, tmp_path: Path
) -> None:
    site = news_and_web(answer(body=NEWS_URLSET, ETag='"n1"'))
    with runs(at=START) as first:
        first.download(page_request(SITEMAP, PageKind.SITEMAP), site)
    with runs(at=START + timedelta(minutes=15)) as second:
        second.download(page_request(WEB_SITEMAP, PageKind.SITEMAP), site)
        assert second.middleware.changes_shown_by() == {"banyumas.tribunnews.com"}
    kept = json.loads((tmp_path / "state-discovery" / HOST_ANSWERS_FILE).read_text())
    assert kept == {
        "new_articles": {"banyumas.tribunnews.com": START.timestamp()},
        "changes": {"banyumas.tribunnews.com": (START + timedelta(minutes=15)).timestamp()},
    }
    # Changes shown 8 h ago no longer vouch for the host (twice the 4 h interval).
    with runs(at=START + timedelta(hours=8, minutes=15)) as later:
        assert later.middleware.changes_shown_by() == frozenset()
    (tmp_path / "state-discovery" / HOST_ANSWERS_FILE).write_text("{not json")
    with runs(at=START + timedelta(hours=8, minutes=30)) as damaged:
        assert damaged.middleware.host_answers == {}
        assert damaged.middleware.changes_shown_by() == frozenset()


def test_answers_no_run_used_for_30_days_are_removed_when_a_run_finishes(runs: Any, tmp_path: Path) -> None:
    folder = tmp_path / "state-discovery"
    old_index = "https://www.tribunnews.com/index-news?date=2026-10-1"
    with runs(at=START) as first:
        first.download(page_request(old_index, PageKind.INDEX), Site(answer(body=b"<html>1 Okt</html>", ETag='"i"')))
        first.download(page_request(SITEMAP, PageKind.SITEMAP), Site(answer(body=URLSET, ETag='"s1"')))
    kept = sorted(folder.glob("*/*/*/meta.json"))
    assert len(kept) == 2
    month_ago = time.time() - 31 * 86400
    os.utime(next(p for p in kept if "2026-10-1" in p.read_text()), (month_ago, month_ago))

    with runs(at=START + timedelta(minutes=15), reason="shutdown"):
        pass
    assert len(list(folder.glob("*/*/*/meta.json"))) == 2  # only a run that finished cleans up
    with runs(at=START + timedelta(minutes=30)):
        pass
    (left,) = folder.glob("*/*/*/meta.json")
    assert "sitemap_news.xml" in left.read_text()


# --- Where the cache is, and when it is off ---------------------------------------------------------------------


def test_the_cache_lives_beside_the_sqlite_state_and_steps_aside_for_the_replay_cache(tmp_path: Path) -> None:
    def folder(**settings: Any) -> Path | None:
        return cache_folder(Settings({"TRIBUN_STATE_BACKEND": "auto", "TRIBUN_STATE_PATH": "x.sqlite3", **settings}))

    assert folder(TRIBUN_STATE_PATH=str(tmp_path / "s" / "tribun.sqlite3")) == tmp_path / "s" / "tribun-discovery"
    assert folder(TRIBUN_DISCOVERY_CACHE_DIR=str(tmp_path / "c")) == tmp_path / "c"
    assert folder(REDIS_URL="redis://127.0.0.1:6379/0") is None
    assert folder(REDIS_URL="redis://127.0.0.1:6379/0", TRIBUN_DISCOVERY_CACHE_DIR=str(tmp_path)) == tmp_path

    state = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}
    for off in ({"HTTPCACHE_ENABLED": True}, {"TRIBUN_DISCOVERY_CACHE": False}):
        with pytest.raises(NotConfigured):
            DiscoveryCacheMiddleware.from_crawler(make_spider({**state, **off}).crawler)


# --- The spider ---------------------------------------------------------------------------------------------------


def not_modified_response(spider: TribunSpider, request: Request, body: bytes) -> Response:
    request.meta[meta.NOT_MODIFIED] = True
    kind = XmlResponse if body.startswith(b"<?xml") else HtmlResponse
    return kind(request.url, body=body, request=request, flags=["cached"])


def test_the_spider_reads_nothing_from_an_unchanged_url_set_or_hub(tmp_path: Path) -> None:
    spider = make_spider({"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}, discover="sitemaps")
    try:
        sitemap = spider.sitemap_request(SITEMAP, depth=0)
        assert list(spider.parse_sitemap(not_modified_response(spider, sitemap, URLSET))) == []
        hub = spider.listing_request(HUB, priority=0)
        hub_page = b'<html><body><ul id="latestul"><li class="art-list"><h3><a href="https://www.tribunnews.com/nasional/2026/12/04/dpr-sahkan-ruu">DPR</a></h3></li></ul></body></html>'
        assert list(spider.parse_listing(not_modified_response(spider, hub, hub_page))) == []
        stats = spider.crawler.stats
        assert stats.get_value(stat.DISCOVERY_NOT_MODIFIED) == 2
        assert stats.get_value(stat.SITEMAP_ENTRIES) is None
        assert stats.get_value(stat.PAGES("sitemap")) is None
        # The same pages, downloaded: read.
        downloaded = HtmlResponse(HUB, body=hub_page, request=spider.listing_request(HUB, priority=0))
        assert [r.url for r in spider.parse_listing(downloaded)] == [
            "https://www.tribunnews.com/nasional/2026/12/04/dpr-sahkan-ruu?page=all"
        ]
    finally:
        CrawlState.of(spider.crawler).close("finished")


def test_the_spider_reads_an_unchanged_index_again_for_its_files(tmp_path: Path) -> None:
    spider = make_spider({"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}, sites="jateng", discover="sitemaps")
    try:
        index = spider.sitemap_request("https://jateng.tribunnews.com/sitemap_news.xml", depth=0)
        requests = list(spider.parse_sitemap(not_modified_response(spider, index, INDEX)))
        assert [r.url for r in requests] == [
            "https://jateng.tribunnews.com/semarang/sitemap_news.xml",
            "https://jateng.tribunnews.com/solo/sitemap_news.xml",
        ]
        # The lastmod the index gave goes with the request, to be kept with the file.
        assert [meta.sitemap_listed_lastmod(r.meta) for r in requests] == ["2026-12-04T13:12:00+07:00", None]
        assert spider.crawler.stats.get_value(stat.DISCOVERY_NOT_MODIFIED) is None
    finally:
        CrawlState.of(spider.crawler).close("finished")


# --- robots.txt unreachable, no copy kept ---------------------------------------------------------------------------


def crawl_behind(robots: Callable[[], Any], **settings: Any) -> tuple[Any, LocalSite]:
    """A crawl of two pages of a local site whose robots.txt answers ``robots()``, with Scrapy's RobotsTxt and Retry
    middlewares and the project's UnreachableRobotsTxtMiddleware."""

    async def run() -> tuple[Any, LocalSite]:
        def reply(request: web.Request) -> web.Response:
            return robots() if request.path == "/robots.txt" else html()

        async with LocalSite(reply) as site:
            crawler = local_crawler(
                PagesSpider,
                {
                    "ROBOTSTXT_OBEY": True,
                    "RETRY_TIMES": 1,
                    "DOWNLOADER_MIDDLEWARES": {UNREACHABLE: project_settings.DOWNLOADER_MIDDLEWARES[UNREACHABLE]},
                    **settings,
                },
            )
            await crawler.crawl_async(urls=[site.url("/nasional/1/satu"), site.url("/nasional/2/dua")])
            return crawler, site

    return asyncio.run(run())


def test_a_robots_txt_answering_5xx_after_the_retries_disallows_the_whole_host(caplog: Any) -> None:
    """RFC 9309 2.3.1.4; Scrapy alone would read the error page as robots.txt and allow everything."""
    crawler, site = crawl_behind(lambda: html("<html><body>Service Unavailable</body></html>", status=503))
    assert site.hits == ["/robots.txt", "/robots.txt"]  # retried once, then complete disallow
    assert crawler.stats.get_value("robotstxt/forbidden") == 2
    assert crawler.stats.get_value(stat.DISCOVERY_ROBOTS_TXT_UNREACHABLE("127.0.0.1")) == 1
    assert "answered 503 and no copy is kept: every page of 127.0.0.1 is disallowed for this run" in caplog.text

    # A robots.txt that answers, or is absent (404), allows as before.
    for robots in (lambda: web.Response(text="User-agent: *\nDisallow: /api/\n"), lambda: html("no", status=404)):
        crawler, site = crawl_behind(robots)
        assert sorted(site.hits) == ["/nasional/1/satu", "/nasional/2/dua", "/robots.txt"]
        assert crawler.stats.get_value(stat.DISCOVERY_ROBOTS_TXT_UNREACHABLE("127.0.0.1")) is None


def test_a_kept_answer_is_json_never_pickle_and_a_damaged_one_is_as_if_none(runs: Any, tmp_path: Path) -> None:
    # Whoever can write to the cache folder must not be able to make the crawler run code.
    with runs(at=START) as first:
        first.download(page_request(SITEMAP, PageKind.SITEMAP), Site(answer(body=URLSET, ETag='"s1"')))
    (entry,) = (tmp_path / "state-discovery").glob("*/*/*/meta.json")
    assert json.loads(entry.read_text(encoding="utf-8"))["status"] == 200
    assert sorted(p.name for p in entry.parent.iterdir()) == ["meta.json", "response_body", "response_headers"]
    entry.write_bytes(b"\x80\x04\x95 a pickle")
    with runs(at=START + timedelta(minutes=15)) as second:
        assert not second.middleware.sitemap_unchanged(page_request(SITEMAP, PageKind.SITEMAP), "2026-12-04")
