"""The sitemap reader on saved sitemap files (tests/fixtures/sitemaps, the expected output beside each).

The fixtures are shaped after docs/site.md#sitemaps: the flagship's index of dash-named section
sitemaps, news sitemaps with CDATA locs, ``news:publication_date`` (+07:00), ``news:title`` and
``news:keywords``, web sitemaps with ``lastmod``, a regional underscore-named news sitemap and nested index, a
gzip web sitemap (WITA), and the broken files a crawler meets: a title holding a control character XML forbids,
a response cut off mid-entry, an RSS feed and a CloudFront error page where a sitemap should be, and a file
declaring external and exponential entities.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tribun_crawler.extractors.sitemap import (
    SitemapFile,
    SitemapKind,
    SitemapLink,
    SitemapRole,
    UrlEntry,
    sitemap_role,
    sitemaps_in_robots_txt,
)
from tribun_crawler.sites import SITES, site_key

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sitemaps"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _stem(path: Path) -> str:
    return path.name.removesuffix(".gz").removesuffix(".xml")


def _as_json(sitemap: SitemapFile, url: str) -> dict[str, Any]:
    entries = []
    for entry in sitemap.entries():
        row: dict[str, Any] = {"type": "sitemap" if isinstance(entry, SitemapLink) else "url"}
        for name, value in asdict(entry).items():
            if isinstance(value, datetime):
                row[name] = value.isoformat()
            else:
                row[name] = list(value) if isinstance(value, tuple) else value
        entries.append(row)
    kind = str(sitemap.kind) if sitemap.kind else None
    return {
        "url": url,
        "kind": kind,
        "compressed": sitemap.compressed,
        "problem": sitemap.problem,
        "entries": entries,
    }


@pytest.mark.parametrize("chunk", [7, 512, 4096])
@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml*")), ids=_stem)
def test_what_is_read_does_not_depend_on_how_the_parser_is_fed(
    path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # lxml 6.2 hands out no event of a chunk that holds a syntax error, earlier releases did: the entries
    # before an error, and the root that tells an error page from a sitemap, must not depend on either.
    expected = json.loads((FIXTURES / f"{_stem(path)}.json").read_text(encoding="utf-8"))
    site = site_key(urlsplit(expected["url"]).hostname)
    assert site is not None
    monkeypatch.setattr("tribun_crawler.extractors.sitemap._CHUNK", chunk)
    sitemap = SitemapFile(path.read_bytes(), default_tz=SITES[site].tz)
    assert _as_json(sitemap, expected["url"]) == expected


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml*")), ids=_stem)
def test_sitemap_fixture(path: Path) -> None:
    expected = json.loads((FIXTURES / f"{_stem(path)}.json").read_text(encoding="utf-8"))
    site = site_key(urlsplit(expected["url"]).hostname)
    assert site is not None
    sitemap = SitemapFile(path.read_bytes(), default_tz=SITES[site].tz)
    assert _as_json(sitemap, expected["url"]) == expected


def test_fixture_set_covers_every_kind_and_problem() -> None:
    expected = [json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES.glob("*.json")]
    assert {e["kind"] for e in expected} == {"sitemapindex", "urlset", None}
    assert {e["problem"] for e in expected} == {None, "xml-syntax", "not-sitemap"}
    assert any(e["compressed"] for e in expected)
    paths = {urlsplit(e["url"]).path for e in expected}
    assert any(p.endswith("sitemap-news.xml") for p in paths)  # www, dash
    assert any(p.endswith("sitemap_news.xml") for p in paths)  # regional, underscore


def test_news_entry_reads_every_field_and_ignores_the_image_loc() -> None:
    sitemap = SitemapFile((FIXTURES / "www-nasional-sitemap-news-2026-03-12.xml").read_bytes())
    first = next(iter(sitemap.entries()))
    assert first == UrlEntry(
        loc="https://www.tribunnews.com/nasional/7702214/kpk-periksa-dua-saksi-kasus-kuota-haji-di-gedung-merah-putih",
        publication_date=datetime.fromisoformat("2026-03-12T13:55:00+07:00"),
        title="KPK Periksa Dua Saksi Kasus Kuota Haji di Gedung Merah Putih",
        keywords=("KPK", "kuota haji", "Kementerian Agama"),
    )
    assert first.publication_date is not None
    assert first.publication_date.utcoffset() is not None


def test_dates_without_an_offset_are_the_sites_local_time() -> None:
    body = (FIXTURES / "makassar-makassar-sitemap_web-2026-03-12.xml.gz").read_bytes()
    last = list(SitemapFile(body, default_tz=SITES["makassar"].tz).entries())[-1]
    assert isinstance(last, UrlEntry)
    assert last.lastmod == datetime.fromisoformat("2026-03-11T00:00:00+08:00")


def test_a_broken_file_keeps_the_entries_before_the_error() -> None:
    sitemap = SitemapFile((FIXTURES / "www-otomotif-sitemap-web-truncated-2026-03-12.xml").read_bytes())
    locs = [entry.loc for entry in sitemap.entries()]
    assert len(locs) == 2
    assert sitemap.problem == "xml-syntax"
    assert sitemap.kind is SitemapKind.URLSET
    assert "CData section not finished" in sitemap.detail


def test_entities_are_never_resolved() -> None:
    sitemap = SitemapFile((FIXTURES / "www-bisnis-sitemap-news-entities-2026-03-12.xml").read_bytes())
    (entry,) = sitemap.entries()
    assert isinstance(entry, UrlEntry)
    text = " ".join([entry.loc, entry.title or "", *entry.keywords])
    # No file content, no remote URL, no "lol" expansion; the predefined &amp; still reads as "&".
    assert "root:" not in text
    assert "attacker" not in text
    assert "lol" not in text
    assert entry.title == "IHSG Ditutup Menguat & Didorong Saham Perbankan"


def test_gzip_body_larger_than_the_limit_is_refused_unread() -> None:
    body = (FIXTURES / "makassar-makassar-sitemap_web-2026-03-12.xml.gz").read_bytes()
    sitemap = SitemapFile(body, max_size=512)
    assert list(sitemap.entries()) == []
    assert sitemap.problem == "too-large"
    assert len(list(SitemapFile(body, max_size=4096).entries())) == 3


def test_corrupt_gzip_and_empty_bodies_are_problems_not_exceptions() -> None:
    plain = (FIXTURES / "makassar-makassar-sitemap_web-2026-03-12.xml.gz").read_bytes()
    corrupt = plain[:10] + bytes(b ^ 0x5A for b in plain[10:40])
    sitemap = SitemapFile(corrupt)
    assert list(sitemap.entries()) == []
    assert sitemap.problem == "bad-gzip"
    empty = SitemapFile(b"  \n")
    assert list(empty.entries()) == []
    assert empty.problem == "empty"


def test_a_gzip_file_cut_short_keeps_what_was_decompressed() -> None:
    xml = (FIXTURES / "www-nasional-sitemap-news-2026-03-12.xml").read_bytes()
    compressed = gzip.compress(xml, mtime=0)
    sitemap = SitemapFile(compressed[: len(compressed) * 3 // 4])
    entries = list(sitemap.entries())
    assert 1 <= len(entries) < 4
    assert sitemap.problem == "xml-syntax"


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("banyumas-sitemap_news-2026-03-12.xml", SitemapRole.NEWS),
        ("www-nasional-sitemap-news-2026-03-12.xml", SitemapRole.NEWS),
        # A news sitemap broken after its first entries is still one: its first entry says so.
        ("www-seleb-sitemap-news-control-char-2026-03-12.xml", SitemapRole.NEWS),
        ("www-nasional-sitemap-web-2026-03-12.xml", SitemapRole.CHANGES),
        ("makassar-makassar-sitemap_web-2026-03-12.xml.gz", SitemapRole.CHANGES),
        # A web sitemap cut short may lack entries past the cut: not a complete list of changes.
        ("www-otomotif-sitemap-web-truncated-2026-03-12.xml", None),
        ("www-sitemap-index-2026-03-12.xml", None),
        ("jateng-sitemap_news-index-2026-03-12.xml", None),
        ("www-sport-sitemap-web-cloudfront-403-2026-03-12.xml", None),
        ("www-techno-sitemap-news-rss-2026-03-12.xml", None),
    ],
)
def test_the_role_of_a_sitemap_is_read_from_its_entries_not_its_name(name: str, role: SitemapRole | None) -> None:
    assert sitemap_role((FIXTURES / name).read_bytes()) is role


def test_a_gzip_file_sent_gzip_encoded_is_read_through_both_layers() -> None:
    """Before Scrapy's HttpCompressionMiddleware undoes Content-Encoding (as the discovery cache reads answers), a
    .xml.gz served gzip-encoded is gzip twice: its entries and its role are those of the file inside."""
    plain = FIXTURES / "makassar-makassar-sitemap_web-2026-03-12.xml.gz"
    twice = gzip.compress(plain.read_bytes(), mtime=0)
    assert sitemap_role(twice) is SitemapRole.CHANGES
    assert list(SitemapFile(twice).entries()) == list(SitemapFile(plain.read_bytes()).entries())


def test_a_url_set_whose_entries_carry_no_date_has_no_role() -> None:
    undated = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://banyumas.tribunnews.com/2026/12/04/a</loc><lastmod>2026-12-04T09:00:00+07:00</lastmod></url>
<url><loc>https://banyumas.tribunnews.com/2026/12/04/b</loc></url>
</urlset>"""
    assert sitemap_role(undated) is None
    assert sitemap_role(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>') is None


def test_robots_txt_sitemap_lines() -> None:
    body = (
        b"User-agent: *\nDisallow: /api/\nDisallow: /tag/\n\n"
        b"Sitemap: https://jateng.tribunnews.com/sitemap.xml\n"
        b"sitemap:https://jateng.tribunnews.com/sitemap_news.xml\n"
        b"  SITEMAP :  https://jateng.tribunnews.com/sitemap_web.xml  # web\n"
        b"Sitemap: https://jateng.tribunnews.com/sitemap.xml\n"
        b"# Sitemap: https://jateng.tribunnews.com/old.xml\n"
    )
    assert sitemaps_in_robots_txt(body) == [
        "https://jateng.tribunnews.com/sitemap.xml",
        "https://jateng.tribunnews.com/sitemap_news.xml",
        "https://jateng.tribunnews.com/sitemap_web.xml",
    ]


_MEMORY_PROBE = """
import sys
from tribun_crawler.extractors.sitemap import SitemapFile

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

entry = (
    "<url><loc><![CDATA[https://www.tribunnews.com/nasional/{n}/kpk-periksa-dua-saksi-kasus-kuota-haji]]></loc>"
    "<news:news><news:publication><news:name>Tribunnews.com</news:name><news:language>id</news:language>"
    "</news:publication><news:publication_date>2026-03-12T13:55:00+07:00</news:publication_date>"
    "<news:title><![CDATA[KPK Periksa Dua Saksi Kasus Kuota Haji di Gedung Merah Putih]]></news:title>"
    "<news:keywords><![CDATA[KPK, kuota haji, Kementerian Agama]]></news:keywords></news:news></url>\\n"
)
body = (
    '<?xml version="1.0" encoding="UTF-8"?>\\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\\n'
    + "".join(entry.format(n=7000000 + n) for n in range(int(sys.argv[1])))
    + "</urlset>\\n"
).encode()
sitemap = SitemapFile(body)
before = rss_kib()
peak = before
count = 0
for _ in sitemap.entries():
    count += 1
    if count % 5000 == 0:
        peak = max(peak, rss_kib())
print(len(body) // 1024, count, peak - before, sitemap.problem)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident set size from /proc")
def test_a_huge_sitemap_is_streamed_not_held_as_a_tree() -> None:
    # 100,000 news entries: a 45 MB body. As one lxml tree it would take several hundred MB more (scrapy#3529);
    # streamed, memory stays within a few MB of what it was before reading.
    entries = 100_000
    process = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(entries)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    body_kib, count, growth_kib, problem = process.stdout.split()
    assert (int(count), problem) == (entries, "None")
    assert int(body_kib) > 40_000
    assert int(growth_kib) < 16_000, f"reading grew memory by {growth_kib} KiB"
