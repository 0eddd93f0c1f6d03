"""The crashes tests/test_fuzz_extractors.py found, each as a plain test on a real-shaped page.

Every case is one hostile value planted in a fixture page (tests/fixtures) or the real TribunMadura capture; the
extractor must read the rest of the page as before, so most tests compare with the fixture's whole expected
output. What each value did before the fix is in the test's docstring.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.http import HtmlResponse

from tests.test_article_extractor import FIXTURES as ARTICLE_FIXTURES
from tests.test_article_extractor import fixture_html, page_from
from tests.test_listing_extractor import FIXTURES as LISTING_FIXTURES
from tests.test_listing_extractor import MADURA, MADURA_ENTRIES, MADURA_HOMEPAGE
from tribun_crawler.extractors.listing import ListingPage

ARTICLE = "www_2026_id_page1"
ARTICLE_URL = (
    "https://www.tribunnews.com/nasional/7731367/"
    "bmkg-prediksi-puncak-kemarau-2026-terjadi-agustus-ini-daerah-yang-perlu-waspada"
)
INDEX = LISTING_FIXTURES / "www-index-news-2024-6-20.html"


def expected_item(name: str) -> dict[str, object]:
    return json.loads((ARTICLE_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def planted(html: str, old: str, new: str) -> str:
    """``html`` with its one ``old`` replaced by ``new`` (fails if the fixture changed under the test)."""
    assert html.count(old) == 1, old
    return html.replace(old, new)


def in_body(html: str, markup: str) -> str:
    return planted(
        html,
        '<div class="side-article txt-article multi-fontsize">',
        f'<div class="side-article txt-article multi-fontsize">{markup}',
    )


def index_page(html: str) -> ListingPage:
    url = "https://www.tribunnews.com/index-news?date=2024-6-20"
    return ListingPage(HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8"))


def index_expected() -> dict[str, object]:
    return json.loads(INDEX.with_suffix(".json").read_text(encoding="utf-8"))


def listing_as_json(page: ListingPage) -> dict[str, object]:
    return {
        "articleEntries": [
            {"url": e.url, "title": e.title, "published": e.published and e.published.isoformat()}
            for e in page.articleEntries()
        ],
        "nextPageUrls": page.nextPageUrls(),
    }


# --- Article pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    ["http://[::1/nasional/2026/07/24/x", "http://[www.tribunnews.com]/nasional/7731368/x"],
    ids=["unclosed IPv6", "name in brackets"],
)
def test_article_link_urllib_cannot_parse_costs_only_itself(href: str) -> None:
    """urljoin raised ValueError ("Invalid IPv6 URL") and the whole article was lost."""
    html = fixture_html(ARTICLE)
    html = in_body(html, f'<p class="baca">Baca juga: <a href="{href}">Judul Lain</a></p>')
    html = planted(html, '<link rel="canonical" href="', f'<link rel="canonical" href="{href}" /><link data-x="')
    html = planted(
        html, "</body>", f'<div><h3>Berita Terkait</h3><ul><li><a href="{href}">Lain</a></li></ul></div></body>'
    )

    assert dataclasses.asdict(page_from(html).to_item()) == expected_item(ARTICLE)


def test_article_base_href_urllib_cannot_parse_is_ignored() -> None:
    """Scrapy's selector raised ValueError for the whole page: no field could be read."""
    html = planted(fixture_html(ARTICLE), "<head>", '<head><base href="http://[::1/">')

    assert dataclasses.asdict(page_from(html).to_item()) == expected_item(ARTICLE)


def test_breadcrumb_position_that_isdigit_but_not_int() -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises ValueError: breadcrumbs (and the item) were lost."""
    html = planted(fixture_html(ARTICLE), '"position":1,', '"position":"\u00b2",')

    page = page_from(html)

    assert page.breadcrumbs() == expected_item(ARTICLE)["breadcrumbs"]
    assert dataclasses.asdict(page.to_item()) == expected_item(ARTICLE)


def test_page_numbers_longer_than_int_takes() -> None:
    """``int()`` of a 5,000-digit page number raised ValueError (Python refuses more than 4,300 digits)."""
    digits = "9" * 5_000
    html = planted(fixture_html(ARTICLE), "Halaman 1/2", f"Halaman 1/{digits}")
    html = planted(html, 'rel="page-2"', f'rel="page-{digits}"')

    page = page_from(html)

    # The link's own ?page=2 still says how many pages there are.
    assert page.pageCount() == 2
    assert page.pageUrls() == [f"{ARTICLE_URL}?page=2"]


@pytest.mark.parametrize(
    ("total", "count"), [("99999", 50), ("999999999", 50), ("99999999999", 2)], ids=["5 digits", "9", "11"]
)
def test_page_count_a_page_claims_is_capped(total: str, count: int) -> None:
    """ "Halaman 1/99999999999" made pageUrls() build 10^11 URLs: the process ran out of memory. Now a page count
    is at most 50, and a number of more than 9 digits is no page number (the next-page link still counts)."""
    html = planted(fixture_html(ARTICLE), "Halaman 1/2", f"Halaman 1/{total}")

    page = page_from(html)

    assert page.pageCount() == count
    assert page.pageUrls() == [f"{ARTICLE_URL}?page={n}" for n in range(2, count + 1)]


def test_lone_surrogate_in_json_ld_becomes_a_replacement_character() -> None:
    """JSON may escape half a surrogate pair (``\\ud800``): the field read from JSON-LD kept it, and the feed
    exporter raised UnicodeEncodeError writing the item, killing the run. (The description is read JSON-LD first;
    the headline is read from the h1 first.)"""
    html = planted(fixture_html(ARTICLE), '"description":"BMKG', '"description":"\\ud800 \\ud83d\\ude00 BMKG')

    item = page_from(html).to_item()

    assert item.description == "\ufffd\ufffd\ufffd \U0001f600 " + str(expected_item(ARTICLE)["description"])
    buffer = io.BytesIO()
    JsonLinesItemExporter(buffer, encoding="utf-8", ensure_ascii=False).export_item(item)
    assert json.loads(buffer.getvalue())["description"] == item.description


@pytest.mark.parametrize("offset", ["+99:00", "+24:00", "-24:00"])
def test_date_with_an_offset_no_datetime_can_hold(offset: str) -> None:
    """dateutil kept the offset and returned a datetime whose every use (astimezone, compare, isoformat) raised
    ValueError: the article was lost. The next source of the date is used instead."""
    html = fixture_html(ARTICLE)
    published = re.search(r'"datePublished":"([^"]+)"', html)
    assert published
    html = planted(html, published.group(0), f'"datePublished":"2026-07-24T12:40:00{offset}"')

    item = page_from(html).to_item()

    assert item.datePublished == expected_item(ARTICLE)["datePublished"]  # from article:published_time


# --- Listing pages ---------------------------------------------------------------------------------------------


def test_listing_links_urllib_or_scrapy_cannot_use_are_skipped() -> None:
    """A card or paging link with a broken IPv6 host made urljoin raise ValueError (the listing was lost); a port
    out of range was returned as an article URL, and the spider's Request() raised ValueError."""
    html = INDEX.read_text(encoding="utf-8")
    cards = "".join(
        f'<li class="ptb15"><h3><a href="{href}">Judul</a></h3></li>'
        for href in (
            "http://[::1/nasional/2024/06/20/a",
            "http://[www.tribunnews.com]/nasional/2024/06/20/b",
            "https://www.tribunnews.com:99999/nasional/2024/06/20/c",
        )
    )
    html = planted(html, '<ul class="lsi">', f'<ul class="lsi">{cards}')
    html = planted(
        html,
        '<div class="paging">',
        '<div class="paging"><a href="http://[::1/index-news?date=2024-6-20&amp;page=2">2</a>'
        '<a href="https://www.tribunnews.com:99999/index-news?date=2024-6-20&amp;page=2">2</a>',
    )

    page = index_page(html)

    assert listing_as_json(page) == {
        k: v for k, v in index_expected().items() if k in ("articleEntries", "nextPageUrls")
    }


@pytest.mark.parametrize("page", ["\u00b2", "9" * 5_000], ids=["superscript two", "5000 digits"])
def test_listing_page_parameter_that_isdigit_but_not_int(page: str) -> None:
    """``?page=²`` and a 5,000-digit page made ``int()`` raise ValueError: the listing's paging was lost."""
    html = planted(
        INDEX.read_text(encoding="utf-8"),
        '<div class="paging">',
        f'<div class="paging"><a href="https://www.tribunnews.com/index-news?date=2024-6-20&amp;page={page}">x</a>',
    )

    assert index_page(html).nextPageUrls() == index_expected()["nextPageUrls"]


def test_listing_base_href_urllib_cannot_parse_is_ignored() -> None:
    """Scrapy's selector raised ValueError for the whole page: no entry could be read."""
    html = planted(INDEX.read_text(encoding="utf-8"), "<head>", '<head><base href="http://[::1/">')

    assert listing_as_json(index_page(html)) == {
        k: v for k, v in index_expected().items() if k in ("articleEntries", "nextPageUrls")
    }


def test_listing_time_with_an_offset_no_datetime_can_hold() -> None:
    """The card's date came back with a +24:00 offset; comparing it (oldestPublished) raised ValueError."""
    html = planted(
        Path(MADURA_HOMEPAGE).read_text(encoding="utf-8"),
        'title="2024-01-23 17:01:36"',
        'title="2024-01-23 17:01:36 +24:00"',
    )

    page = ListingPage(HtmlResponse(url=MADURA, body=html.encode("utf-8"), encoding="utf-8"))

    entries = page.articleEntries()
    assert entries == [
        dataclasses.replace(entry, published=None)
        if entry.published == datetime.fromisoformat("2024-01-23T17:01:36+07:00")
        else entry
        for entry in MADURA_ENTRIES
    ]
    assert page.oldestPublished() == datetime.fromisoformat("2024-01-20T18:52:35+07:00")
