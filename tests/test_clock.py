"""The crawl's present moment: TRIBUN_NOW fixes it for simulations, the real clock otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from tests.conftest import with_tribun_defaults
from tribun_crawler.clock import crawl_now, fixed_now
from tribun_crawler.spiders.tribun import TribunSpider


def test_the_real_clock_when_tribun_now_is_empty() -> None:
    before = datetime.now(UTC)
    now = crawl_now(Settings(with_tribun_defaults()))
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is not None


def test_tribun_now_fixes_the_moment_with_its_offset() -> None:
    now = crawl_now(Settings(with_tribun_defaults({"TRIBUN_NOW": "2026-12-04T00:30:00+07:00"})))
    assert now == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert now.utcoffset() == timedelta(hours=7)


def test_a_moment_without_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        fixed_now("2026-12-04T00:30:00")


def test_the_spider_takes_today_in_jakarta_from_the_fixed_moment() -> None:
    # 23:30 UTC on 3 December is already 4 December in WIB: the daily index of the 4th is today's.
    crawler = get_crawler(TribunSpider, with_tribun_defaults({"TRIBUN_NOW": "2026-12-03T23:30:00+00:00"}))
    spider = TribunSpider.from_crawler(crawler)
    assert spider.today().isoformat() == "2026-12-04"
