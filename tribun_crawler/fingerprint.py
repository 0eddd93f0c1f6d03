"""Request fingerprints that make every variant of one article the same request.

Scrapy's dupefilter (and scrapy-redis' shared one) compare fingerprints. Hashing the article key instead of the
raw URL means ``m.`` hosts, ``/amp/``, ``utm_*``, ``_ga``, fragments, trailing slashes and an id URL with or
without its slug all collapse into one request per article and page, within a run and across workers.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit
from weakref import WeakKeyDictionary

from scrapy.utils.request import fingerprint

from tribun_crawler.urls import PageType, article_key, canonical_listing_url, classify_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class TribunRequestFingerprinter:
    def __init__(self) -> None:
        # Scrapy asks for the fingerprint of one request several times (dupefilter, HTTP cache, scheduler); like
        # Scrapy's own fingerprinter, remember it for as long as the request lives.
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TribunRequestFingerprinter:
        return cls()

    def fingerprint(self, request: Request) -> bytes:
        cached = self._cache.get(request)
        if cached is None:
            cached = self._cache[request] = self._fingerprint(request)
        return cached

    def _fingerprint(self, request: Request) -> bytes:
        page_type = classify_url(request.url)
        if request.method != "GET" or page_type is None:
            return fingerprint(request)
        if page_type is PageType.ARTICLE:
            page = dict(parse_qsl(urlsplit(request.url).query)).get("page", "1")
            key = f"article|{article_key(request.url)}|page={page}"
        else:
            key = f"listing|{canonical_listing_url(request.url)}"
        # A redirect to another variant of the same article must not be filtered as its own duplicate.
        if request.meta.get("redirect_urls"):
            key += f"|redirected={request.url}"
        return hashlib.sha1(key.encode()).digest()
