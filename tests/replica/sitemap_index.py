"""A regional host whose sitemaps are only at the standard location: ``/sitemap.xml``.

Served with ``--sitemap-index`` (``start_replica(..., sitemap_index=True)``), beside the ordinary replica network.
docs/site.md#sitemaps gives the flagship's ``/sitemap.xml`` as the index of its per-section news and
web sitemaps, and the regional ``/sitemap_news.xml`` and ``/sitemap_web.xml``; some regional hosts publish neither
of those, only ``/sitemap.xml`` as the index of their per-section news sitemaps. Tribun-Bali (:data:`SITE`, WITA)
plays that host here: ``/sitemap.xml`` lists ``/{section}/sitemap_news.xml`` for its two sections
(``pages.SITEMAP_LAYOUT``), ``/sitemap_news.xml`` and ``/sitemap_web.xml`` answer 404, and its robots.txt names no
sitemap. So a crawler that looks only at the regional names and at robots.txt finds none of its articles.

Its articles are in the 2025 regional template (six-digit id URLs), listed on its homepage, section hubs and news
sitemaps, published yesterday (the news sitemaps cover the last two days), and link no other article.
Without ``--sitemap-index`` the host is like every unpopulated one: no articles, empty sitemaps at the same paths.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from tests.replica.network import SECTIONS, Article, Era, Person
from tribun_crawler.sites import SITES

#: The host that publishes its sitemaps only at ``/sitemap.xml``.
SITE = "bali"


def _person(name: str) -> Person:
    return Person(name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))


def _article(
    key: str,
    section: str,
    article_id: str,
    headline: str,
    published: datetime,
    *,
    description: str,
    author: str,
    keywords: tuple[str, ...],
    topic: str,
    caption: str,
    dateline: str,
    paragraphs: tuple[str, ...],
) -> Article:
    slug = "-".join(re.findall(r"[a-z0-9]+", headline.lower()))
    return Article(
        key=key,
        site=SITE,
        era=Era.REGIONAL_2025,
        section=section,
        section_name=dict(SECTIONS[SITE])[section],
        slug=slug,
        article_id=article_id,
        headline=headline,
        description=description,
        published=published,
        modified=published,
        authors=(_person(author),),
        editors=(_person("I Made Sugianto"),),
        keywords=keywords,
        topic=topic,
        image=f"https://asset-2.tribunnews.com/bali/foto/bank/images/{slug}.jpg",
        image_caption=f"{caption} (Tribun-Bali.com/{author})",
        dateline=dateline,
        listed=True,
        pages=(paragraphs,),
    )


def sitemap_index_articles(today: date) -> list[Article]:
    """The host's articles, dated relative to ``today``."""

    def yesterday(hhmm: str) -> datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime.combine(today - timedelta(days=1), time(hour, minute), SITES[SITE].tz)

    return [
        _article(
            "bl-subak",
            "denpasar",
            "871204",
            "Festival Subak Denpasar Digelar, Petani Pamerkan Hasil Panen Organik",
            yesterday("09:10"),
            description="Festival Subak digelar di Denpasar, petani memamerkan hasil panen organik.",
            author="Putu Supartika",
            keywords=("subak", "Denpasar", "pertanian organik"),
            topic="Festival Subak",
            caption="Petani memamerkan hasil panen di Festival Subak.",
            dateline="DENPASAR",
            paragraphs=(
                "Festival Subak kembali digelar di Lapangan Puputan Badung, Kota Denpasar, selama dua hari.",
                "Puluhan kelompok subak memamerkan beras merah, sayuran dan buah hasil pertanian organik.",
                "Dinas Pertanian menyebut luas sawah organik di Denpasar bertambah sekitar 40 hektare tahun ini.",
                "Pengunjung dapat membeli langsung hasil panen dengan harga petani.",
            ),
        ),
        _article(
            "bl-angkot",
            "denpasar",
            "871188",
            "Trans Metro Dewata Tambah Dua Koridor, Tarif Tetap Rp 4.400",
            yesterday("07:45"),
            description="Trans Metro Dewata menambah dua koridor baru tanpa menaikkan tarif.",
            author="Ni Luh Putu Wahyuni",
            keywords=("Trans Metro Dewata", "transportasi", "Denpasar"),
            topic="Transportasi Bali",
            caption="Bus Trans Metro Dewata melintas di Jalan Gatot Subroto.",
            dateline="DENPASAR",
            paragraphs=(
                "Layanan bus Trans Metro Dewata menambah dua koridor baru mulai pekan depan.",
                "Koridor baru menghubungkan Terminal Ubung dengan kawasan Sanur dan Bandara I Gusti Ngurah Rai.",
                "Tarif tetap Rp 4.400 untuk penumpang umum dan Rp 2.000 untuk pelajar.",
                "Pengelola menyiapkan 24 armada untuk melayani kedua koridor tersebut.",
            ),
        ),
        _article(
            "bl-melasti",
            "badung",
            "871176",
            "Ribuan Umat Hindu Ikuti Melasti di Pantai Petitenget, Lalu Lintas Dialihkan",
            yesterday("06:30"),
            description="Ribuan umat Hindu mengikuti upacara Melasti di Pantai Petitenget, Badung.",
            author="I Komang Agus Aryanta",
            keywords=("Melasti", "Petitenget", "Badung"),
            topic="Nyepi 2026",
            caption="Umat Hindu mengikuti upacara Melasti di Pantai Petitenget.",
            dateline="MANGUPURA",
            paragraphs=(
                "Ribuan umat Hindu dari sejumlah desa adat mengikuti upacara Melasti di Pantai Petitenget.",
                "Upacara penyucian diri menjelang Nyepi itu berlangsung sejak pagi hingga siang hari.",
                "Polres Badung mengalihkan arus lalu lintas di Jalan Petitenget selama upacara berlangsung.",
                "Pecalang dari desa adat setempat ikut membantu mengatur kendaraan dan pejalan kaki.",
            ),
        ),
        _article(
            "bl-sampah",
            "badung",
            "871151",
            "Pemkab Badung Bangun Tiga TPS3R Baru untuk Kurangi Sampah ke TPA Suwung",
            yesterday("05:55"),
            description="Pemkab Badung membangun tiga tempat pengolahan sampah TPS3R baru.",
            author="I Komang Agus Aryanta",
            keywords=("sampah", "TPS3R", "Badung"),
            topic="Sampah Bali",
            caption="Petugas memilah sampah di TPS3R Desa Dalung.",
            dateline="MANGUPURA",
            paragraphs=(
                "Pemerintah Kabupaten Badung membangun tiga TPS3R baru di Kecamatan Kuta Utara dan Mengwi.",
                "Setiap TPS3R ditargetkan mengolah hingga 15 ton sampah rumah tangga per hari.",
                "Langkah itu untuk mengurangi sampah yang dibuang ke TPA Suwung yang sudah melebihi kapasitas.",
                "Pembangunan ditargetkan rampung sebelum akhir tahun anggaran.",
            ),
        ),
    ]
