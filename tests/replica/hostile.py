"""The hostile replica: four on-network hosts whose servers and pages fail in every way a crawler meets.

Served by the replica proxy with ``--hostile`` (``start_replica(..., hostile=True)``), beside the ordinary
replica network. Every hostile URL is reachable from the listings of the hostile hosts: their homepages
(``#latestul``, in the real template of ``pages.py``) and today's daily index.

- ``jogja`` (:data:`CONTENT_SITE`): pages that are broken or odd *as pages*: an image, a PDF, an empty 200, a
  page with no ``<body>`` content, a page cut off by a PHP fatal error; and good articles in odd encodings
  (windows-1252 declared, no charset at all, stray invalid UTF-8 bytes), in malformed markup, without a
  ``<body>`` tag, with invalid or nonsensical JSON-LD, on two or three pages. Its homepage carries
  ``javascript:``, ``mailto:``, ``data:`` and protocol-relative links and an article-shaped link under a path its
  robots.txt disallows (``/preview/``); its daily index pages forever (``&page=N+1`` on every page) and shows a
  calendar from 1990 to 2060; one article links another under a thousand spellings.
- ``solo`` (:data:`HTTP_SITE`): HTTP-level faults: 500/502/503 a few times then 200, 429 with ``Retry-After``,
  a 503 that never ends, a stall that recovers, redirect loops, an endless redirect chain, redirects to
  off-network hosts (a news site, and the crawler's own localhost), a meta refresh off the network, a redirect
  from an article to the homepage, and a renamed article whose old URL redirects to the new one. Two-page
  articles whose ``?page=all`` alone fails for good (:data:`PAGE_ALL_FAULTS`: 500, 404, the homepage served or
  redirected to) while their plain URL and ``?page=2`` answer, and one whose every variant fails.
- ``bogor`` (:data:`TRANSPORT_SITE`): transport faults: a response that stalls past any download timeout, a
  connection reset mid-body (once, and always), a body shorter than its Content-Length, corrupt gzip, and
  20 MB pages with and without a Content-Length; a two-page article whose ``?page=all`` alone stalls.
- ``kupang`` (:data:`BLOCKED_SITE`): answers 403 to everything (the server's ``--block``); two of its articles
  are linked from the jogja homepage.

:data:`CASES` says, for every hostile article URL, what a correct crawler does with it: emit it complete, or
record it as a failed page with one of the given reasons. The request log shows what was really sent.
"""

from __future__ import annotations

import base64
import re
import select
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from tests.replica import pages
from tests.replica.network import Article, Era, Link, Network, Person, request_variant
from tribun_crawler.sites import SITES, WIB, site_key

CONTENT_SITE = "jogja"
HTTP_SITE = "solo"
TRANSPORT_SITE = "bogor"
BLOCKED_SITE = "kupang"
#: Sites served by the hostile replica; the blocked one is served by the proxy's ``--block``.
SERVED_SITES = (CONTENT_SITE, HTTP_SITE, TRANSPORT_SITE)
HOSTILE_SITES = (*SERVED_SITES, BLOCKED_SITE)

#: Where the off-network redirects point. If the crawler ever followed one, its request would reach the proxy
#: (``no_proxy`` is empty in test crawls) and be logged ``off_network``.
OFF_NETWORK_REDIRECT = "https://www.kompas.com/read/2026/01/15/10300061/artikel-dipindahkan-ke-mitra"
LOCALHOST_REDIRECT = "http://127.0.0.1:6379/"
META_REFRESH_TARGET = "https://bit.ly/tribun-artikel-pindah"
#: A path prefix the content site's robots.txt disallows (on top of the usual regional rules).
DISALLOWED_PREFIX = "/preview/"
#: Spellings of one article linked from :data:`VARIANTS_KEY` ("a page linking one article a thousand ways").
VARIANT_LINKS = 1000
#: Years the content site's index calendar reaches.
CALENDAR_YEARS = (1990, 2060)
#: How long a stalled response hangs before the server gives up on it (far past any test DOWNLOAD_TIMEOUT).
STALL_SECONDS = 60.0
#: Size of the huge pages, and the chunk they are streamed in.
HUGE_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024


# --- Outcomes a correct crawler reaches -------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile article URL and what a correct crawl does with it."""

    key: str
    """Key of the article in :func:`hostile_network` whose URL is the one linked."""
    fault: str
    """What the server does, for the closing table."""
    emitted: bool
    """True: the article is emitted once, complete (every page). False: it is not emitted."""
    reasons: frozenset[str] = frozenset()
    """For an article not emitted: the failure reasons the run report may record for its URL (one of them)."""


def _bad(key: str, fault: str, *reasons: str) -> Case:
    return Case(key, fault, emitted=False, reasons=frozenset(reasons))


def _good(key: str, fault: str) -> Case:
    return Case(key, fault, emitted=True)


CASES: tuple[Case, ...] = (
    # content site
    _good("g-multi", "good article on three pages, ?page=all answers all of it"),
    _good("g-stitch", "good article on two pages whose ?page=all answers page 1 only"),
    _good("g-cp1252", "page declared windows-1252 (header and meta), Indonesian text with “ ” \u2013 … ° é"),
    _good("g-nocharset", "page in windows-1252 with no charset anywhere"),
    _good("g-badutf8", "UTF-8 page with a stray Latin-1 byte (invalid UTF-8) in a paragraph"),
    _good(
        "g-malformed", "malformed HTML: unclosed p and li, unquoted attributes, bare &, upper-case tags, stray end tags"
    ),
    _good("g-bodytagless", "no <body> tag (content straight after </head>)"),
    _good("g-badjson", "JSON-LD that is not valid JSON"),
    _good("g-baddates", "JSON-LD dates that are nonsense (-0001-11-30, 2024-13-45T25:61)"),
    _good("g-variants", "article whose related block links one article under 1000 spellings"),
    _good("g-target", "the article linked under 1000 spellings (reached only that way)"),
    _bad("x-image", "article URL answers a JPEG image", "unreadable/not-html"),
    _bad("x-pdf", "article URL answers a PDF", "unreadable/not-html"),
    _bad("x-empty", "article URL answers an empty 200", "document/empty"),
    _bad("x-nobody", "article page with a <head> and no <body> content", "unreadable/no-body"),
    _bad("x-truncated", "article page cut off mid-body by a PHP fatal error", "document/truncated"),
    # HTTP site
    _good("g-500", "500 twice, then 200"),
    _good("g-502", "502 once, then 200"),
    _good("g-503", "503 twice, then 200"),
    _good("g-429", "429 with Retry-After: 1 once, then 200"),
    _good("g-pageall-503", "two pages; ?page=all answers 503 once, then 200"),
    _good("g-stall-once", "stalls past the download timeout once, then 200"),
    _good("g-renamed", "renamed article: its old URL (listed) answers 301 to the new one"),
    _bad("x-503-forever", "503 on every attempt", "http/503"),
    _bad("x-loop-a", "redirect loop a -> b -> a", "redirect/loop"),
    _bad("x-selfloop", "redirects to itself with a query string, then to that URL again", "redirect/loop"),
    _bad("x-chain", "endless redirect chain, a new URL each hop", "redirect/too-many"),
    _bad("x-offnet", "301 to an off-network news site", "scope/off-network-redirect"),
    _bad("x-localhost", "302 to http://127.0.0.1:6379/", "scope/off-network-redirect"),
    _bad("x-metarefresh", "meta refresh to an off-network host", "scope/off-network-redirect"),
    _bad("x-to-home", "article URL 301 to the homepage", "redirect/not-an-article"),
    _good("g-pageall-500", "two pages; ?page=all answers 500 on every attempt, the plain URL and ?page=2 answer"),
    _good("g-pageall-404", "two pages; ?page=all answers 404, the plain URL and ?page=2 answer"),
    _good("g-pageall-home", "two pages; ?page=all answers 200 with the homepage, the plain URL and ?page=2 answer"),
    _good("g-pageall-tohome", "two pages; ?page=all answers 301 to the homepage, the plain URL and ?page=2 answer"),
    # The reason of the last variant tried (the plain URL); the report's detail lists every variant's.
    _bad("x-allfail", "?page=all answers 500 on every attempt, the plain URL stalls", "download/DownloadTimeoutError"),
    # transport site
    _good("g-reset-once", "connection reset mid-body once, then 200"),
    _bad("x-stall", "stalls past the download timeout, always", "download/DownloadTimeoutError"),
    _good("g-pageall-stall", "two pages; ?page=all stalls past the download timeout, always; the plain URL answers"),
    # Whether the client read part of the body before the reset (data loss) or not (connection lost) is timing.
    _bad(
        "x-reset", "connection reset mid-body, always", "download/DownloadFailedError", "download/ResponseDataLossError"
    ),
    _bad("x-short", "body shorter than its Content-Length", "download/ResponseDataLossError"),
    _bad("x-gzip", "Content-Encoding: gzip, corrupt from the first block", "document/corrupt-encoding"),
    _bad("x-gzip-mid", "Content-Encoding: gzip, corrupt halfway", "document/corrupt-encoding"),
    _bad("x-huge", "20 MB page with its Content-Length", "download/DownloadCancelledError"),
    _bad("x-huge-stream", "20 MB page without a Content-Length", "download/DownloadCancelledError"),
    # blocked site: refused at once, or dropped unrequested once the block is detected
    _bad("x-403-a", "host answers 403 to everything", "http/403", "block/dropped"),
    _bad("x-403-b", "host answers 403 to everything", "http/403", "block/dropped"),
)
CASE_BY_KEY = {case.key: case for case in CASES}
#: The article linked under :data:`VARIANT_LINKS` spellings, and the article that links it.
VARIANTS_KEY = "g-variants"
TARGET_KEY = "g-target"
#: Transient faults: how many answers are faulty before the good one.
TRANSIENT = {"g-500": 2, "g-502": 1, "g-503": 2, "g-429": 1, "g-stall-once": 1, "g-reset-once": 1}
#: Articles whose ``?page=all`` fails for good, whatever the other variants do: how it fails.
PAGE_ALL_FAULTS = {
    "g-pageall-500": "500",
    "g-pageall-404": "404",
    "g-pageall-home": "homepage",
    "g-pageall-tohome": "redirect to the homepage",
    "g-pageall-stall": "stall",
    "x-allfail": "500",
}
#: The article no variant of which answers: ``?page=all`` as :data:`PAGE_ALL_FAULTS` says, the plain URL stalls.
ALL_VARIANTS_FAIL = "x-allfail"
#: Unlisted articles reached only through another URL (redirect or related link).
UNLISTED = frozenset({TARGET_KEY, "g-renamed", "x-loop-b"})
UNLISTED_DAYS_AGO = 2


# --- Articles -------------------------------------------------------------------------------------------------

_DATELINES = {CONTENT_SITE: "YOGYAKARTA", HTTP_SITE: "SOLO", TRANSPORT_SITE: "BOGOR", BLOCKED_SITE: "KUPANG"}
_NEXT_ID = iter(range(913001, 914000))


def _person(name: str) -> Person:
    return Person(name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _story(
    key: str,
    site: str,
    headline: str,
    pages_: tuple[tuple[Any, ...], ...],
    *,
    today: date,
    hhmm: str,
    era: Era = Era.REGIONAL_2025,
    days_ago: int = 0,
    **extra: Any,
) -> Article:
    """An article of a hostile site in the site's real template, dated relative to the network's today."""
    tz = SITES[site].tz
    hour, minute = (int(x) for x in hhmm.split(":"))
    published = datetime(today.year, today.month, today.day, hour, minute, tzinfo=tz) - timedelta(days=days_ago)
    first = next(block for block in pages_[0] if isinstance(block, str))
    values: dict[str, Any] = {
        "key": key,
        "site": site,
        "era": era,
        "section": site,
        "section_name": site.capitalize(),
        "slug": _slug(headline),
        "article_id": str(next(_NEXT_ID)),
        "headline": headline,
        "description": first[:140].rsplit(" ", 1)[0] + ".",
        "published": published,
        "modified": published + timedelta(minutes=25),
        "authors": (_person("Ahmad Syarifudin"),),
        "editors": (_person("Muhammad Fatoni"),),
        "keywords": tuple(word for word in headline.split()[:3]),
        "topic": f"Berita {site.capitalize()}",
        "image": f"https://asset-2.tribunnews.com/{site}/foto/bank/images/{_slug(headline)[:40]}.jpg",
        "image_caption": f"Ilustrasi. ({SITES[site].brand})",
        "dateline": _DATELINES[site],
        "listed": key not in UNLISTED,
        "pages": pages_,
    }
    if key in UNLISTED:
        # Older than today: not on the daily index the crawl reads either, so only the one way in reaches it.
        values["published"] = published - timedelta(days=UNLISTED_DAYS_AGO)
        values["modified"] = values["published"] + timedelta(minutes=25)
    values.update(extra)
    return Article(**values)


def _plain(site: str, headline: str, today: date, hhmm: str, key: str, **extra: Any) -> Article:
    """An article with an ordinary one-page body (the faulty ones: their page is rarely what is served)."""
    body = (
        (
            f"Pemerintah daerah menggelar rapat koordinasi membahas {headline.lower()} pada pagi ini.",
            "Rapat dihadiri perwakilan dinas terkait, aparat kewilayahan, dan tokoh masyarakat setempat.",
            "Hasil rapat akan disampaikan kepada warga melalui kelurahan dan kanal informasi resmi.",
            "Warga diminta tetap tenang dan mengikuti arahan petugas di lapangan.",
        ),
    )
    return _story(key, site, headline, body, today=today, hhmm=hhmm, **extra)


def _two_pages(site: str, key: str, headline: str, today: date, hhmm: str, *, era: Era = Era.REGIONAL_2025) -> Article:
    """A two-page article (for the ``?page=all`` faults): four paragraphs on each page, none alike."""
    subject = headline.lower()
    first = (
        f"Pemerintah kota memastikan {subject} berjalan sesuai jadwal yang diumumkan pekan lalu.",
        "Kepala dinas terkait menyebut persiapan teknis sudah rampung sejak Senin pagi.",
        "Petugas gabungan disiagakan di sejumlah titik untuk mengatur arus warga dan kendaraan.",
        "Warga diimbau memantau informasi resmi melalui kanal media sosial pemerintah daerah.",
    )
    second = (
        "Pada halaman kedua ini, panitia menjelaskan rincian anggaran yang bersumber dari APBD.",
        "Sebagian dana dialokasikan untuk perbaikan fasilitas umum di sekitar lokasi kegiatan.",
        "Anggota DPRD meminta pelaksanaan kegiatan diawasi agar tepat sasaran dan transparan.",
        "Evaluasi menyeluruh dijadwalkan sepekan setelah kegiatan berakhir, kata juru bicara pemkot.",
    )
    return _story(key, site, headline, (first, second), today=today, hhmm=hhmm, era=era)


def _content_articles(today: date) -> list[Article]:
    s = CONTENT_SITE
    return [
        _story(
            "g-multi",
            s,
            "Kawasan Malioboro Diuji Coba Bebas Kendaraan Bermotor Selama Sepekan",
            (
                (
                    "Pemerintah Kota Yogyakarta menguji coba kawasan Malioboro bebas kendaraan bermotor mulai "
                    "hari ini hingga sepekan ke depan.",
                    "Kendaraan dari arah utara dialihkan melalui Jalan Mataram dan Jalan Abu Bakar Ali.",
                ),
                (
                    "Dinas Perhubungan menyiagakan puluhan petugas di setiap persimpangan yang ditutup.",
                    "Becak dan andong tetap diperbolehkan melintas untuk melayani wisatawan.",
                ),
                (
                    "Pedagang kaki lima menyambut baik uji coba karena pejalan kaki lebih leluasa berbelanja.",
                    "Evaluasi akan dilakukan setiap hari bersama paguyuban pedagang dan pengemudi becak.",
                ),
            ),
            today=today,
            hhmm="06:10",
        ),
        _story(
            "g-stitch",
            s,
            "Harga Cabai Rawit di Pasar Beringharjo Turun Setelah Panen Raya",
            (
                (
                    "Harga cabai rawit di Pasar Beringharjo turun menjadi Rp 38.000 per kilogram setelah "
                    "panen raya di Kulon Progo.",
                    "Sepekan sebelumnya, harga cabai rawit sempat menyentuh Rp 70.000 per kilogram.",
                ),
                (
                    "Pedagang memperkirakan harga masih akan turun hingga akhir bulan.",
                    "Dinas Perdagangan memantau pasokan agar harga tidak anjlok dan merugikan petani.",
                ),
            ),
            today=today,
            hhmm="06:20",
            era=Era.REGIONAL_2024,
            page_all="page1",
        ),
        _story(
            "g-cp1252",
            s,
            "Suhu Dingin 17°C Selimuti Lereng Merapi, Warga Diminta Waspada",
            (
                (
                    "Suhu udara di lereng Merapi turun hingga 17°C pada dini hari, terendah sejak awal tahun.",
                    "“Kami sudah menyiapkan selimut dan posko kesehatan,” kata Kepala Dusun, Désiré Widodo.",
                    "BMKG menyebut fenomena bediding \u2013 suhu dingin saat kemarau \u2013 wajar terjadi pada Juli…",
                    "Warga diminta memakai pakaian hangat dan menjaga daya tahan tubuh.",
                ),
            ),
            today=today,
            hhmm="06:30",
            era=Era.REGIONAL_2024,
        ),
        _story(
            "g-nocharset",
            s,
            "Festival Gamelan Internasional Digelar di Pendopo Ajiyasa",
            (
                (
                    "Festival Gamelan Internasional kembali digelar di Pendopo Ajiyasa dengan peserta dari "
                    "sembilan negara.",
                    "“Gamelan kini dimainkan dari Tokyo sampai Montréal,” ujar kurator festival, Hélène Sari.",
                    "Pertunjukan berlangsung pukul 19.00\u201322.00 WIB dan terbuka untuk umum tanpa biaya.",
                ),
            ),
            today=today,
            hhmm="06:40",
            era=Era.REGIONAL_2024,
        ),
        _story(
            "g-badutf8",
            s,
            "Kafe di Jalan Kaliurang Terapkan Gelas Guna Ulang untuk Kurangi Sampah",
            (
                (
                    "Sejumlah kafe di Jalan Kaliurang mulai menerapkan gelas guna ulang untuk mengurangi sampah "
                    "plastik sekali pakai.",
                    "Pemilik kafe, André Kusuma, mengatakan pelanggan mendapat potongan harga bila membawa "
                    "gelas sendiri.",
                    "Dinas Lingkungan Hidup berharap langkah ini diikuti pelaku usaha lain di Sleman.",
                ),
            ),
            today=today,
            hhmm="06:50",
        ),
        _story(
            "g-malformed",
            s,
            "Jalur Sepeda Baru Sepanjang 12 Kilometer Diresmikan di Kota Yogyakarta",
            (
                (
                    "Pemerintah Kota Yogyakarta meresmikan jalur sepeda baru sepanjang 12 kilometer yang "
                    "menghubungkan Tugu hingga Kotagede.",
                    "Jalur ini dilengkapi marka hijau, rambu khusus, dan tempat parkir sepeda di titik wisata.",
                    "Komunitas pesepeda menyambut baik jalur baru tersebut & berharap perawatannya terjaga.",
                    "Wali kota mengajak warga bersepeda ke sekolah dan kantor setidaknya sekali sepekan.",
                ),
            ),
            today=today,
            hhmm="07:00",
            era=Era.REGIONAL_2024,
        ),
        _story(
            "g-bodytagless",
            s,
            "Sekolah di Bantul Gelar Simulasi Gempa untuk Ribuan Siswa",
            (
                (
                    "Ribuan siswa di Bantul mengikuti simulasi gempa bumi yang digelar serentak di sekolah.",
                    "BPBD melatih siswa berlindung di bawah meja lalu berjalan tertib ke titik kumpul.",
                    "Simulasi rutin dinilai penting mengingat Bantul pernah diguncang gempa besar pada 2006.",
                ),
            ),
            today=today,
            hhmm="07:10",
            era=Era.REGIONAL_2024,
        ),
        _story(
            "g-badjson",
            s,
            "Bandara YIA Tambah Rute Penerbangan ke Balikpapan Mulai Bulan Depan",
            (
                (
                    "Bandara Internasional Yogyakarta menambah rute penerbangan langsung ke Balikpapan mulai "
                    "bulan depan.",
                    "Penerbangan dijadwalkan tiga kali sepekan menggunakan pesawat berbadan sempit.",
                    "Pengelola bandara berharap rute ini mendorong kunjungan wisatawan dari Kalimantan.",
                ),
            ),
            today=today,
            hhmm="07:20",
        ),
        _story(
            "g-baddates",
            s,
            "Pemkab Sleman Salurkan Bantuan Bibit Padi untuk Petani Terdampak Kekeringan",
            (
                (
                    "Pemerintah Kabupaten Sleman menyalurkan bantuan bibit padi kepada petani yang terdampak "
                    "kekeringan.",
                    "Sebanyak 2.400 petani di tujuh kapanewon menerima bantuan tersebut.",
                    "Dinas Pertanian juga menyiapkan pompa air untuk sawah yang jauh dari saluran irigasi.",
                ),
            ),
            today=today,
            hhmm="07:30",
        ),
        _story(
            VARIANTS_KEY,
            s,
            "Kereta Bandara Tambah Jadwal Perjalanan Saat Libur Sekolah",
            (
                (
                    "KAI Bandara menambah jadwal perjalanan kereta bandara selama libur sekolah.",
                    "Tambahan perjalanan disiapkan pada pagi dan malam hari saat penumpang memuncak.",
                    "Penumpang diimbau membeli tiket lebih awal melalui aplikasi resmi.",
                ),
            ),
            today=today,
            hhmm="07:40",
        ),
        _story(
            TARGET_KEY,
            s,
            "Stasiun Yogyakarta Buka Pintu Timur untuk Penumpang Kereta Bandara",
            (
                (
                    "Stasiun Yogyakarta membuka pintu timur khusus bagi penumpang kereta bandara.",
                    "Pintu ini terhubung langsung dengan area parkir dan halte Trans Jogja.",
                    "Pengelola berharap antrean di pintu utara berkurang selama musim liburan.",
                ),
            ),
            today=today,
            hhmm="05:40",
        ),
        _plain(s, "Galeri Foto Sekaten Tahun Ini", today, "08:00", "x-image"),
        _plain(s, "Dokumen Lengkap APBD Kota Yogyakarta", today, "08:05", "x-pdf"),
        _plain(s, "Pembangunan Pasar Sentul Dimulai Bulan Ini", today, "08:10", "x-empty"),
        _plain(s, "Lalu Lintas Ring Road Utara Padat Merayap", today, "08:15", "x-nobody"),
        _plain(
            s, "Warga Gunungkidul Gotong Royong Bangun Embung", today, "08:20", "x-truncated", era=Era.REGIONAL_2024
        ),
    ]


def _http_articles(today: date) -> list[Article]:
    s = HTTP_SITE
    pageall = _story(
        "g-pageall-503",
        s,
        "Keraton Surakarta Gelar Kirab Pusaka Malam Satu Sura",
        (
            (
                "Keraton Kasunanan Surakarta menggelar kirab pusaka pada malam satu Sura.",
                "Ribuan warga memadati jalan yang dilalui rombongan kirab sejak petang.",
            ),
            (
                "Kirab diawali kawanan kerbau bule yang dianggap sebagai pusaka keraton.",
                "Polisi menutup sejumlah ruas jalan di sekitar keraton hingga dini hari.",
            ),
        ),
        today=today,
        hhmm="06:05",
    )
    return [
        _plain(s, "Solo Safari Catat Lonjakan Pengunjung Saat Libur Panjang", today, "06:15", "g-500"),
        _plain(s, "Pasar Gede Solo Direnovasi Tanpa Mengubah Bangunan Cagar Budaya", today, "06:25", "g-502"),
        _plain(s, "Pemkot Solo Siapkan Kantong Parkir untuk Car Free Day", today, "06:35", "g-503"),
        _plain(s, "Batik Laweyan Tembus Pasar Eropa Lewat Pameran Dagang", today, "06:45", "g-429"),
        pageall,
        _plain(s, "Bus Batik Solo Trans Uji Coba Pembayaran Nontunai", today, "06:55", "g-stall-once"),
        _plain(s, "Taman Balekambang Dibuka Kembali Setelah Revitalisasi", today, "07:05", "g-renamed"),
        _plain(s, "Taman Balekambang Segera Dibuka Kembali", today, "07:06", "r-renamed", era=Era.REGIONAL_2024),
        _plain(s, "Antrean Panjang di Loket Samsat Solo Baru", today, "07:15", "x-503-forever"),
        _plain(s, "Jembatan Jurug Ditutup Sementara untuk Perbaikan", today, "07:25", "x-loop-a"),
        _plain(s, "Jembatan Jurug Dibuka Kembali untuk Pejalan Kaki", today, "07:26", "x-loop-b"),
        _plain(s, "Harga Tiket Masuk Museum Radya Pustaka Naik", today, "07:35", "x-selfloop"),
        _plain(s, "Rumah Dinas Wali Kota Dibuka untuk Wisata", today, "07:45", "x-chain", era=Era.REGIONAL_2024),
        _plain(s, "Kerja Sama Pemkot Solo dengan Media Mitra", today, "07:55", "x-offnet"),
        _plain(s, "Layanan Aduan Warga Pindah ke Aplikasi Baru", today, "08:05", "x-localhost"),
        _plain(s, "Artikel Sudah Dipindahkan ke Laman Mitra", today, "08:15", "x-metarefresh"),
        _plain(s, "Pengumuman Seleksi Perangkat Desa Ditunda", today, "08:25", "x-to-home"),
        _two_pages(s, "g-pageall-500", "Pembangunan Flyover Purwosari Memasuki Tahap Akhir", today, "08:30"),
        _two_pages(
            s,
            "g-pageall-404",
            "Pemkot Solo Buka Pendaftaran Beasiswa Mahasiswa Berprestasi",
            today,
            "08:35",
            era=Era.REGIONAL_2024,
        ),
        _two_pages(s, "g-pageall-home", "Ribuan Pelari Ramaikan Solo Marathon Tahun Ini", today, "08:40"),
        _two_pages(s, "g-pageall-tohome", "Stasiun Balapan Solo Tambah Peron untuk Kereta Bandara", today, "08:45"),
        _two_pages(s, "x-allfail", "Sidang Paripurna DPRD Solo Bahas Perubahan Anggaran", today, "08:50"),
    ]


def _transport_articles(today: date) -> list[Article]:
    s = TRANSPORT_SITE
    return [
        _plain(s, "Kebun Raya Bogor Perpanjang Jam Kunjungan Akhir Pekan", today, "06:12", "g-reset-once"),
        _plain(s, "Hujan Deras Sebabkan Longsor di Puncak Bogor", today, "06:22", "x-stall"),
        _two_pages(s, "g-pageall-stall", "Pemkot Bogor Resmikan Alun-Alun Kota Setelah Direnovasi", today, "06:27"),
        _plain(s, "Jalur Alternatif Bogor Cianjur Mulai Diperbaiki", today, "06:32", "x-reset"),
        _plain(s, "Pemkot Bogor Tata Ulang Trayek Angkot", today, "06:42", "x-short"),
        _plain(s, "Festival Kuliner Suryakencana Digelar Pekan Depan", today, "06:52", "x-gzip"),
        _plain(s, "Pameran Tanaman Hias Digelar di Kebun Raya", today, "06:57", "x-gzip-mid"),
        _plain(s, "Data Lengkap Penerima Bantuan Sosial Kota Bogor", today, "07:02", "x-huge"),
        _plain(s, "Arsip Lengkap Pengumuman Lelang Pemkot Bogor", today, "07:12", "x-huge-stream"),
    ]


def _blocked_articles(today: date) -> list[Article]:
    s = BLOCKED_SITE
    return [
        _plain(s, "Pelabuhan Tenau Kupang Kembali Beroperasi Normal", today, "06:00", "x-403-a"),
        _plain(s, "Festival Sasando Digelar di Kupang", today, "06:30", "x-403-b"),
    ]


def hostile_network(today: date) -> Network:
    """Every article of the hostile sites (good, faulty and unlisted), dated relative to ``today``."""
    articles = _content_articles(today) + _http_articles(today) + _transport_articles(today)
    articles += _blocked_articles(today)
    # The variants article's recommendation block links its target (and, once served, a thousand spellings of it).
    articles = [replace(a, related=(Link(TARGET_KEY),)) if a.key == VARIANTS_KEY else a for a in articles]
    return Network(generation=1, today=today, articles=tuple(articles))


# --- Links the crawler must never request -----------------------------------------------------------------


def odd_scheme_links(net: Network, key: str) -> list[str]:
    """``javascript:``, ``mailto:``, ``data:`` links around an article's URL, and protocol-relative ones: one off
    the network, one on it (a spelling of the article's URL that is followed like any other)."""
    target = net.article(key)
    return [
        f"javascript:bukaArtikel('{target.url}')",
        "javascript:void(0)",
        f"mailto:redaksi@tribunnews.com?subject=Koreksi&body={target.url}",
        "data:text/html;base64," + base64.b64encode(f'<a href="{target.url}">baca</a>'.encode()).decode(),
        "//www.kompas.com/read/2026/01/15/10300061/kpu-buka-layanan-cek-data-pemilih-daring",
        f"//{target.host}{target.path}",
    ]


def disallowed_links(net: Network) -> list[str]:
    """Article-shaped links to editorial drafts, under a path the content site's robots.txt disallows."""
    host = SITES[CONTENT_SITE].host
    day = net.today
    return [
        f"https://{host}{DISALLOWED_PREFIX}{day:%Y/%m/%d}/draf-jadwal-uji-coba-malioboro-bebas-kendaraan",
        f"https://{host}{DISALLOWED_PREFIX}jogja/913999/draf-rencana-penataan-kawasan-tugu",
    ]


def variant_hrefs(net: Network, count: int = VARIANT_LINKS) -> list[str]:
    """``count`` different spellings of the target article's URL (all one article)."""
    target = net.article(TARGET_KEY)
    url, path, host = target.url, target.path, target.host
    id_path = path.rsplit("/", 1)[0]
    spellings = [
        lambda n: f"{url}?utm_source=terkait&utm_medium=web&utm_content={n}",
        lambda n: f"{url}?_ga=2.{n}.1180573104.1719203329-1421839485.1719203329",
        lambda n: f"{url}#komentar-{n}",
        lambda n: f"https://{host}/amp{path}?utm_campaign=amp-{n}",
        lambda n: f"{url}/?utm_term={n}",
        lambda n: f"https://{host}{id_path}/judul-lama-versi-{n}",
        lambda n: f"https://{host.upper()}{path}?fbclid=IwAR{n:05d}",
        lambda n: f"http://{host}{path}?gclid=Cj0K{n:05d}",
        lambda n: f"{path}?utm_source=relatif-{n}",
        lambda n: f"{url}?page=all&utm_source=semua-{n}",
    ]
    return [spellings[n % len(spellings)](n) for n in range(count)]


# --- Pages ----------------------------------------------------------------------------------------------------


def _card(href: str, title: str, n: int) -> str:
    """One ``#latestul`` card in the homepage's shape, linking ``href`` as the site's CMS wrote it."""
    h = escape(title)
    return f"""<li class="p1520 art-list pos_rel" data-sort="{n}">
<div class='mr140'>
<h3>
<a href="{escape(href)}" title="{h}" class="f20 ln24 fbo txt-oev-2">
{h} </a>
</h3>
<div class="grey2 pt5 f13 ln18 txt-oev-2">{h}</div>
</div>
<div class="cl2"></div>
</li>
"""


def _extra_cards(site: str, net: Network) -> str:
    """Cards the content site's homepage adds to its list: odd schemes, disallowed paths, the blocked host."""
    if site != CONTENT_SITE:
        return ""
    links = [(href, "Baca Selengkapnya di Sini") for href in odd_scheme_links(net, "g-multi")]
    links += [(href, "Draf Artikel Redaksi") for href in disallowed_links(net)]
    links += [(net.article(key).url, net.article(key).headline) for key in ("x-403-a", "x-403-b")]
    return "".join(_card(href, title, 100 + n) for n, (href, title) in enumerate(links))


def render_home(net: Network, site: str, now: datetime) -> str:
    html = pages.render_home(net, site, now)
    return html.replace('<ul id="latestul">\n', '<ul id="latestul">\n' + _extra_cards(site, net), 1)


def _calendar(site: str, day: date) -> str:
    """A date picker reaching decades back and forward: links to other days' indexes, never to pages."""
    home = f"https://{SITES[site].host}"
    first, last = CALENDAR_YEARS
    years = "".join(
        f'<a href="{home}/index-news?date={year}-{day.month}-1">{year}</a>\n' for year in range(first, last + 1)
    )
    months = "".join(
        f'<a href="/index-news?date={day.year}-{month}-1">{pages.MONTHS[month - 1]}</a>\n' for month in range(1, 13)
    )
    days = "".join(f'<a href="?date={day.year}-{day.month}-{d}">{d}</a>\n' for d in range(1, 29))
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return f"""<div id="calendar" class="mb20 ac">
<a href="{home}/index-news?date={pages.index_date(before)}" class="prev">&laquo; Sebelumnya</a>
<a href="{home}/index-news?date={pages.index_date(after)}" class="next">Berikutnya &raquo;</a>
<a href="{home}/index-news?date={pages.index_date(next_month)}">Next</a>
<div class="months">
{months}</div>
<div class="days">
{days}</div>
<div class="years">
{years}</div>
</div>"""


def _endless_paging(site: str, day: date, page: int) -> str:
    """Paging that always has a next page: 1 … N-2 N-1 N N+1 N+2 N+3 Next."""
    numbers = [1, *range(max(2, page - 2), page + 4)]
    active = ' class="active"'
    links = "\n".join(
        f'<a href="{escape(pages.index_url(site, day, n))}"{active if n == page else ""}>{n}</a>'
        for n in dict.fromkeys(numbers)
    )
    next_link = f'<a href="{escape(pages.index_url(site, day, page + 1))}" class="next">Next</a>'
    return f'<div id="paginga" class="mt20 ac">\n<div class="paging">\n{links}\n{next_link}\n</div>\n</div>'


_PAGINGA = re.compile(r'<div id="paginga".*?</div>\n</div>', re.S)


def render_index(net: Network, site: str, day: date, page: int) -> str:
    """The daily index; on the content site it pages forever and shows the decades-wide calendar."""
    html = pages.render_index(net, site, day, page)
    if site != CONTENT_SITE:
        return html
    html = _PAGINGA.sub("", html)
    anchor = '<ul class="lsi">'
    start = html.index(anchor)
    end = html.index("</ul>\n</div>", start) + len("</ul>\n</div>")
    html = html[:end] + "\n" + _endless_paging(site, day, page) + html[end:]
    return html.replace(
        '<button type="submit">Cari</button></form>',
        '<button type="submit">Cari</button></form>\n' + _calendar(site, day),
        1,
    )


# --- Article pages with something wrong in them -----------------------------------------------------------

_META_UTF8 = '<meta charset="utf-8">'
_FATAL_ERROR = (
    "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 "
    "bytes) in <b>/var/www/tribun/application/views/read.php</b> on line <b>412</b><br />\n"
)


def _variants_block(net: Network) -> str:
    hrefs = variant_hrefs(net) + odd_scheme_links(net, TARGET_KEY)
    title = escape(net.article(TARGET_KEY).headline)
    return "".join(
        f'<article class="item-rekomendasi"><a href="{escape(href)}" title="{title}"><h3>{title}</h3></a></article>'
        for href in hrefs
    )


def _malformed(html: str) -> str:
    """The same page as a sloppy CMS writes it: browsers (and lxml) read it all the same."""
    start = html.index('<div class="side-article txt-article')
    end = html.index('<div class="side-article mb5">', start)
    body = html[start:end]
    body = body.replace("</p>", "", 2)  # paragraphs closed by the next one
    body = body.replace("<p>", "<P>", 1).replace("&amp; berharap", "& berharap")
    body = body.replace("</strong>", "</strong></span></font>", 1)  # stray end tags of nothing
    head_of_page = html[:start].replace(
        '<h1 id="arttitle" class="f50 black2 f400 crimson">',
        '<H1 id=arttitle class="f50 black2 f400 crimson" data-x=a&b>',
    )
    head_of_page = head_of_page.replace("</li>", "")  # menu items closed by the next one
    return head_of_page + body + html[end:].replace('<div id="komentar" class="mt20">', "<div id=komentar class=mt20>")


def _without_body_tag(html: str) -> str:
    return html.replace("<body>\n", "", 1).replace("</body>\n", "", 1)


def _broken_json_ld(html: str) -> str:
    """A template that comments its JSON-LD and leaves a trailing comma: not JSON any more."""
    marker = '<script type="application/ld+json">'
    start = html.index(marker) + len(marker)
    end = html.index("</script>", start)
    data = html[start:end]
    broken = "// diperbarui otomatis\n" + data[:-1] + ',\n"wordCount": 120,}'
    return html[:start] + broken + html[end:]


def _nonsense_dates(html: str, article: Article) -> str:
    """Zero dates of a PHP CMS in JSON-LD and meta tags; only the visible date is right."""
    html = html.replace(
        f'"datePublished": "{article.published.isoformat()}"', '"datePublished": "-0001-11-30T00:00:00+07:00"'
    )
    html = html.replace(
        f'"dateModified": "{article.modified.isoformat()}"', '"dateModified": "2024-13-45T25:61:00+07:00"'
    )
    return html.replace(
        f'<meta property="article:published_time" content="{article.published.isoformat()}">',
        '<meta property="article:published_time" content="0000-00-00 00:00:00">',
    )


def _truncated(html: str) -> str:
    """Cut in the second body paragraph, where PHP died: no closing tags, no ``</html>``."""
    body = html.index('<div class="side-article txt-article')
    second = html.index("<p>", html.index("<p>", body) + 3)
    return html[: second + 40] + _FATAL_ERROR


def _head_only(html: str) -> str:
    head = html[html.index("<head>") : html.index("</head>") + len("</head>")]
    return f'<!DOCTYPE html>\n<html lang="id">\n{head}\n</html>\n'


def _meta_refresh(article: Article) -> str:
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={META_REFRESH_TARGET}">
<title>{escape(article.headline)} - {escape(article.brand)}</title>
</head>
<body>
<p>Artikel ini telah dipindahkan. <a href="{META_REFRESH_TARGET}">Klik di sini</a> bila tidak dialihkan.</p>
</body>
</html>
"""


#: A tiny JPEG (SOI, JFIF APP0, EOI): what an image URL answers.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xfe\x00\x13Tribunnews foto\x00\x00" * 20
    + b"\xff\xd9"
)
#: A small PDF as writers emit them: the binary comment on line 2, a compressed stream.
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Length 24 /Filter /FlateDecode >>\nstream\n"
    + zlib.compress(b"BT /F1 12 Tf (APBD) Tj ET")
    + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _http_error_page(status: int, reason: str) -> str:
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>{status} ERROR</H1>
<H2>{escape(reason)}</H2>
<PRE>
Generated by cloudfront (CloudFront)
</PRE>
</BODY></HTML>
"""


def _huge_chunk() -> bytes:
    row = "<p>Data penerima bantuan sosial nomor urut {n:07d}, kelurahan Tegallega, Kota Bogor.</p>\n"
    text = "".join(row.format(n=n) for n in range(800))
    return text.encode()[:_CHUNK]


def _corrupt_gzip(html: str, *, from_start: bool) -> bytes:
    """gzip of the page with garbage in it: from the first deflate block, or halfway through."""
    import gzip
    import hashlib

    packed = gzip.compress(html.encode(), mtime=0)
    noise = b"".join(hashlib.sha256(str(n).encode()).digest() for n in range(64))
    if from_start:
        return packed[:10] + noise[:400]
    half = len(packed) // 2
    return packed[:half] + noise[:256] + packed[half + 256 :]


# --- Serving ----------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """An ordinary answer, sent by the proxy like any other (gzip when asked, keep-alive)."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


def robots_txt(site: str) -> str:
    """The usual regional robots.txt; the content site also disallows its editorial previews."""
    text = pages.robots_txt(site)
    if site != CONTENT_SITE:
        return text
    return text.replace("Disallow: /topic/\n", f"Disallow: /topic/\nDisallow: {DISALLOWED_PREFIX}\n", 1)


class HostileReplica:
    """Answers every request for the hostile hosts; the proxy hands it those requests (``--hostile``).

    ``serve`` writes the answer on the proxy's request handler itself: an ordinary one through the handler's
    ``_send``, a transport fault (stall, reset, short body, endless body) straight on its socket.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self.net = hostile_network(today)
        self._lock = threading.Lock()
        self._answered: Counter[str] = Counter()

    @property
    def blocked_hosts(self) -> frozenset[str]:
        return frozenset({SITES[BLOCKED_SITE].host})

    def serves(self, host: str) -> bool:
        return site_key(host) in SERVED_SITES

    def attempt(self, name: str) -> int:
        """How many times ``name`` was answered before (0 on the first request)."""
        with self._lock:
            seen = self._answered[name]
            self._answered[name] += 1
            return seen

    def serve(self, handler: Any, scheme: str, host: str, path: str, query: str) -> None:
        site = site_key(host)
        assert site in SERVED_SITES
        params = dict(parse_qsl(query, keep_blank_values=True))
        article = self.net.resolve(host, path)
        raw = self._raw_fault(article, query) if article is not None and handler.command == "GET" else None
        if raw is not None:
            status, write = raw
            handler._log(handler.command, scheme=scheme, host=host, path=path, query=query, status=status)
            write(handler)
            return
        reply = self._reply(site, path, params, query, article)
        handler._log(handler.command, scheme=scheme, host=host, path=path, query=query, status=reply.status)
        handler._send(reply, send_body=handler.command != "HEAD")

    # --- Ordinary answers ------------------------------------------------------------------------------------

    def _reply(self, site: str, path: str, params: dict[str, str], query: str, article: Article | None) -> Reply:
        if path == "/robots.txt":
            return Reply(200, robots_txt(site).encode(), "text/plain; charset=UTF-8")
        now = datetime.now(WIB)
        if path == "/":
            return Reply(200, render_home(self.net, site, now).encode())
        if path in ("/index-news", "/indeks"):
            day = _parse_day(params.get("date"), self.today)
            page = int(params["page"]) if params.get("page", "").isdigit() else 1
            if day is None:
                return self._not_found(site)
            return Reply(200, render_index(self.net, site, day, page).encode())
        if path in ("/sitemap_news.xml", "/sitemap_web.xml"):
            render = pages.news_sitemap if path == "/sitemap_news.xml" else pages.web_sitemap
            return Reply(200, render(self.net, site).encode(), "application/xml; charset=UTF-8")
        hop = _CHAIN_HOP.fullmatch(path)
        if hop:
            return _redirect(302, f"https://{SITES[site].host}{hop.group(1)}-hop-{int(hop.group(2) or 0) + 1}")
        if article is None:
            return self._not_found(site)
        return self._article(article, query)

    def _not_found(self, site: str) -> Reply:
        return Reply(404, pages.render_not_found(site).encode())

    def _article(self, article: Article, query: str) -> Reply:
        key = article.key
        variant = request_variant(query)
        if key in ("g-500", "g-502", "g-503") and self.attempt(key) < TRANSIENT[key]:
            status = int(key[2:])
            return Reply(status, _http_error_page(status, "The request could not be satisfied.").encode())
        if key == "g-429" and self.attempt(key) < TRANSIENT[key]:
            return Reply(429, b"Too Many Requests\n", "text/plain", {"Retry-After": "1"})
        if key == "g-pageall-503" and variant == "all" and self.attempt(f"{key}?all") < 1:
            return Reply(503, _http_error_page(503, "Service Unavailable").encode())
        if key == "x-503-forever":
            return Reply(503, _http_error_page(503, "Service Unavailable").encode())
        if variant == "all" and key in PAGE_ALL_FAULTS:
            return self._page_all_fault(article)
        redirect = self._redirect_of(article)
        if redirect is not None:
            return redirect
        if key == "x-metarefresh":
            return Reply(200, _meta_refresh(article).encode())
        if key == "x-image":
            return Reply(200, JPEG, "image/jpeg")
        if key == "x-pdf":
            return Reply(200, PDF, "application/pdf")
        if key == "x-empty":
            return Reply(200, b"")
        html = pages.render_article(self.net, article, variant)
        if html is None:
            return self._not_found(article.site)
        return self._page(article, html)

    def _page_all_fault(self, article: Article) -> Reply:
        fault = PAGE_ALL_FAULTS[article.key]
        if fault == "homepage":
            return Reply(200, render_home(self.net, article.site, datetime.now(WIB)).encode())
        if fault == "redirect to the homepage":
            return _redirect(301, SITES[article.site].home)
        if fault == "404":
            return self._not_found(article.site)
        status = int(fault)
        return Reply(status, _http_error_page(status, "The request could not be satisfied.").encode())

    def _redirect_of(self, article: Article) -> Reply | None:
        target = {
            "r-renamed": self.net.article("g-renamed").url,
            "x-loop-a": self.net.article("x-loop-b").url,
            "x-loop-b": self.net.article("x-loop-a").url,
            "x-selfloop": f"{article.url}?from=amp",
            "x-chain": f"{article.url}-hop-1",
            "x-offnet": OFF_NETWORK_REDIRECT,
            "x-localhost": LOCALHOST_REDIRECT,
            "x-to-home": SITES[article.site].home,
        }.get(article.key)
        if target is None:
            return None
        return _redirect(302 if article.key in ("x-loop-a", "x-loop-b", "x-localhost") else 301, target)

    def _page(self, article: Article, html: str) -> Reply:
        key = article.key
        if key == VARIANTS_KEY:
            anchor = '<div class="list-rekomendasi">'
            html = html.replace(anchor, anchor + _variants_block(self.net), 1)
        elif key == "g-cp1252":
            html = html.replace(_META_UTF8, '<meta charset="windows-1252">', 1)
            return Reply(200, html.encode("cp1252"), "text/html; charset=windows-1252")
        elif key == "g-nocharset":
            return Reply(200, html.replace(_META_UTF8 + "\n", "", 1).encode("cp1252"), "text/html")
        elif key == "g-badutf8":
            return Reply(200, html.encode().replace("André".encode(), b"Andr\xe9"))
        elif key == "g-malformed":
            html = _malformed(html)
        elif key == "g-bodytagless":
            html = _without_body_tag(html)
        elif key == "g-badjson":
            html = _broken_json_ld(html)
        elif key == "g-baddates":
            html = _nonsense_dates(html, article)
        elif key == "x-truncated":
            html = _truncated(html)
        elif key == "x-nobody":
            html = _head_only(html)
        return Reply(200, html.encode())

    # --- Transport faults --------------------------------------------------------------------------------------

    def _raw_fault(self, article: Article, query: str) -> tuple[int, Any] | None:
        """(status logged, writer) for an answer that breaks HTTP itself, or None for an ordinary one."""
        key = article.key
        variant = request_variant(query)
        if (key == "g-pageall-stall" and variant == "all") or (key == ALL_VARIANTS_FAIL and variant == "1"):
            return 200, _stall
        if key in ("g-stall-once", "g-reset-once") and self.attempt(key) < TRANSIENT[key]:
            return 200, _stall if key == "g-stall-once" else _reset
        if key in ("x-gzip", "x-gzip-mid"):
            packed = _corrupt_gzip(
                pages.render_article(self.net, article, request_variant(query)) or "", from_start=key == "x-gzip"
            )
            return 200, lambda handler: _send_raw(handler, 200, packed, gzip=True)
        writers = {
            "x-stall": _stall,
            "x-reset": _reset,
            "x-short": _short,
            "x-huge": lambda handler: _huge(handler, with_length=True),
            "x-huge-stream": lambda handler: _huge(handler, with_length=False),
        }
        writer = writers.get(key)
        return (200, writer) if writer is not None else None


_CHAIN_HOP = re.compile(r"(/\d{4}/\d{2}/\d{2}/[a-z0-9-]+?)-hop-(\d+)")


def _parse_day(value: str | None, default: date) -> date | None:
    if not value:
        return default
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _redirect(status: int, location: str) -> Reply:
    body = f'<html><body>Moved: <a href="{escape(location)}">{escape(location)}</a></body></html>'
    return Reply(status, body.encode(), headers={"Location": location})


_FILLER = ("<p>" + "Berita lengkap segera hadir. " * 40 + "</p>\n") * 40


def _head(handler: Any, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def _send_raw(handler: Any, status: int, body: bytes, *, gzip: bool = False) -> None:
    headers = {"Content-Type": "text/html; charset=UTF-8", "Content-Length": str(len(body))}
    if gzip:
        headers["Content-Encoding"] = "gzip"
    _head(handler, status, headers)
    handler.wfile.write(body)
    handler.wfile.flush()


def _stall(handler: Any) -> None:
    """Headers and the first bytes, then nothing until the client gives up (or :data:`STALL_SECONDS`)."""
    body = _FILLER.encode()
    _head(handler, 200, {"Content-Type": "text/html; charset=UTF-8", "Content-Length": str(len(body))})
    handler.wfile.write(body[:1024])
    handler.wfile.flush()
    deadline = time.monotonic() + STALL_SECONDS
    while time.monotonic() < deadline:
        readable, _, _ = select.select([handler.connection], [], [], 0.5)
        if readable:
            break  # the client hung up (a download timeout)
    handler.close_connection = True


def _reset(handler: Any) -> None:
    """Half the body, then a TCP reset (SO_LINGER 0 turns the close into RST)."""
    body = _FILLER.encode()
    _head(handler, 200, {"Content-Type": "text/html; charset=UTF-8", "Content-Length": str(len(body))})
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True


def _short(handler: Any) -> None:
    """A Content-Length 2 KB larger than the body sent, then a clean close."""
    body = _FILLER.encode()
    _head(handler, 200, {"Content-Type": "text/html; charset=UTF-8", "Content-Length": str(len(body) + 2048)})
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True


def _huge(handler: Any, *, with_length: bool) -> None:
    """20 MB of HTML in 64 KB chunks, until done or the client stops reading."""
    headers = {"Content-Type": "text/html; charset=UTF-8"}
    if with_length:
        headers["Content-Length"] = str(HUGE_BYTES)
    else:
        headers["Connection"] = "close"
    _head(handler, 200, headers)
    chunk = _huge_chunk()
    try:
        for _ in range(HUGE_BYTES // len(chunk)):
            handler.wfile.write(chunk)
        handler.wfile.flush()
    except OSError:
        pass  # the crawler cancelled the download: that is the point
    handler.close_connection = True
