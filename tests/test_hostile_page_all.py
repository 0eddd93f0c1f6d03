"""The hostile replica's ``?page=all`` faults are what they claim (tests/replica/hostile.py, ``PAGE_ALL_FAULTS``):
``?page=all`` fails for good while the plain URL and ``?page=2`` of the same two-page article answer, except for
the article none of whose variants answers. What the crawler makes of them: tests/test_hostile_e2e.py."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from tests.replica.hostile import ALL_VARIANTS_FAIL, CASE_BY_KEY, PAGE_ALL_FAULTS, HostileReplica, _stall
from tribun_crawler.sites import SITES

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def replica() -> HostileReplica:
    return HostileReplica(TODAY)


def page_texts(html: str) -> list[str]:
    paragraphs = Selector(html).css("div.side-article.txt-article p")
    return [p.xpath("normalize-space(.)").get() or "" for p in paragraphs]


@pytest.mark.parametrize("key", sorted(set(PAGE_ALL_FAULTS) - {ALL_VARIANTS_FAIL}))
def test_page_all_fails_while_the_plain_url_and_page_2_answer(replica: HostileReplica, key: str) -> None:
    article = replica.net.article(key)
    assert CASE_BY_KEY[key].emitted
    assert article.page_count == 2
    for _ in range(4):  # every attempt, not only the first
        assert replica._raw_fault(article, "") is None
        plain = replica._article(article, "")
        second = replica._article(article, "page=2")
        assert (plain.status, second.status) == (200, 200)
        # The plain URL is page 1 only, with paging to page 2: the article is whole only with both.
        assert page_texts(plain.body.decode()) == list(article.page_paragraphs(1))
        assert page_texts(second.body.decode()) == list(article.page_paragraphs(2))
        assert 'href="' + article.url + '?page=2"' in plain.body.decode()


def test_each_page_all_fault_is_the_one_named(replica: HostileReplica) -> None:
    solo = SITES["solo"].home
    # The stall is a transport fault, written on the socket before any ordinary answer (``_raw_fault``).
    answers = {
        key: replica._article(replica.net.article(key), "page=all")
        for key in PAGE_ALL_FAULTS
        if key != "g-pageall-stall"
    }
    for _ in range(3):
        assert replica._article(replica.net.article("g-pageall-500"), "page=all").status == 500
    assert answers["g-pageall-500"].status == answers[ALL_VARIANTS_FAIL].status == 500
    assert answers["g-pageall-404"].status == 404
    home = answers["g-pageall-home"]
    assert home.status == 200
    page = Selector(home.body.decode())
    assert page.css("#latestul li")  # the homepage's list of articles ...
    assert not page.css("#arttitle, div.side-article.txt-article")  # ... and no article in it
    assert (answers["g-pageall-tohome"].status, answers["g-pageall-tohome"].headers["Location"]) == (301, solo)
    stall = replica.net.article("g-pageall-stall")
    assert replica._raw_fault(stall, "page=all") == (200, _stall)
    assert replica._raw_fault(stall, "page=2") is None


def test_no_variant_of_the_last_article_answers(replica: HostileReplica) -> None:
    article = replica.net.article(ALL_VARIANTS_FAIL)
    assert not CASE_BY_KEY[ALL_VARIANTS_FAIL].emitted
    assert replica._article(article, "page=all").status == 500
    assert replica._raw_fault(article, "") == (200, _stall)
