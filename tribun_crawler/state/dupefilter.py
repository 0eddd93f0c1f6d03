"""The requests a crawl has seen, in about 8 bytes each (``DUPEFILTER_CLASS``).

Scrapy's ``RFPDupeFilter`` keeps every fingerprint (20 bytes) as a ``bytes`` object in a ``set``: about 100 bytes
per request once the object and the set's table are counted, 7 MiB for a crawl of 50,000 articles and 400 MiB for
4 million URLs, the largest structure of a long crawl that grows with its size (``benchmarks/memory.py``).
:class:`CompactDupeFilter` keeps the first 8 bytes of each fingerprint as a signed 64-bit integer, in a sorted
``array`` (8 bytes each) plus a ``set`` of the latest ones, which is merged into the array whenever it reaches a
quarter of it: merges are few (the array grows by a quarter each time) and each is one pass.

Two different requests share their first 8 bytes with a probability of about n²/2⁶⁵: one in two million for a crawl
of 4 million requests; the request dropped then is one request of the crawl. With ``JOBDIR`` the whole fingerprints
are written to ``requests.seen`` in ``RFPDupeFilter``'s format (2-byte big-endian length, then the fingerprint), so
a paused crawl resumes with either filter.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.utils.request import RequestFingerprinterProtocol

#: Bytes of the length prefix of each fingerprint in ``requests.seen`` (RFPDupeFilter's format).
LENGTH_BYTES = 2
#: The latest keys are merged into the sorted array once there are this many, or a quarter of the array.
MIN_RECENT = 4096


def fingerprint_key(fingerprint: bytes) -> int:
    """The first 8 bytes of a fingerprint, as the signed 64-bit integer an ``array("q")`` holds."""
    return int.from_bytes(fingerprint[:8], "big", signed=True)


def read_fingerprints(file: BinaryIO) -> Iterator[bytes]:
    """The fingerprints of a ``requests.seen`` file, up to a record cut short by an unclean shutdown."""
    while len(head := file.read(LENGTH_BYTES)) == LENGTH_BYTES:
        size = int.from_bytes(head, "big")
        fingerprint = file.read(size)
        if len(fingerprint) < size:
            return
        yield fingerprint


class FingerprintSet:
    """A set of 64-bit integers in about 8 bytes each: a sorted array, and a small set of the latest ones."""

    def __init__(self, keys: Iterable[int] = ()) -> None:
        self._sorted = array("q", sorted(set(keys)))
        self._recent: set[int] = set()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, key: int) -> bool:
        if key in self._recent:
            return True
        index = bisect_left(self._sorted, key)
        return index < len(self._sorted) and self._sorted[index] == key

    def add(self, key: int) -> None:
        self._recent.add(key)
        if len(self._recent) >= max(MIN_RECENT, len(self._sorted) // 4):
            self._merge()

    def _merge(self) -> None:
        self._sorted = array("q", heapq.merge(self._sorted, sorted(self._recent)))
        self._recent = set()


class CompactDupeFilter(RFPDupeFilter):
    """``RFPDupeFilter`` in about 8 bytes per request seen instead of about 100 (module docstring)."""

    def __init__(
        self,
        path: str | None = None,
        debug: bool = False,
        *,
        fingerprinter: RequestFingerprinterProtocol | None = None,
    ) -> None:
        # No path for the parent: it would read the seen requests into its set of bytes. They are read in open().
        super().__init__(None, debug, fingerprinter=fingerprinter)
        self.path = Path(path, "requests.seen") if path else None
        self.seen = FingerprintSet()

    def open(self) -> None:
        if self.path is None:
            return
        # Closed by close(), when the crawl ends.
        self.file = self.path.open("a+b")
        self.file.seek(0)
        self.seen = FingerprintSet(fingerprint_key(fp) for fp in read_fingerprints(self.file))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            job_dir(crawler.settings),
            crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(request)
        key = fingerprint_key(fingerprint)
        if key in self.seen:
            return True
        self.seen.add(key)
        if self.file:
            self.file.write(len(fingerprint).to_bytes(LENGTH_BYTES, "big") + fingerprint)
        return False
