"""The hostile replica serves the faults it claims (tests/replica/hostile.py), so the end-to-end test proves
something: each page checked here as the server renders it, without a socket; the transport faults (stall,
reset, short body, 20 MB) are seen by the crawler in tests/test_hostile_e2e.py."""

from __future__ import annotations

import gzip
import zlib
from datetime import date, datetime
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from parsel import Selector
from protego import Protego

from tests.replica.hostile import (
    CALENDAR_YEARS,
    CASES,
    CONTENT_SITE,
    DISALLOWED_PREFIX,
    HOSTILE_SITES,
    SERVED_SITES,
    TARGET_KEY,
    UNLISTED,
    VARIANT_LINKS,
    VARIANTS_KEY,
    HostileReplica,
    Reply,
    _corrupt_gzip,
    disallowed_links,
    render_home,
    render_index,
    robots_txt,
)
from tribun_crawler.settings import USER_AGENT
from tribun_crawler.sites import SITES, WIB, site_key
from tribun_crawler.urls import PageType, article_key, classify_url

TODAY = date(2026, 11, 20)
#: Afternoon of TODAY, when the listings are rendered.
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=WIB)


@pytest.fixture(scope="module")
def replica() -> HostileReplica:
    return HostileReplica(TODAY)


def answer(replica: HostileReplica, key: str, query: str = "") -> Reply:
    """The ordinary answer of an article URL (transient faults included: first answer first)."""
    return replica._article(replica.net.article(key), query)


def test_cases_cover_every_hostile_article_and_use_only_hostile_hosts(replica: HostileReplica) -> None:
    keys = {case.key for case in CASES}
    linked_only = {"r-renamed", "x-loop-b"}  # the old URL of a renamed story, the second half of a loop
    assert keys | linked_only == {a.key for a in replica.net.articles}
    assert {a.site for a in replica.net.articles} == set(HOSTILE_SITES)
    assert all(site_key(SITES[site].host) == site for site in HOSTILE_SITES)
    assert not any(case.emitted and case.reasons for case in CASES)
    assert all(case.emitted or case.reasons for case in CASES)


def test_every_listed_case_is_on_its_homepage_and_unlisted_ones_on_no_listing(replica: HostileReplica) -> None:
    linked: set[str] = set()
    for site in SERVED_SITES:
        page = Selector(render_home(replica.net, site, NOW))
        linked |= {urljoin(SITES[site].home, href) for href in page.css("#latestul a::attr(href)").getall()}
        index = Selector(render_index(replica.net, site, TODAY, 1))
        linked |= set(index.css("ul.lsi a::attr(href)").getall())
    for article in replica.net.articles:
        assert (article.url in linked) is (article.key not in UNLISTED), article.key


def test_homepage_cards_carry_odd_schemes_disallowed_drafts_and_the_blocked_host(replica: HostileReplica) -> None:
    hrefs = Selector(render_home(replica.net, CONTENT_SITE, NOW)).css("#latestul h3 a::attr(href)")
    schemes = {urlsplit(href).scheme for href in hrefs.getall()}
    assert {"javascript", "mailto", "data", ""} <= schemes
    assert any(href.startswith("//www.kompas.com/") for href in hrefs.getall())
    assert set(disallowed_links(replica.net)) <= set(hrefs.getall())
    assert {replica.net.article(k).url for k in ("x-403-a", "x-403-b")} <= set(hrefs.getall())


def test_robots_txt_disallows_the_drafts_that_look_like_articles(replica: HostileReplica) -> None:
    robots = Protego.parse(robots_txt(CONTENT_SITE))
    for url in disallowed_links(replica.net):
        assert classify_url(url) is PageType.ARTICLE
        assert not robots.can_fetch(url, USER_AGENT)
    assert f"Disallow: {DISALLOWED_PREFIX}" not in robots_txt("solo")


def test_the_index_pages_forever_and_its_calendar_spans_decades(replica: HostileReplica) -> None:
    for page in (1, 10, 57):
        sel = Selector(render_index(replica.net, CONTENT_SITE, TODAY, page))
        next_pages = [
            dict(parse_qsl(urlsplit(h).query)).get("page") for h in sel.css("#paginga a.next::attr(href)").getall()
        ]
        assert next_pages == [str(page + 1)]
    calendar = Selector(render_index(replica.net, CONTENT_SITE, TODAY, 1)).css("#calendar a::attr(href)").getall()
    years = {int(dict(parse_qsl(urlsplit(h).query))["date"].split("-")[0]) for h in calendar}
    assert (min(years), max(years)) == CALENDAR_YEARS


def test_one_article_is_linked_a_thousand_ways(replica: HostileReplica) -> None:
    page = Selector(answer(replica, VARIANTS_KEY).body.decode())
    target = replica.net.article(TARGET_KEY)
    base = replica.net.article(VARIANTS_KEY).url
    hrefs = [urljoin(base, h) for h in page.css(".list-rekomendasi a::attr(href)").getall()]
    spellings = {h for h in hrefs if classify_url(h) is PageType.ARTICLE and article_key(h) == article_key(target.url)}
    assert len(spellings) >= VARIANT_LINKS


def test_encodings_are_as_declared_or_not_declared(replica: HostileReplica) -> None:
    cp1252 = answer(replica, "g-cp1252")
    assert cp1252.content_type == "text/html; charset=windows-1252"
    assert b'<meta charset="windows-1252">' in cp1252.body
    assert "“Kami".encode("cp1252") in cp1252.body
    no_charset = answer(replica, "g-nocharset")
    assert no_charset.content_type == "text/html"
    assert b"charset" not in no_charset.body.lower()
    assert "Hélène".encode("cp1252") in no_charset.body
    for body in (cp1252.body, no_charset.body, answer(replica, "g-badutf8").body):
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")


def test_broken_documents_are_broken(replica: HostileReplica) -> None:
    malformed = answer(replica, "g-malformed").body.decode()
    assert "data-x=a&b" in malformed
    assert "</span></font>" in malformed
    assert malformed.count("<p>") + malformed.count("<P>") > malformed.count("</p>")
    assert "<body>" not in answer(replica, "g-bodytagless").body.decode()
    assert "// diperbarui otomatis" in answer(replica, "g-badjson").body.decode()
    assert '"datePublished": "-0001-11-30' in answer(replica, "g-baddates").body.decode()
    truncated = answer(replica, "x-truncated").body.decode()
    assert "Fatal error" in truncated
    assert "</html>" not in truncated
    head_only = answer(replica, "x-nobody").body.decode()
    assert "<body" not in head_only
    assert "application/ld+json" in head_only
    assert answer(replica, "x-empty").body == b""
    assert answer(replica, "x-image").content_type == "image/jpeg"
    assert answer(replica, "x-pdf").body.startswith(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3")


def test_corrupt_gzip_does_not_decompress() -> None:
    page = "<html><body>" + "<p>Pameran tanaman hias.</p>" * 500 + "</body></html>"
    for from_start in (True, False):
        with pytest.raises((OSError, EOFError, zlib.error)):
            gzip.decompress(_corrupt_gzip(page, from_start=from_start))


def test_http_faults_clear_after_their_count_and_redirects_point_where_they_say() -> None:
    replica = HostileReplica(TODAY)
    assert [answer(replica, "g-500").status for _ in range(3)] == [500, 500, 200]
    assert [answer(replica, "g-503").status for _ in range(3)] == [503, 503, 200]
    throttled = answer(replica, "g-429")
    assert (throttled.status, throttled.headers) == (429, {"Retry-After": "1"})
    assert answer(replica, "g-429").status == 200
    assert [answer(replica, "g-pageall-503", "page=all").status for _ in range(2)] == [503, 200]
    assert {answer(replica, "x-503-forever").status for _ in range(5)} == {503}
    net = replica.net
    assert answer(replica, "x-loop-a").headers["Location"] == net.article("x-loop-b").url
    assert answer(replica, "x-loop-b").headers["Location"] == net.article("x-loop-a").url
    assert answer(replica, "r-renamed").headers["Location"] == net.article("g-renamed").url
    assert answer(replica, "x-to-home").headers["Location"] == SITES["solo"].home
    for key in ("x-offnet", "x-localhost"):
        assert site_key(urlsplit(answer(replica, key).headers["Location"]).hostname) is None
    assert b'http-equiv="refresh"' in answer(replica, "x-metarefresh").body
