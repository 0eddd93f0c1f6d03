"""ArticlePage against full article pages of every era (tests/fixtures/articles/NAME.html + NAME.json).

Each fixture page carries the URL it was fetched from on its first line (``<!-- url: … -->``); NAME.json is
the whole item expected from it (``dataclasses.asdict(page.to_item())``, fetched without a download time).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from tribun_crawler.extractors.article import ArticlePage, with_next_page
from tribun_crawler.text import is_related_line
from tribun_crawler.urls import PageType, canonical_article_url, classify_url

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
LIST_OR_ROW = re.compile(r"^(?:(?:  )*(?:- |\d+\. )\S|\S.* \| \S)")
NAMES = sorted(path.stem for path in FIXTURES.glob("*.html"))
ARTICLE_2026 = (
    "https://www.tribunnews.com/nasional/7731367/"
    "bmkg-prediksi-puncak-kemarau-2026-terjadi-agustus-ini-daerah-yang-perlu-waspada"
)


def fixture_html(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


def fetched_url(html: str) -> str:
    match = re.match(r"<!-- url: (\S+) -->", html)
    assert match, "fixture must start with its URL comment"
    return match.group(1)


def page_from(html: str, url: str | None = None, downloaded_at: datetime | None = None) -> ArticlePage:
    response = HtmlResponse(url=url or fetched_url(html), body=html.encode("utf-8"), encoding="utf-8")
    return ArticlePage(response, downloaded_at=downloaded_at)


def load(name: str) -> ArticlePage:
    return page_from(fixture_html(name))


def without_json_ld(html: str) -> str:
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def test_every_era_and_variant_has_a_fixture() -> None:
    assert len(NAMES) >= 19
    assert all((FIXTURES / f"{name}.json").exists() for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_whole_item(name: str) -> None:
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert dataclasses.asdict(load(name).to_item()) == expected


@pytest.mark.parametrize("name", NAMES)
def test_body_is_clean_text_in_blank_line_separated_paragraphs(name: str) -> None:
    page = load(name)
    body = page.articleBody()
    if body is None:
        assert page.problem() == "no-body"
        return
    paragraphs = body.split("\n\n")
    assert paragraphs == page.bodyParagraphs()
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip()
        assert paragraph
        lines = paragraph.split("\n")
        if len(lines) > 1:  # a list or a table: a line per item ("- x", "  - nested", "3. x") or row ("a | b")
            assert all(LIST_OR_ROW.match(line) for line in lines), lines
            lines = [line.lstrip(" ") for line in lines]
        for line in lines:
            assert line == line.strip()
            assert "  " not in line
        assert not is_related_line(paragraph)
        for leftover in (
            "googletag",
            "adsbygoogle",
            "Ringkasan Berita",
            "Laporan Wartawan",
            "telah tayang di",
        ):
            assert leftover not in paragraph


@pytest.mark.parametrize("name", NAMES)
def test_related_urls_are_canonical_articles_never_from_sidebars(name: str) -> None:
    page = load(name)
    selector = Selector(text=fixture_html(name))
    sidebar = {canonical_article_url(href) for href in selector.css("#boxright_fix a::attr(href)").getall()}
    outside = {
        canonical_article_url(href)
        for href in selector.xpath('//a[not(ancestor::*[@id="boxright_fix"])]/@href').getall()
        if classify_url(href) is PageType.ARTICLE
    }
    related = page.relatedUrls()
    assert related, "every fixture links related stories"
    assert not (set(related) & (sidebar - outside))
    assert len(related) == len(set(related))
    assert page.url() not in related
    for url in related:
        assert classify_url(url) is PageType.ARTICLE
        assert url == canonical_article_url(url)


def test_pages_added_one_by_one_give_the_article_all_pages_at_once_give() -> None:
    first, second = load("www_2026_id_page1"), load("www_2026_id_page2")
    assert with_next_page(first.to_item(), second) == first.to_item([second])
    # A page with nothing in it adds nothing; the article's own URL never becomes one of its related links.
    assert with_next_page(first.to_item(), first).relatedUrls == first.to_item().relatedUrls


def test_stitched_pages_equal_the_page_all_response() -> None:
    first, second, whole = load("www_2026_id_page1"), load("www_2026_id_page2"), load("www_2026_id_page_all")
    stitched = first.to_item([second])
    assert stitched.articleBody == whole.to_item().articleBody
    assert stitched.articleBody == "\n\n".join(first.bodyParagraphs() + second.bodyParagraphs())
    assert stitched.articleBody.startswith("TRIBUNNEWS.COM, JAKARTA - Badan Meteorologi")
    # The last page's text ends the article; its "(Tribunnews.com/Gita Irawan)" credit line is not text.
    assert stitched.articleBody.endswith('agar daerah bisa bersiap lebih awal," kata Kepala BMKG.')
    assert "(Tribunnews.com/Gita Irawan)" in fixture_html("www_2026_id_page2")
    assert stitched.pageCount == 2
    # "Baca juga" of page 1 and of page 2 are both kept, each once.
    assert set(stitched.relatedUrls) == set(first.relatedUrls()) | set(second.relatedUrls())
    assert len(stitched.relatedUrls) == len(set(stitched.relatedUrls)) == 4


def test_page_one_of_two_asks_for_page_two() -> None:
    page = load("www_2026_id_page1")
    assert page.pageCount() == 2
    assert not page.isAllPages()
    assert page.pageUrls() == [f"{ARTICLE_2026}?page=2"]


def test_page_all_response_holds_the_whole_article() -> None:
    page = load("www_2026_id_page_all")
    assert page.isAllPages()
    assert page.pageUrls() == []
    assert page.url() == ARTICLE_2026


def test_page_two_is_not_the_whole_article() -> None:
    page = load("www_2026_id_page2")
    assert not page.isAllPages()
    assert page.url() == ARTICLE_2026
    assert page.description() is not None
    assert not page.description().endswith("Halaman 2")


def test_old_paging_links_give_every_further_page() -> None:
    page = load("www_2021_date_jsonld_second")
    base = "https://www.tribunnews.com/nasional/2021/05/01/jelang-larangan-mudik-polri-siapkan-381-titik-penyekatan"
    assert page.pageCount() == 3
    assert not page.isAllPages()
    assert page.pageUrls() == [f"{base}?page=2", f"{base}?page=3"]


def test_single_page_article_is_whole() -> None:
    page = load("www_2019_date_no_jsonld")
    assert page.pageCount() == 1
    assert page.isAllPages()
    assert page.pageUrls() == []


@pytest.mark.parametrize("name", [n for n in NAMES if n != "jatim_2024_video_no_body"])
def test_readable_pages_have_no_problem(name: str) -> None:
    assert load(name).problem() is None


def test_page_without_body_text_is_a_problem() -> None:
    page = load("jatim_2024_video_no_body")
    assert page.problem() == "no-body"
    assert page.bodyParagraphs() == []


def test_page_without_any_title_is_a_problem() -> None:
    html = without_json_ld(fixture_html("www_2019_date_no_jsonld"))
    html = re.sub(r"<title>.*?</title>", "", html)
    html = re.sub(r'<meta property="og:title"[^>]*>', "", html)
    html = re.sub(r'<h1 class="f50 black2 f400 crimson" id="arttitle">.*?</h1>', "", html)
    assert page_from(html).problem() == "no-headline"


def test_download_time_is_utc() -> None:
    html = fixture_html("www_2019_date_no_jsonld")
    wib = timezone(timedelta(hours=7))
    assert page_from(html, downloaded_at=datetime(2026, 7, 24, 12, 40, 5, tzinfo=wib)).dateDownloaded() == (
        "2026-07-24T05:40:05+00:00"
    )
    assert page_from(html, downloaded_at=datetime(2026, 7, 24, 5, 40, 5)).dateDownloaded() == (
        "2026-07-24T05:40:05+00:00"
    )
    item = page_from(html, downloaded_at=datetime(2026, 7, 24, 5, 40, 5, 123, tzinfo=UTC)).to_item()
    assert item.dateDownloaded == "2026-07-24T05:40:05+00:00"


def test_amp_and_mobile_urls_are_canonicalised_when_the_page_names_no_canonical() -> None:
    html = fixture_html("www_2019_date_no_jsonld")
    html = re.sub(r'<link rel="canonical"[^>]*>', "", html)
    html = re.sub(r'<meta property="og:url"[^>]*>', "", html)
    amp = (
        "https://m.tribunnews.com/amp/internasional/2019/02/26/"
        "kim-jong-un-tiba-di-stasiun-dong-dang-vietnam-setelah-perjalanan-kereta-60-jam/?utm_source=wa#komentar"
    )
    page = page_from(html, url=amp)
    assert page.url() == (
        "https://www.tribunnews.com/internasional/2019/02/26/"
        "kim-jong-un-tiba-di-stasiun-dong-dang-vietnam-setelah-perjalanan-kereta-60-jam"
    )
    assert page.site() == "www"


def test_copy_keeps_its_own_url_when_its_canonical_names_the_original() -> None:
    html = fixture_html("jogja_2023_syndicated_copy")
    original = (
        "https://jateng.tribunnews.com/2023/08/13/kai-tambah-perjalanan-kereta-joglosemarkerto-selama-libur-17-agustus"
    )
    html = re.sub(r'<link rel="canonical" href="[^"]*"', f'<link rel="canonical" href="{original}"', html)
    page = page_from(html)
    assert page.url() == fetched_url(html)
    assert page.site() == "jogja"
    assert page.isBasedOn() == original


def test_wit_date_read_from_the_visible_text() -> None:
    page = page_from(without_json_ld(fixture_html("ambon_2022_date_wit")))
    assert page.datePublished() == "2022-09-14T10:30:00+09:00"
    assert page.dateModified() is None


def test_zone_less_date_takes_the_site_zone() -> None:
    html = without_json_ld(fixture_html("makassar_2025_id_wita"))
    html = re.sub(r'<meta property="article:published_time"[^>]*>', "", html)
    html = html.replace("19:26 WITA</span>", "19:26</span>")
    assert page_from(html).datePublished() == "2025-11-03T19:26:00+08:00"


def test_dates_are_given_in_the_site_zone_whatever_offset_the_page_prints() -> None:
    html = fixture_html("makassar_2025_id_wita").replace(
        '"datePublished": "2025-11-03T19:26:00+08:00"', '"datePublished": "2025-11-03T18:26:00+07:00"'
    )
    assert page_from(html).datePublished() == "2025-11-03T19:26:00+08:00"


def test_authors_and_editors_from_the_credit_block_without_json_ld() -> None:
    page = page_from(without_json_ld(fixture_html("makassar_2025_id_wita")))
    assert page.authors() == [{"name": "Siti Aminah", "url": "https://makassar.tribunnews.com/penulis/siti-aminah"}]
    assert page.editors() == [{"name": "Sakinah Sudin", "url": "https://makassar.tribunnews.com/editor/sakinah-sudin"}]


def test_related_line_needs_baca_juga_or_a_colon() -> None:
    assert is_related_line("Baca juga: Kemenhub Terbitkan Aturan")
    assert is_related_line("BACA JUGA Kemenhub Terbitkan Aturan")
    assert is_related_line("Baca: Donald Trump Berangkat ke Hanoi")
    assert not is_related_line("Bacaan Surah Ar-Rahman yang dilantunkan Ahmad mendapat nilai tertinggi.")


@pytest.mark.parametrize("name", NAMES)
def test_only_a_page_without_the_body_container_is_read_from_its_densest_block(name: str) -> None:
    """The fallback is counted by the spider (tribun/extract/fallback): it must not fire on known templates."""
    assert load(name).usedBodyFallback() is (name == "bali_2024_no_body_container")


def test_the_fallback_loses_precision_not_the_article() -> None:
    """Without the era's body container the article is still emitted whole, from the densest block of
    paragraphs, and not from the sidebar or the comments beside it."""
    page = load("bali_2024_no_body_container")
    assert page.problem() is None
    body = page.articleBody() or ""
    assert body.startswith("TRIBUN-BALI.COM, MANGUPURA - ")
    assert len(body) > 1000
    html = fixture_html("bali_2024_no_body_container")
    sidebar = Selector(text=html).css("aside p::text, .comments p::text, #comments p::text").getall()
    assert sidebar, "the fixture has paragraphs outside the article"
    assert not any(text.strip() and text.strip() in body for text in sidebar)


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("www_2015_h3_date_bottom_credits", "+07:00"),
        ("makassar_2016_zoneless_wita", "+08:00"),  # printed without a zone on a WITA host
        ("suryamalang_2017_zoneless", "+07:00"),
        ("solo_2020_jsonld_editor_sumber", "+07:00"),
    ],
)
def test_older_eras_are_dated_with_their_zone(name: str, zone: str) -> None:
    published = load(name).datePublished()
    assert published is not None
    assert published.endswith(zone)


def test_an_editor_only_page_has_no_author() -> None:
    page = load("www_2017_editor_only_print_edition")
    assert page.authors() == []
    assert [editor["name"] for editor in page.editors()]


def test_a_page_that_shows_no_time_keeps_its_day_and_invents_no_time() -> None:
    """The honest representation (README, "Output"): datePublished null, datePublishedDay the day."""
    html = fixture_html("makassar_2016_zoneless_wita")
    no_time = html.replace("Senin, 8 Februari 2016 12:43", "Senin, 8 Februari 2016")
    assert no_time != html
    page = page_from(no_time)
    assert page.datePublished() is None
    assert page.datePublishedDay() == "2016-02-08"
    assert page.to_item().datePublishedRaw == "Senin, 8 Februari 2016"
    # No date on the page at all: the URL's day.
    bare = re.sub(r"Senin, 8 Februari 2016", "", no_time)
    page = page_from(bare)
    assert page.datePublished() is None
    assert page.datePublishedDay() == fetched_url(html).split("/")[3] + "-02-08"
    # A page that shows its time never gets a day alone.
    assert load("makassar_2016_zoneless_wita").datePublishedDay() is None
