"""ListingPage on the real TribunMadura homepage excerpt and on listing fixtures after docs/site.md#listing-pages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from tribun_crawler.dates import isoformat
from tribun_crawler.extractors.listing import ListingEntry, ListingPage
from tribun_crawler.urls import PageType, classify_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "listings"
MADURA_HOMEPAGE = Path(__file__).resolve().parent / "fixtures" / "captures" / "madura-homepage-2024-01-23.html"

WIB = timezone(timedelta(hours=7))
MADURA = "https://madura.tribunnews.com/"

# What a reader sees on the captured page: the headline slide, then the three #latestul cards.
MADURA_ENTRIES = [
    ListingEntry(
        url=MADURA + "2024/01/22/pulang-dari-pengajian-gus-iqdam-sepasang-kekasih-dikeroyok-oknum-pesilat-di-tuban",
        title="Pulang dari Pengajian Gus Iqdam, Sepasang Kekasih Dikeroyok Oknum Pesilat di Tuban",
        published=None,
    ),
    ListingEntry(
        url=MADURA + "2024/01/23/pemkab-sampang-beberkan-alasan-merelokasi-pedagang-sapi-di-pasar-kedungdung-"
        "pemicu-kemacetan",
        title="Pemkab Sampang Beberkan Alasan Merelokasi Pedagang Sapi di Pasar Kedungdung, Pemicu Kemacetan",
        published=datetime(2024, 1, 23, 17, 1, 36, tzinfo=WIB),
    ),
    ListingEntry(
        url=MADURA + "2024/01/20/alasan-ketua-pkb-jatim-pilih-baddrut-tamam-di-pilgub-2024-"
        "dibandingkan-bupati-sebelumnya-jauh",
        title="Alasan Ketua PKB Jatim Pilih Baddrut Tamam di Pilgub 2024: Dibandingkan Bupati Sebelumnya Jauh",
        published=datetime(2024, 1, 20, 18, 52, 35, tzinfo=WIB),
    ),
    ListingEntry(
        url=MADURA + "2024/01/23/terus-matangkan-persiapan-arema-fc-jajal-kekuatan-persis-solo",
        title="Terus Matangkan Persiapan, Arema FC Jajal Kekuatan Persis Solo",
        published=datetime(2024, 1, 23, 16, 56, 54, tzinfo=WIB),
    ),
]


def listing(url: str, path: Path) -> ListingPage:
    return ListingPage(HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8"))


@pytest.fixture(scope="module")
def madura_homepage() -> Path:
    if not MADURA_HOMEPAGE.is_file():
        pytest.fail(f"real capture missing: {MADURA_HOMEPAGE}")
    return MADURA_HOMEPAGE


@pytest.mark.parametrize("url", [MADURA, MADURA + "mata-lokal-memilih/pilpres"])
def test_real_madura_homepage_entries(madura_homepage: Path, url: str) -> None:
    # Served under a two-segment section path, a plain urljoin of the relative thumbnail hrefs would yield
    # /mata-lokal-memilih/2024/01/23/… (still article-shaped) as extra, wrong entries.
    page = listing(url, madura_homepage)

    entries = page.articleEntries()

    assert entries == MADURA_ENTRIES
    assert all(entry.published is None or entry.published.utcoffset() == timedelta(hours=7) for entry in entries)


def test_real_madura_homepage_paging_and_oldest(madura_homepage: Path) -> None:
    page = listing(MADURA, madura_homepage)

    # The homepage pages only through /ajax/latest, which robots.txt disallows.
    assert page.nextPageUrls() == []
    assert page.oldestPublished() == datetime(2024, 1, 20, 18, 52, 35, tzinfo=WIB)


def _as_json(page: ListingPage) -> dict[str, Any]:
    return {
        "articleEntries": [
            {"url": e.url, "title": e.title, "published": isoformat(e.published)} for e in page.articleEntries()
        ],
        "nextPageUrls": page.nextPageUrls(),
        "oldestPublished": isoformat(page.oldestPublished()),
    }


@pytest.mark.parametrize("html_path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_listing_fixture(html_path: Path) -> None:
    expected = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
    url = expected.pop("url")

    actual = _as_json(listing(url, html_path))

    assert actual == expected
    assert all(classify_url(e["url"]) is PageType.ARTICLE for e in actual["articleEntries"])


def test_fixture_set_covers_every_listing_kind() -> None:
    kinds = {classify_url(json.loads(p.read_text(encoding="utf-8"))["url"]) for p in FIXTURES.glob("*.json")}
    assert kinds == {PageType.HOME, PageType.INDEX, PageType.SECTION, PageType.ARCHIVE}


def test_links_to_one_article_merge_into_the_heading_link() -> None:
    # A #latestul card whose thumbnail links the id-only form (/internasional/7731367 also resolves, per
    # docs/site.md#article-urls) with a shortened title attribute: one entry, with the heading's URL and visible title.
    card = """<html><body><div class="lsi"><ul id="latestul">
      <li class="p1520 art-list pos_rel" data-sort="1">
        <div class="fr mt5 pos_rel"><a href="internasional/7731367" title="Iran Luncurkan Rudal">
          <img src="https://asset-2.tribunnews.com/foto/bank/thumbnails2/rudal.jpg" width="120"/></a></div>
        <div class='mr140'>
          <h3><a href="https://www.tribunnews.com/internasional/7731367/iran-luncurkan-rudal-balistik"
                 title="Iran Luncurkan Rudal Balistik" class="f20 ln24 fbo txt-oev-2">
              Iran Luncurkan Rudal Balistik </a></h3>
          <div class="pt5 grey">
            <time class="foot timeago" title="2026-03-12 09:41:02">12 menit lalu</time></div>
        </div>
      </li></ul></div></body></html>"""
    response = HtmlResponse(url="https://www.tribunnews.com/internasional", body=card, encoding="utf-8")

    assert ListingPage(response).articleEntries() == [
        ListingEntry(
            url="https://www.tribunnews.com/internasional/7731367/iran-luncurkan-rudal-balistik",
            title="Iran Luncurkan Rudal Balistik",
            published=datetime(2026, 3, 12, 9, 41, 2, tzinfo=WIB),
        )
    ]


def test_page_chrome_and_kickers_are_never_entries() -> None:
    # Header, menus and footer repeat on every page of the site, so an article they link (a breaking-news
    # ticker, a pinned special report) is no entry of this listing; nor is an h4 kicker, whatever its URL.
    page = """<html><body>
      <div id="header"><a href="https://www.tribunnews.com/nasional/2018/03/14/breaking-gempa-guncang-lebak"
         title="Gempa Guncang Lebak">Gempa Guncang Lebak</a></div>
      <header><a href="https://www.tribunnews.com/nasional/7731300/ticker-berita">Ticker</a></header>
      <div class="main-menu" id="main-menu"><ul>
        <li><a href="https://www.tribunnews.com/nasional" title="Nasional">Nasional</a></li>
        <li><a href="nasional/2018/03/01/laporan-khusus-mudik-2018" title="Laporan Khusus">Laporan Khusus</a></li>
      </ul></div>
      <nav><a href="https://www.tribunnews.com/sport/2018/03/14/menu-sport-pilihan">Sport Pilihan</a></nav>
      <div class="content"><div class="fl w502">
        <div id="topil"><div id="topik_1">
          <h4 class="f16 fbo2 red"><a href="https://www.tribunnews.com/internasional/2018/03/14/kicker-hawking"
             title="Stephen Hawking">Stephen Hawking</a></h4>
          <ul><li><h3><a href="internasional/2018/03/14/deretan-teori-stephen-hawking"
             title="Deretan Teori Stephen Hawking">Deretan Teori Stephen Hawking</a></h3></li></ul>
        </div></div>
      </div></div>
      <div id="footer"><a href="https://www.tribunnews.com/redaksi">Redaksi</a>
        <a href="https://www.tribunnews.com/nasional/2018/03/10/artikel-di-footer">Artikel</a></div>
      <footer><a href="https://www.tribunnews.com/bisnis/7731301/footer-bisnis">Bisnis</a></footer>
    </body></html>"""
    response = HtmlResponse(url="https://www.tribunnews.com/", body=page, encoding="utf-8")

    assert ListingPage(response).articleEntries() == [
        ListingEntry(
            url="https://www.tribunnews.com/internasional/2018/03/14/deretan-teori-stephen-hawking",
            title="Deretan Teori Stephen Hawking",
            published=None,
        )
    ]
