"""ValidatePipeline, behind the normalise pipeline as in ITEM_PIPELINES: every drop reason, logged and counted."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scrapy.exceptions import DropItem

from tests.conftest import BODIES, PipelineRun, make_article
from tribun_crawler.pipelines.validate import REASONS


@pytest.fixture
def run(pipeline_run: Any, sqlite_settings: dict[str, Any]) -> Any:
    with pipeline_run(sqlite_settings) as run:
        yield run


TEASER = (
    "TRIBUNNEWS.COM - Simak video selengkapnya berikut ini.\n\n"
    "Baca juga: Banjir Rendam 34 RT di Jakarta Timur\n\n"
    "Ikuti kami di Google News"
)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"url": ""}, "missing_url"),
        ({"url": "https://www.tribunnews.com/tag/banjir"}, "bad_url"),
        ({"url": "https://video.tribunnews.com/view/123456/banjir"}, "bad_url"),
        ({"url": "https://www.kompas.com/read/2024/06/20/banjir"}, "bad_url"),
        ({"headline": "   "}, "missing_headline"),
        ({"headline": None}, "missing_headline"),
        ({"articleBody": None}, "missing_body"),
        ({"articleBody": "\n\nBaca juga: Banjir Jakarta\n\n"}, "missing_body"),
        ({"articleBody": TEASER}, "short_body"),
        ({"datePublished": None}, "missing_date"),
        ({"datePublished": "32 menit lalu"}, "bad_date"),
    ],
)
def test_each_reason_drops_and_counts_with_the_url(run: PipelineRun, fields: dict[str, Any], reason: str) -> None:
    item = make_article(**fields)
    assert run.feed(item) is None
    assert run.stat(f"tribun/dropped/{reason}") == 1
    assert sum(run.stat(f"tribun/dropped/{r}") or 0 for r in REASONS) == 1
    (message,) = run.dropped
    assert message.startswith(f"{reason}: ")
    if item.url:
        assert item.url in message
    assert run.emitted == []


def test_scrapy_logs_the_drop_as_a_warning_with_reason_and_url(run: PipelineRun) -> None:
    item = make_article(articleBody=TEASER)
    normalize, validate = run.pipelines[:2]
    with pytest.raises(DropItem) as caught:
        validate.process_item(normalize.process_item(item))
    entry = run.crawler.logformatter.dropped(item, caught.value, None, run.crawler.spider)
    assert entry["level"] == logging.WARNING
    assert str(entry["args"]["exception"]).startswith(f"short_body: {item.url} (")


def test_body_length_is_judged_after_normalisation(pipeline_run: Any, sqlite_settings: dict[str, Any]) -> None:
    padding = "\n\n".join(["Baca juga: Berita lain yang tidak berhubungan dengan isi artikel ini sama sekali"] * 12)
    body = "TRIBUNNEWS.COM, JAKARTA - Banjir merendam 34 RT pada Kamis pagi.\n\n" + padding
    assert len(body) > 800
    with pipeline_run({**sqlite_settings, "TRIBUN_MIN_BODY_CHARS": 200}) as run:
        assert run.feed(make_article(articleBody=body)) is None
        assert run.stat("tribun/dropped/short_body") == 1


def test_min_body_chars_is_a_setting(pipeline_run: Any, sqlite_settings: dict[str, Any]) -> None:
    body = BODIES["banjir"]
    with pipeline_run({**sqlite_settings, "TRIBUN_MIN_BODY_CHARS": len(body) + 1}) as run:
        assert run.feed(make_article()) is None
        assert run.stat("tribun/dropped/short_body") == 1
    with pipeline_run({**sqlite_settings, "TRIBUN_MIN_BODY_CHARS": len(body)}) as run:
        assert run.feed(make_article()) is not None


def test_a_complete_article_passes_untouched_by_validation(run: PipelineRun) -> None:
    item = make_article()
    assert run.feed(item) is item
    assert run.dropped == []
    assert not any(key.startswith("tribun/dropped/") for key in run.crawler.stats.get_stats())


def test_default_minimum_keeps_short_real_news_and_drops_teasers(run: PipelineRun) -> None:
    min_chars = run.crawler.settings.getint("TRIBUN_MIN_BODY_CHARS")
    assert len(TEASER) < min_chars <= min(len(body) for body in BODIES.values())


def test_a_day_without_a_time_is_emitted_with_the_day_alone(run: PipelineRun) -> None:
    """A page that shows the day but no time (or only its URL carries a date) keeps the article."""
    item = make_article(datePublished=None, datePublishedDay="2016-02-08")
    assert run.feed(item) is item
    assert item.datePublished is None
    assert item.datePublishedDay == "2016-02-08"


@pytest.mark.parametrize("day", [None, "", "8 Februari 2016", "2016-02-30"])
def test_no_time_and_no_readable_day_is_dropped(run: PipelineRun, day: str | None) -> None:
    assert run.feed(make_article(datePublished=None, datePublishedDay=day)) is None
    assert run.stat("tribun/dropped/missing_date") == 1


def test_an_article_that_breaks_the_schema_is_dropped_with_each_problem_counted(run: PipelineRun) -> None:
    # Past every rule above, but not the feed's contract: a language the network does not publish in.
    item = make_article(inLanguage="en")
    assert run.feed(item) is None
    assert run.stat("tribun/dropped/schema") == 1
    assert run.stat("tribun/schema_errors/inLanguage/const") == 1
    assert sum(run.stat(f"tribun/dropped/{r}") or 0 for r in REASONS) == 1
    (message,) = run.dropped
    assert message.startswith(f"schema: {item.url} (")
    assert "inLanguage: 'id' was expected" in message


def test_an_article_that_breaks_the_schema_is_kept_when_the_setting_says_so(
    pipeline_run: Any, sqlite_settings: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with pipeline_run({**sqlite_settings, "TRIBUN_DROP_SCHEMA_INVALID": False}) as run:
        item = make_article(inLanguage="en")
        assert run.feed(item) is not None
        assert run.stat("tribun/schema_errors/inLanguage/const") == 1
        assert run.stat("tribun/dropped/schema") is None
    assert any("breaks the schema, kept" in record.getMessage() for record in caplog.records)
