"""CompactDupeFilter: the same requests filtered as by Scrapy's RFPDupeFilter, in a fraction of its memory."""

from __future__ import annotations

import hashlib
import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from tests.conftest import make_crawler
from tribun_crawler.fingerprint import TribunRequestFingerprinter
from tribun_crawler.state.dupefilter import MIN_RECENT, CompactDupeFilter, FingerprintSet, fingerprint_key

ARTICLE = "https://jateng.tribunnews.com/2024/06/22/korea-utara-kembali-terbangkan-balon-sampah"


def article_requests(count: int) -> list[Request]:
    return [Request(f"https://www.tribunnews.com/nasional/{7_000_000 + n}/berita-{n}?page=all") for n in range(count)]


def opened(dupefilter: CompactDupeFilter) -> CompactDupeFilter:
    dupefilter.open()
    return dupefilter


def test_is_the_projects_dupefilter() -> None:
    crawler = make_crawler()
    assert crawler.settings.get("DUPEFILTER_CLASS") == "tribun_crawler.state.dupefilter.CompactDupeFilter"
    dupefilter = CompactDupeFilter.from_crawler(crawler)
    assert isinstance(dupefilter.fingerprinter, TribunRequestFingerprinter)
    assert dupefilter.path is None


def test_variants_of_one_article_are_one_request() -> None:
    dupefilter = opened(CompactDupeFilter(fingerprinter=TribunRequestFingerprinter()))
    assert not dupefilter.request_seen(Request(f"{ARTICLE}?page=all"))
    variants = [
        f"{ARTICLE}?page=all&utm_source=facebook",
        ARTICLE.replace(".com/", ".com/amp/") + "?page=all",
        f"{ARTICLE}/?page=all#komentar",
    ]
    assert [dupefilter.request_seen(Request(url)) for url in variants] == [True, True, True]
    # Another page of the same article is another request.
    assert not dupefilter.request_seen(Request(f"{ARTICLE}?page=2"))


def test_filters_exactly_what_rfp_dupefilter_filters_across_merges() -> None:
    """Enough requests for several merges of the recent keys into the sorted array, each asked twice, shuffled."""
    requests = article_requests(5 * MIN_RECENT)
    asked = [*requests, *requests[: 2 * MIN_RECENT]]
    random.Random(7).shuffle(asked)
    compact = opened(CompactDupeFilter(fingerprinter=TribunRequestFingerprinter()))
    reference = RFPDupeFilter(fingerprinter=TribunRequestFingerprinter())
    assert [compact.request_seen(r) for r in asked] == [reference.request_seen(r) for r in asked]
    assert len(compact.seen) == len(requests)
    assert all(compact.request_seen(r) for r in requests)


def test_fingerprint_set_keeps_every_key_through_merges() -> None:
    rng = random.Random(3)
    keys = list({rng.randrange(-(2**63), 2**63) for _ in range(3 * MIN_RECENT + 17)})
    seen = FingerprintSet(keys[:100])
    for key in keys[100:]:
        assert key not in seen
        seen.add(key)
    assert len(seen) == len(keys)
    assert all(key in seen for key in keys)
    assert -(2**63) not in seen
    assert 2**63 - 1 not in seen


def test_memory_is_a_fraction_of_rfp_dupefilters() -> None:
    """What each keeps for 50,000 requests: RFPDupeFilter's set holds the fingerprints it is given."""

    def traced_bytes(add: Callable[[bytes], object]) -> int:
        tracemalloc.start()
        try:
            for n in range(50_000):
                add(hashlib.sha1(str(n).encode()).digest())
            return tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    rfp_set: set[bytes] = set()
    compact = FingerprintSet()
    rfp = traced_bytes(rfp_set.add)
    ours = traced_bytes(lambda fp: compact.add(fingerprint_key(fp)))
    assert rfp > 90 * 50_000
    assert ours < 20 * 50_000


@pytest.mark.parametrize("writer", [CompactDupeFilter, RFPDupeFilter])
def test_jobdir_resumes_with_the_requests_seen_whichever_filter_wrote_them(tmp_path: Path, writer: type) -> None:
    requests = article_requests(300)
    first = writer(str(tmp_path), fingerprinter=TribunRequestFingerprinter())
    if isinstance(first, CompactDupeFilter):
        first.open()
    assert not any(first.request_seen(r) for r in requests[:200])
    first.close("shutdown")

    resumed = opened(CompactDupeFilter(str(tmp_path), fingerprinter=TribunRequestFingerprinter()))
    assert all(resumed.request_seen(r) for r in requests[:200])
    assert not any(resumed.request_seen(r) for r in requests[200:])
    resumed.close("finished")
    # And Scrapy's own filter reads what the compact one wrote.
    scrapy_filter = RFPDupeFilter(str(tmp_path), fingerprinter=TribunRequestFingerprinter())
    assert all(scrapy_filter.request_seen(r) for r in requests)
    scrapy_filter.close("finished")


def test_a_record_cut_short_by_a_kill_is_ignored(tmp_path: Path) -> None:
    requests = article_requests(3)
    first = opened(CompactDupeFilter(str(tmp_path), fingerprinter=TribunRequestFingerprinter()))
    for request in requests[:2]:
        first.request_seen(request)
    first.close("killed")
    seen_file = tmp_path / "requests.seen"
    seen_file.write_bytes(seen_file.read_bytes()[:-5])
    resumed = opened(CompactDupeFilter(str(tmp_path), fingerprinter=TribunRequestFingerprinter()))
    assert resumed.request_seen(requests[0])
    assert len(resumed.seen) == 1
    resumed.close("finished")
