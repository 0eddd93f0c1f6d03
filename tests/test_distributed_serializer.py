"""The shared queue's JSON serializer: every kind of request the spider makes comes back as it was; what is not a
request of its own (a pickle, garbage, a callback that is no spider method) is refused, never run."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import FormRequest, Request, Spider
from scrapy.http import TextResponse, XmlResponse
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat

from tests.test_spider import (
    FIXTURES,
    URL_7731367,
    fixture_response,
    http_failure,
    make_spider,
    plain_fallback,
)
from tribun_crawler import meta
from tribun_crawler.distributed import serializer
from tribun_crawler.distributed.leases import check_spider_method
from tribun_crawler.distributed.serializer import BadPayload, Unserializable
from tribun_crawler.items import ArticleItem
from tribun_crawler.meta import PageKind
from tribun_crawler.spiders.multipage import ArticleParts
from tribun_crawler.spiders.tribun import PRIORITY_ARTICLE, TribunSpider


def spider_requests() -> dict[str, Request]:
    """One of each kind of request the spider makes, made by the spider's own code from real pages."""
    spider = make_spider(sites="www,jateng", discover="sections,index,sitemaps")
    made: dict[str, Request] = {}
    for request in spider.initial_requests():
        made.setdefault(f"start {meta.page_kind(request.meta)}", request)

    listing = fixture_response(
        "listings", "www-index-news-2024-6-20", "https://www.tribunnews.com/index-news?date=2024-6-20"
    )
    for request in spider.parse_listing(listing):
        made.setdefault(f"from listing {meta.page_kind(request.meta)}", request)

    body = (FIXTURES / "sitemaps" / "www-nasional-sitemap-news-2026-03-12.xml").read_bytes()
    sitemap = XmlResponse(
        "https://www.tribunnews.com/sitemap/nasional/sitemap-news.xml",
        body=body,
        request=spider.sitemap_request("https://www.tribunnews.com/sitemap/nasional/sitemap-news.xml", depth=0),
    )
    from_sitemap = [r for r in spider.parse_sitemap(sitemap) if isinstance(r, Request)]
    made["article from sitemap"] = next(r for r in from_sitemap if meta.SITEMAP_HINTS in r.meta)
    made["guessed sitemap"] = spider.guessed_sitemap_request(
        ["https://jateng.tribunnews.com/sitemap.xml", "https://jateng.tribunnews.com/sitemap_index.xml"]
    )

    # ?page=all failed with a 500: the plain URL, carrying the failure as a (URL, reason, detail) tuple.
    plain = plain_fallback(spider)
    made["plain article after ?page=all failed"] = plain
    # The plain page shows paging: page 2 carries the ArticleParts (with the ArticleItem read so far).
    first_page = fixture_response("articles", "www_2026_id_page1", URL_7731367, plain)
    output = list(spider.parse_article(first_page))
    made["article page 2"] = next(r for r in output if isinstance(r, Request) and r.cb_kwargs)

    related = spider.related_requests(
        "https://www.tribunnews.com/nasional/2024/06/20/berita-pertama",
        0,
        ["https://www.tribunnews.com/nasional/2024/06/20/berita-terkait-satu"],
    )
    made["related article"] = next(iter(related))

    # As Scrapy's and the project's middlewares hand requests back to the scheduler.
    article = spider.article_request(URL_7731367, depth=1, priority=PRIORITY_ARTICLE)
    made["redirected"] = article.replace(
        url=URL_7731367.replace("www.", "m."),
        meta={
            **article.meta,
            "redirect_urls": [article.url],
            "redirect_reasons": [301],
            "redirect_times": 1,
            "redirect_ttl": 19,
            "download_slot": "www.tribunnews.com",
            "download_latency": 0.0512,
            "depth": 2,
        },
    )
    held = article.replace(meta={**article.meta, meta.RECHECK: True, "retry_times": 2})
    held.meta[meta.HELD_FAILURES].append(("http/503", "503 after 2 retries"))
    made["retried recheck with a held failure"] = held
    made["handed back by a stop"] = article.replace(
        dont_filter=True, meta={**article.meta, meta.STOP_HANDED_BACK: "stop-1733300000"}
    )
    return made


REQUESTS = spider_requests()


def round_trip(request: Request, spider: TribunSpider) -> Request:
    payload = serializer.dumps(request.to_dict(spider=spider))
    assert isinstance(payload, bytes)
    return request_from_dict(serializer.loads(payload), spider=spider)


def test_every_kind_of_request_is_covered() -> None:
    kinds = {meta.page_kind(request.meta) for request in REQUESTS.values()}
    assert kinds >= {PageKind.HOME, PageKind.SECTION, PageKind.INDEX, PageKind.ARTICLE, PageKind.ARTICLE_PAGE}
    assert PageKind.SITEMAP in kinds
    assert {r.callback.__name__ for r in REQUESTS.values() if r.callback} >= {
        "parse_listing",
        "parse_article",
        "parse_article_page",
        "parse_sitemap",
    }


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_a_request_of_the_spider_comes_back_as_it_was(name: str) -> None:
    spider = make_spider()
    original = REQUESTS[name]
    back = round_trip(original, spider)

    assert back.to_dict(spider=spider) == original.to_dict(spider=spider)
    assert back.callback == getattr(spider, original.callback.__name__)  # type: ignore[union-attr]
    # Same Python types, not their JSON shadows: components read meta as they would without Redis.
    for key, value in original.meta.items():
        assert type(back.meta[key]) is type(value), key
    assert type(back.meta[meta.PAGE_KIND]) is PageKind
    for key, value in original.cb_kwargs.items():
        assert back.cb_kwargs[key] == value
        assert type(back.cb_kwargs[key]) is type(value)


def test_multi_page_parts_and_failure_tuples_keep_their_types() -> None:
    spider = make_spider()
    page2 = round_trip(REQUESTS["article page 2"], spider)
    parts = page2.cb_kwargs["parts"]
    assert isinstance(parts, ArticleParts)
    assert isinstance(parts.item, ArticleItem)
    assert parts.item.headline
    assert parts == REQUESTS["article page 2"].cb_kwargs["parts"]

    plain = round_trip(REQUESTS["plain article after ?page=all failed"], spider)
    ((asked, reason, _detail),) = meta.earlier_failures(plain.meta)
    assert type(plain.meta[meta.EARLIER_FAILURES][0]) is tuple
    assert (asked, reason) == (f"{URL_7731367}?page=all", "http/500")

    held = round_trip(REQUESTS["retried recheck with a held failure"], spider)
    assert meta.held_failures(held.meta) == [("http/503", "503 after 2 retries")]


def test_the_payload_is_plain_json() -> None:
    spider = make_spider()
    payload = serializer.dumps(REQUESTS["article page 2"].to_dict(spider=spider))
    data = json.loads(payload)
    assert data["callback"] == "parse_article_page"
    assert data["cb_kwargs"]["parts"]["$type"] == "ArticleParts"
    assert data["meta"][meta.PAGE_KIND] == {"$type": "PageKind", "value": "article_page"}


BEYOND_JSON = [
    b"\x00\xff body",
    ("reason", "detail"),
    {b"Accept": [b"text/html"]},
    {1: "one"},
    date(2026, 12, 4),
    datetime(2026, 12, 4, 8, 30, tzinfo=UTC),
    [None, True, 1, 1.5, "teks Indonesia é"],
]


@pytest.mark.parametrize("value", BEYOND_JSON)
def test_values_beyond_json_round_trip(value: Any) -> None:
    back = serializer.loads(serializer.dumps({"url": "https://www.tribunnews.com/", "meta": {"value": value}}))
    assert back["meta"]["value"] == value
    assert type(back["meta"]["value"]) is type(value)


class Opaque:
    pass


@pytest.mark.parametrize(
    "value",
    [Opaque(), {"a", "b"}, float("nan"), {"$type": "bytes", "value": "AA=="}, TextResponse("https://x.test/")],
)
def test_a_value_that_cannot_travel_is_refused_when_queued(value: Any) -> None:
    with pytest.raises((Unserializable, ValueError)):
        serializer.dumps({"url": "https://www.tribunnews.com/", "meta": {"value": value}})


def test_a_request_subclass_is_refused_when_queued() -> None:
    spider = make_spider()
    request = FormRequest("https://www.tribunnews.com/search", formdata={"q": "banjir"}, callback=spider.parse_listing)
    with pytest.raises(Unserializable, match="FormRequest"):
        serializer.dumps(request.to_dict(spider=spider))


class Marker:
    """A pickle that, once loaded, creates a file: proof of code run on unpickling."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


def test_a_pickle_payload_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    payload = pickle.dumps({"url": "https://www.tribunnews.com/", "meta": {"x": Marker(marker)}}, protocol=-1)
    with pytest.raises(BadPayload):
        serializer.loads(payload)
    assert not marker.exists()
    # The control: scrapy-redis' default serializer runs it.
    picklecompat.loads(payload).get("meta")["x"].close()
    assert marker.exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"garbage \xff\xfe",
        b"[1, 2, 3]",
        b'"https://www.tribunnews.com/"',
        b'{"meta": {}}',
        b'{"url": "https://www.tribunnews.com/", "_class": "os.system"}',
        b'{"url": "https://www.tribunnews.com/", "callback": ["parse"]}',
        b'{"url": "https://www.tribunnews.com/", "meta": {"x": {"$type": "subprocess.Popen", "value": {}}}}',
        b'{"url": "https://www.tribunnews.com/", "meta": {"x": {"$type": "ArticleParts", "value": 3}}}',
        b'{"url": "https://www.tribunnews.com/", "meta": {"x": {"$type": "bytes", "value": "not base64!"}}}',
        b'{"url": "https://www.tribunnews.com/", "meta": {"x": {"$type": "PageKind", "value": "nope"}}}',
        b'{"url": "https://www.tribunnews.com/", "meta": []}',
    ],
)
def test_what_is_no_request_dict_is_a_bad_payload(payload: bytes) -> None:
    with pytest.raises(BadPayload):
        serializer.loads(payload)


@pytest.mark.parametrize(
    "name", ["close", "start", "from_crawler", "__init__", "_parse", "crawler", "settings", "nope", "log"]
)
def test_only_the_spiders_own_methods_are_callbacks(name: str) -> None:
    with pytest.raises(BadPayload):
        check_spider_method(make_spider(), name)


@pytest.mark.parametrize("name", ["parse_listing", "parse_article", "article_failed", "parse_sitemap"])
def test_the_spiders_callbacks_are_accepted(name: str) -> None:
    check_spider_method(make_spider(), name)


def test_parse_is_a_callback_only_where_the_spider_defines_it() -> None:
    class Pages(Spider):
        name = "pages"

        def parse(self, response: Any, **kwargs: Any) -> Any:
            return []

    check_spider_method(Pages(), "parse")
    with pytest.raises(BadPayload):
        check_spider_method(Spider("bare"), "parse")


def test_an_http_failure_helper_request_round_trips() -> None:
    # The request an errback gets after a 404 (HttpError carries the response; the request is plain data).
    spider = make_spider()
    request = spider.article_request(URL_7731367, depth=0, priority=PRIORITY_ARTICLE)
    failure = http_failure(spider, request, 404)
    back = round_trip(failure.request, spider)  # type: ignore[attr-defined]
    assert back.errback == spider.article_failed


# --- Properties (hypothesis, deterministic) -------------------------------------------------------------------

FUZZ = settings(max_examples=300, derandomize=True, database=None, deadline=None)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.binary()
    | st.sampled_from(list(PageKind))
    # fold only tells apart the two readings of a local time a clock went back over: none in UTC.
    | st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.replace(fold=0))
    | st.dates()
)
keys = st.text() | st.binary() | st.integers()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text().filter(lambda key: key != "$type"), inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(value=values)
def test_any_value_of_the_supported_types_comes_back_equal_and_of_its_type(value: Any) -> None:
    back = serializer.loads(serializer.dumps({"url": "https://www.tribunnews.com/", "meta": {"v": value}}))["meta"]["v"]
    assert back == value
    assert repr(back) == repr(value)  # same types all the way down (a tuple is no list, bytes no str)


@FUZZ
@given(payload=st.binary() | st.text().map(str.encode))
def test_any_bytes_are_a_request_dict_or_a_bad_payload(payload: bytes) -> None:
    try:
        result = serializer.loads(payload)
    except BadPayload:
        return
    assert isinstance(result, dict)
    assert isinstance(result["url"], str)


@FUZZ
@given(value=values)
def test_a_json_object_with_any_tagged_value_decodes_or_is_a_bad_payload(value: Any) -> None:
    # Tags and shapes mixed up (a tuple's list given to ArticleParts, a tag without its value): a request dict or
    # BadPayload, never another exception out of the queue.
    text = serializer.dumps({"url": "https://www.tribunnews.com/", "meta": {"v": value}}).decode()
    for mangled in (text.replace('"$type":"tuple"', '"$type":"ArticleParts"'), text.replace('"value":', '"valeu":')):
        try:
            result = serializer.loads(mangled.encode())
        except BadPayload:
            continue
        assert isinstance(result, dict)
