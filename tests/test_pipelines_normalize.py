"""NormalizePipeline on a real crawler: text, body lines, names, every canonicalisation rule, every date shape."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from scrapy.utils.misc import build_from_crawler

from tests.conftest import make_article, make_crawler
from tribun_crawler.items import ArticleItem
from tribun_crawler.pipelines.normalize import NormalizePipeline


@pytest.fixture
def normalize() -> NormalizePipeline:
    return build_from_crawler(NormalizePipeline, make_crawler())


def test_text_fields_are_nfc_with_single_spaces(normalize: NormalizePipeline) -> None:
    decomposed = unicodedata.normalize("NFD", "Pemerintah Tegaskan Kafe di Jalan Gatot Subroto Ditutup")
    item = make_article(
        headline="  " + decomposed.replace(" ", "\u00a0 ") + "\n",
        description="Kafe\u200b itu   ditutup\tsementara.",
        articleSection=" Metropolitan ",
    )
    normalize.process_item(item)
    assert item.headline == "Pemerintah Tegaskan Kafe di Jalan Gatot Subroto Ditutup"
    assert unicodedata.is_normalized("NFC", item.headline)
    assert item.description == "Kafe itu ditutup sementara."
    assert item.articleSection == "Metropolitan"


def test_text_fields_with_only_whitespace_become_none(normalize: NormalizePipeline) -> None:
    item = make_article(description=" \u00a0 ")
    normalize.process_item(item)
    assert item.description is None


def test_body_loses_boilerplate_lines_and_keeps_paragraphs(normalize: NormalizePipeline) -> None:
    body = "\n".join(
        [
            "Laporan Wartawan Tribunnews.com, Danang Triatmojo",
            "TRIBUNNEWS.COM, JAKARTA - Banjir merendam 34 RT di Jakarta Timur pada Kamis pagi.",
            "Baca juga: Banjir Jakarta Hari Ini, Ini Daftar Jalan yang Tergenang",
            "  Kepala BPBD DKI   mengatakan  air setinggi 1,2 meter.  ",
            "",
            "BACA JUGA Warga Bantaran Ciliwung Diminta Waspada",
            "Bacaan doa saat hujan deras dibagikan pengurus masjid kepada para pengungsi.",
            "Artikel ini telah tayang di TribunJakarta.com dengan judul Banjir Rendam 34 RT, "
            "https://jakarta.tribunnews.com/2024/06/20/banjir-rendam-34-rt",
            "Penulis: Danang Triatmojo | Editor: Adi Suhendi",
            "Simak berita lainnya di Google News",
            "Ikuti kami di WhatsApp Channel",
        ]
    )
    item = make_article(articleBody=body)
    normalize.process_item(item)
    assert item.articleBody == (
        "TRIBUNNEWS.COM, JAKARTA - Banjir merendam 34 RT di Jakarta Timur pada Kamis pagi.\n\n"
        "Kepala BPBD DKI mengatakan air setinggi 1,2 meter.\n\n"
        "Bacaan doa saat hujan deras dibagikan pengurus masjid kepada para pengungsi."
    )
    assert normalize.crawler.stats.get_value("tribun/normalize/lines_removed") == 7


def test_syndication_footer_left_in_the_body_names_the_original(normalize: NormalizePipeline) -> None:
    body = (
        "TRIBUNJATENG.COM, SEMARANG - KPU Jawa Tengah menetapkan jadwal pendaftaran.\n\n"
        "Artikel ini telah tayang di Tribunnews.com dengan judul KPU Tetapkan Jadwal, "
        "https://m.tribunnews.com/amp/regional/2024/06/20/kpu-tetapkan-jadwal?page=all."
    )
    item = make_article(url="https://jateng.tribunnews.com/2024/06/20/kpu-tetapkan-jadwal", articleBody=body)
    normalize.process_item(item)
    assert item.isBasedOn == "https://www.tribunnews.com/regional/2024/06/20/kpu-tetapkan-jadwal"
    assert "Artikel ini" not in (item.articleBody or "")


def test_an_extracted_is_based_on_wins_over_the_footer(normalize: NormalizePipeline) -> None:
    body = (
        "Isi berita.\n\nArtikel ini telah tayang di Tribunnews.com dengan judul X, "
        "https://www.tribunnews.com/regional/2024/06/20/lain"
    )
    item = make_article(articleBody=body, isBasedOn="https://www.tribunnews.com/regional/2024/06/19/asli")
    normalize.process_item(item)
    assert item.isBasedOn == "https://www.tribunnews.com/regional/2024/06/19/asli"


def test_names_lose_reporter_prefixes_and_repeats(normalize: NormalizePipeline) -> None:
    item = make_article(
        authors=[
            {"name": "Laporan Wartawan Tribunnews.com, Ilham Rian Pratama", "url": None},
            {"name": "Laporan Reporter TribunJateng.com, Rahdyan Trijoko Pamungkas", "url": None},
            {"name": "Penulis: Ilham  Rian Pratama", "url": None},
            {"name": "  ", "url": None},
        ],
        editors=[{"name": "Editor: Wahyu Aji", "url": "https://m.tribunnews.com/editor/wahyu-aji?utm_source=x"}],
    )
    normalize.process_item(item)
    assert item.authors == [
        {"name": "Ilham Rian Pratama", "url": None},
        {"name": "Rahdyan Trijoko Pamungkas", "url": None},
    ]
    assert item.editors == [{"name": "Wahyu Aji", "url": "https://www.tribunnews.com/editor/wahyu-aji"}]


CANONICAL = "https://www.tribunnews.com/internasional/2024/06/20/korea-utara-kirim-balon-sampah"


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(CANONICAL.replace("www.", "m."), id="mobile host"),
        pytest.param(CANONICAL.replace(".com/", ".com/amp/"), id="amp prefix"),
        pytest.param(CANONICAL.replace("www.", "m.").replace(".com/", ".com/amp/"), id="mobile amp"),
        pytest.param(CANONICAL + "?page=all", id="page all"),
        pytest.param(CANONICAL + "?&page=all", id="empty param then page"),
        pytest.param(CANONICAL + "?page=2", id="page n"),
        pytest.param(CANONICAL + "?utm_source=twitter&utm_medium=social&utm_campaign=x", id="utm"),
        pytest.param(CANONICAL + "?_ga=2.1234.5678", id="_ga"),
        pytest.param(CANONICAL + "#comments", id="fragment"),
        pytest.param(CANONICAL + "/", id="trailing slash"),
        pytest.param(CANONICAL.replace("https:", "http:"), id="http"),
        pytest.param("https://tribunnews.com/internasional/2024/06/20/korea-utara-kirim-balon-sampah", id="bare"),
    ],
)
def test_url_variants_become_the_canonical_url(normalize: NormalizePipeline, variant: str) -> None:
    item = make_article(url=variant)
    normalize.process_item(item)
    assert item.url == CANONICAL
    assert item.site == "www"


def test_regional_and_id_urls_are_canonical_and_give_site_and_id(normalize: NormalizePipeline) -> None:
    item = make_article(url="https://wartakota.tribunnews.com/amp/bekasi/894833/banjir-bekasi?page=all#x")
    normalize.process_item(item)
    assert item.url == "https://wartakota.tribunnews.com/bekasi/894833/banjir-bekasi"
    assert (item.site, item.articleId) == ("wartakota", "894833")


def test_percent_encoding_is_canonicalised_by_w3lib(normalize: NormalizePipeline) -> None:
    item = make_article(url="https://www.tribunnews.com/seleb/2024/06/20/caf%c3%a9-baru%2Dviral")
    normalize.process_item(item)
    assert item.url == "https://www.tribunnews.com/seleb/2024/06/20/caf%C3%A9-baru-viral"


def test_url_fields_of_every_kind_are_canonical(normalize: NormalizePipeline) -> None:
    item = make_article(
        url="https://m.tribunnews.com/amp/nasional/7731367/slug-berita?page=all",
        relatedUrls=[
            "https://m.tribunnews.com/amp/nasional/2024/06/19/berita-terkait?utm_source=baca",
            "https://www.tribunnews.com/nasional/2024/06/19/berita-terkait#top",
            "https://www.tribunnews.com/nasional/7731367",
            "https://www.tribunnews.com/tag/banjir",
            "https://banyumas.tribunnews.com/2024/06/18/lain/",
        ],
        mainImage={
            "url": "https://asset-2.tstatic.net/tribunnews/foto/bank/images/banjir.jpg?utm_source=x&w=700#m",
            "caption": "  Warga   mengungsi. (Tribunnews.com/Jeprima) ",
        },
        breadcrumbs=[{"name": " Nasional ", "url": "https://m.tribunnews.com/nasional?utm_medium=menu"}],
        isBasedOn="https://m.tribunnews.com/amp/nasional/2024/06/18/asli?page=2",
    )
    normalize.process_item(item)
    assert item.url == "https://www.tribunnews.com/nasional/7731367/slug-berita"
    assert item.articleId == "7731367"
    assert item.relatedUrls == [
        "https://www.tribunnews.com/nasional/2024/06/19/berita-terkait",
        "https://banyumas.tribunnews.com/2024/06/18/lain",
    ]
    assert item.mainImage == {
        "url": "https://asset-2.tstatic.net/tribunnews/foto/bank/images/banjir.jpg?w=700",
        "caption": "Warga mengungsi. (Tribunnews.com/Jeprima)",
    }
    assert item.breadcrumbs == [{"name": "Nasional", "url": "https://www.tribunnews.com/nasional"}]
    assert item.isBasedOn == "https://www.tribunnews.com/nasional/2024/06/18/asli"


def test_is_based_on_naming_the_item_itself_is_cleared(normalize: NormalizePipeline) -> None:
    item = make_article(isBasedOn=make_article().url.replace("www.", "m.") + "?page=all")
    normalize.process_item(item)
    assert item.isBasedOn is None


@pytest.mark.parametrize(
    ("url", "published", "expected"),
    [
        (
            "https://www.tribunnews.com/nasional/2020/05/04/a",
            "Senin, 4 Mei 2020 04:25 WIB",
            "2020-05-04T04:25:00+07:00",
        ),
        ("https://bali.tribunnews.com/2025/11/03/a", "Senin, 3 November 2025 19:26 WITA", "2025-11-03T19:26:00+08:00"),
        ("https://papua.tribunnews.com/2024/01/23/a", "Selasa, 23 Januari 2024 17:01 WIT", "2024-01-23T17:01:00+09:00"),
        (
            "https://www.tribunnews.com/nasional/2020/07/22/a",
            "Rabu, 22 Juli 2020 | 10:00 WIB",
            "2020-07-22T10:00:00+07:00",
        ),
        ("https://www.tribunnews.com/nasional/7731367/a", "2026-07-24T12:40+07:00", "2026-07-24T12:40:00+07:00"),
        ("https://makassar.tribunnews.com/2024/06/20/a", "2024-06-20T03:00:00Z", "2024-06-20T03:00:00+00:00"),
        ("https://bali.tribunnews.com/2024/01/23/a", "2024-01-23 17:01:36", "2024-01-23T17:01:36+08:00"),
        ("https://papua.tribunnews.com/2024/01/23/a", "2024-01-23 17:01:36", "2024-01-23T17:01:36+09:00"),
        ("https://www.tribunnews.com/nasional/2024/01/23/a", "2024-01-23 17:01:36", "2024-01-23T17:01:36+07:00"),
        ("https://jateng.tribunnews.com/2024/01/23/a", "Selasa, 23 Januari 2024 17:01", "2024-01-23T17:01:00+07:00"),
    ],
)
def test_dates_become_offset_aware_iso(normalize: NormalizePipeline, url: str, published: str, expected: str) -> None:
    item = make_article(url=url, datePublished=published, dateModified=published)
    normalize.process_item(item)
    assert item.datePublished == expected
    assert item.dateModified == expected


def test_download_time_is_utc(normalize: NormalizePipeline) -> None:
    item = make_article(dateDownloaded="2024-06-20T09:00:05.123456+07:00")
    normalize.process_item(item)
    assert item.dateDownloaded == "2024-06-20T02:00:05+00:00"


def test_unreadable_publication_date_is_kept_for_validation_but_modified_is_cleared(
    normalize: NormalizePipeline,
) -> None:
    item = make_article(datePublished="32 menit lalu", dateModified="kemarin")
    normalize.process_item(item)
    assert item.datePublished == "32 menit lalu"
    assert item.dateModified is None


@pytest.mark.parametrize(
    ("keywords", "expected"),
    [
        (["banjir Jakarta", " BPBD  DKI ", "Banjir jakarta", ""], ["banjir Jakarta", "BPBD DKI"]),
        ("banjir Jakarta, BPBD DKI,, Ciliwung", ["banjir Jakarta", "BPBD DKI", "Ciliwung"]),
    ],
)
def test_keywords_are_clean_and_unique(normalize: NormalizePipeline, keywords: Any, expected: list[str]) -> None:
    item = make_article(keywords=keywords)
    normalize.process_item(item)
    assert item.keywords == expected


def test_article_id_is_digits_or_taken_from_the_url(normalize: NormalizePipeline) -> None:
    item = make_article(url="https://www.tribunnews.com/nasional/7844542", articleId=None)
    normalize.process_item(item)
    assert item.articleId == "7844542"
    item = make_article(articleId=" 0731367 ")
    normalize.process_item(item)
    assert item.articleId == "731367"
    item = make_article(articleId="com.tribunnews.app")
    normalize.process_item(item)
    assert item.articleId is None


def test_missing_fields_stay_missing(normalize: NormalizePipeline) -> None:
    item = ArticleItem(url="", headline=None, articleBody=None, datePublished=None)
    normalize.process_item(item)
    assert (item.url, item.headline, item.articleBody, item.datePublished) == ("", None, None, None)


def test_lists_and_tables_keep_their_lines_as_one_block(normalize: NormalizePipeline) -> None:
    body = "\n\n".join(
        [
            "TRIBUNJATENG.COM, SEMARANG - Harga cabai naik di pasar tradisional.",
            "- Cabai rawit  Rp 60.000\n- Cabai merah\n  - keriting\n  - besar",
            "3. Pasar Johar\n4. Pasar Peterongan",
            "Komoditas | Harga\nBawang merah | Rp 38.000",
            "Ikuti kami di Google News",
        ]
    )
    item = make_article(articleBody=body)
    normalize.process_item(item)
    assert item.articleBody == (
        "TRIBUNJATENG.COM, SEMARANG - Harga cabai naik di pasar tradisional.\n\n"
        "- Cabai rawit Rp 60.000\n- Cabai merah\n  - keriting\n  - besar\n\n"
        "3. Pasar Johar\n4. Pasar Peterongan\n\n"
        "Komoditas | Harga\nBawang merah | Rp 38.000"
    )
