"""The run report (log + JSON beside the feed), field coverage, the exit status of `scrapy crawl`, progress."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from tests.conftest import with_tribun_defaults
from tests.local_crawl import CDN_SETTINGS, ArticlesSpider, make_crawler
from tribun_crawler import settings as project_settings
from tribun_crawler import stats as stat
from tribun_crawler.checks import EXIT_NO_ARTICLES, Finding, Run, error_counts, exit_code, no_articles, run_checks
from tribun_crawler.extensions.report import (
    ProgressLog,
    RunReport,
    exit_code_of,
    local_feed_paths,
    report_path_for_feed,
)
from tribun_crawler.items import ArticleItem

REPORT = "tribun_crawler.extensions.report.RunReport"
COVERAGE = "tribun_crawler.middlewares.coverage.FieldCoverageMiddleware"
BLOCKS = "tribun_crawler.middlewares.blocks.BlockDetectionMiddleware"
PROJECT_ROOT = Path(__file__).resolve().parents[1]

BODY = (
    "TRIBUNNEWS.COM, JAKARTA - Presiden memimpin sidang kabinet paripurna di Istana Negara, Jakarta, pada "
    "Senin (3/11/2025) pagi. Sidang membahas rancangan anggaran dan program prioritas tahun depan.\n\n"
    "Menteri Sekretaris Negara mengatakan seluruh menteri diminta menyampaikan capaian kementerian masing-"
    "masing sebelum akhir bulan."
)


class CountingPipeline:
    """Stands in for the project's validation and dedupe pipelines: drops and counts like they do.

    Bodies under 100 characters are dropped as ``short_body`` and items without datePublished as
    ``missing_date``; a URL already emitted (or listed in ``TEST_KNOWN_URLS``, as from an earlier run) is
    dropped as a duplicate of kind ``url``; one listed in ``TEST_UNCHANGED_URLS`` is a recheck of an article
    emitted earlier, dropped as ``unchanged``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set(crawler.settings.getlist("TEST_KNOWN_URLS"))
        self.unchanged: set[str] = set(crawler.settings.getlist("TEST_UNCHANGED_URLS"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountingPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if len(item.articleBody or "") < 100:
            self.stats.inc_value("tribun/dropped/short_body")
            raise DropItem("short_body: body under 100 characters")
        if not item.datePublished:
            self.stats.inc_value("tribun/dropped/missing_date")
            raise DropItem("missing_date: no datePublished")
        if item.url in self.unchanged:
            self.stats.inc_value("tribun/dropped/unchanged")
            raise DropItem(f"unchanged since it was emitted: {item.url}")
        if item.url in self.seen:
            self.stats.inc_value("tribun/duplicates/url")
            raise DropItem(f"duplicate of {item.url}")
        self.seen.add(item.url)
        return item


class ReportSpider(ArticlesSpider):
    """ArticlesSpider, with what the tribun spider and the state middleware add around it.

    ``unreadable`` article pages are read and counted as ``tribun/unreadable/no-body``, with no item, as the
    tribun spider does with a page its extractor cannot read; ``known`` articles are not requested but counted
    as ``tribun/skipped/known``, as the state middleware does with an article emitted by an earlier run.
    """

    name = "report_articles"

    def __init__(self, unreadable: list[str] | None = None, known: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.unreadable = set(unreadable or [])
        self.known = set(known or [])

    async def start(self) -> AsyncIterator[Request]:
        async for request in super().start():
            if request.url in self.known:
                self.crawler.stats.inc_value("tribun/skipped/known")
                continue
            yield request

    def parse(self, response: Response) -> Iterator[Any]:
        if response.url in self.unreadable:
            self.crawler.stats.inc_value("tribun/pages/article")
            self.crawler.stats.inc_value("tribun/unreadable/no-body")
            return
        yield from super().parse(response)


def www(n: int) -> str:
    return f"https://www.tribunnews.com/nasional/{7731360 + n}/sidang-kabinet-paripurna-{n}"


def full_item(url: str, **fields: Any) -> ArticleItem:
    item = ArticleItem(
        url=url,
        articleId=url.rsplit("/", 2)[-2],
        site="www",
        headline="Sidang Kabinet Paripurna Bahas Anggaran Tahun Depan",
        description="Presiden memimpin sidang kabinet paripurna di Istana Negara.",
        articleBody=BODY,
        datePublished="2025-11-03T08:15:00+07:00",
        datePublishedRaw="Senin, 3 November 2025 08:15 WIB",
        authors=[{"name": "Taufik Ismail", "url": None}],
        articleSection="Nasional",
        keywords=["sidang kabinet", "APBN"],
    )
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def run(
    tmp_path: Path,
    urls: list[str],
    items: dict[str, Any],
    settings: dict[str, Any] | None = None,
    **spider_args: Any,
) -> tuple[Crawler, dict[str, Any] | None]:
    """Crawl ``urls`` from the in-memory CDN into a JSONL feed under ``tmp_path``; the crawler and its report."""
    crawler = make_crawler(
        ReportSpider,
        {
            **CDN_SETTINGS,
            "ITEM_PIPELINES": {"tests.test_report.CountingPipeline": 300},
            "SPIDER_MIDDLEWARES": {COVERAGE: project_settings.SPIDER_MIDDLEWARES[COVERAGE]},
            "EXTENSIONS": {REPORT: 100},
            "FEEDS": {str(tmp_path / "data" / "%(name)s" / "%(time)s.jsonl"): {"format": "jsonlines"}},
            "TRIBUN_MIN_COVERAGE": 0.8,
            "TRIBUN_COVERAGE_MIN_ITEMS": 3,
            **(settings or {}),
        },
    )
    asyncio.run(crawler.crawl_async(urls=urls, items=items, **spider_args))
    report = crawler.get_extension(RunReport)
    assert report is not None
    return crawler, report.report


def written_report(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The one report written beside the feed, checked to share the feed file's name."""
    feeds = list((tmp_path / "data" / ReportSpider.name).glob("*.jsonl"))
    reports = list((tmp_path / "data" / ReportSpider.name).glob("*.stats.json"))
    assert len(feeds) == 1
    assert [path.name for path in reports] == [feeds[0].name.removesuffix(".jsonl") + ".stats.json"]
    return reports[0], json.loads(reports[0].read_text(encoding="utf-8"))


def test_report_beside_the_feed_counts_what_the_run_did(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    urls = [www(n) for n in range(1, 9)]
    items = {
        www(1): full_item(www(1)),
        www(2): full_item(www(2), keywords=[]),
        www(3): full_item(www(3)),
        www(4): full_item(www(4), datePublished=None),  # dropped: no date
        www(5): full_item(www(5), articleBody="Video: sidang kabinet."),  # a teaser: dropped
        www(6): full_item(www(1)),  # a syndicated copy of www(1): duplicate
    }
    with caplog.at_level(logging.INFO, logger="tribun_crawler.extensions.report"):
        crawler, report = run(
            tmp_path,
            urls,
            items,
            {"TEST_CDN_MISSING_PATHS": ["/nasional/7731367/sidang-kabinet-paripurna-7"]},
            unreadable=[www(8)],
        )

    path, written = written_report(tmp_path)
    assert written == report
    assert written["finish_reason"] == "finished"
    assert written["pages"] == {"total": 8, "article": 7}  # robots.txt is not a page; the 404 is
    assert written["articles"] == 3
    # Read: the six items the spider yielded, whatever the pipelines did with them, and the unreadable page.
    assert written["articles_read"] == 7
    assert written["dropped"] == {"missing_date": 1, "short_body": 1}
    assert written["duplicates"] == {"url": 1}
    assert written["blocked_hosts"] == {}
    assert written["errors"] == {"http/404": 1, "unreadable/no-body": 1}
    assert written["coverage"]["headline"] == pytest.approx(6 / 7, abs=1e-4)
    assert written["coverage"]["articleBody"] == pytest.approx(6 / 7, abs=1e-4)
    assert written["coverage"]["datePublished"] == pytest.approx(5 / 7, abs=1e-4)
    assert written["coverage"]["keywords"] == pytest.approx(5 / 7, abs=1e-4)
    assert written["coverage"]["isBasedOn"] == 0.0
    assert written["coverage"]["isAccessibleForFree"] == pytest.approx(6 / 7, abs=1e-4)  # False counts too
    # The feed itself: every emitted article has a date (the pipeline saw to it), two of three have keywords.
    assert written["emitted_coverage"]["datePublished"] == 1.0
    assert written["emitted_coverage"]["keywords"] == pytest.approx(2 / 3, abs=1e-4)
    assert written["emitted_coverage"]["isBasedOn"] == 0.0
    assert written["exit_code"] == 5
    assert written["problems"] == [
        "only 71% of 7 articles read have datePublished (minimum 80%): has the page template changed?"
    ]
    assert written["stats"]["item_scraped_count"] == 3
    assert written["stats"]["tribun/fields/items"] == 6
    assert exit_code_of(crawler) == 5

    summary = [record for record in caplog.records if record.getMessage().startswith("Run report")]
    assert len(summary) == 1
    assert summary[0].levelno == logging.WARNING
    text = summary[0].getMessage()
    assert "Run report (finished, exit status 5)" in text
    assert "articles emitted: 3" in text
    assert "dropped: 2 (missing_date 1, short_body 1)" in text
    assert "coverage of 7 articles read: url 86%, articleId 86%, site 86%, headline 86%," in text
    assert "PROBLEM: only 71% of 7 articles read have datePublished" in text
    assert str(path) in text


def test_a_healthy_run_exits_0(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    urls = [www(n) for n in range(1, 4)]
    with caplog.at_level(logging.INFO, logger="tribun_crawler.extensions.report"):
        crawler, report = run(tmp_path, urls, {url: full_item(url) for url in urls})

    assert report is not None
    assert report["exit_code"] == 0
    assert report["problems"] == []
    assert exit_code_of(crawler) == 0
    _, written = written_report(tmp_path)
    assert written["articles_read"] == 3
    assert written["coverage"]["datePublished"] == 1.0
    assert written["emitted_coverage"]["datePublished"] == 1.0
    summary = [record for record in caplog.records if record.getMessage().startswith("Run report")]
    assert [record.levelno for record in summary] == [logging.INFO]


def test_pages_without_any_article_exit_4(tmp_path: Path) -> None:
    crawler, report = run(tmp_path, [www(n) for n in range(1, 4)], {})

    assert report is not None
    assert report["pages"] == {"total": 3, "article": 3}
    assert report["articles"] == 0
    assert report["articles_read"] == 0
    assert report["exit_code"] == 4
    assert report["problems"] == ["3 pages fetched but no article emitted or recognised"]
    assert exit_code_of(crawler) == 4


def test_no_new_article_is_not_a_broken_run(tmp_path: Path) -> None:
    # Every article was emitted by an earlier run: the duplicates explain the empty feed.
    urls = [www(n) for n in range(1, 4)]
    _, report = run(tmp_path, urls, {url: full_item(url) for url in urls}, {"TEST_KNOWN_URLS": urls})

    assert report is not None
    assert report["articles"] == 0
    assert report["duplicates"] == {"url": 3}
    assert report["exit_code"] == 0


def test_a_scheduled_run_with_nothing_new_exits_0(tmp_path: Path) -> None:
    # Every article fetched again within the recheck window, and unchanged: nothing new, nothing broken.
    urls = [www(n) for n in range(1, 4)]
    _, report = run(tmp_path, urls, {url: full_item(url) for url in urls}, {"TEST_UNCHANGED_URLS": urls})

    assert report is not None
    assert report["pages"] == {"total": 3, "article": 3}
    assert report["articles"] == 0
    assert report["articles_read"] == 3
    assert report["dropped"] == {"unchanged": 3}
    assert report["duplicates"] == {}
    assert report["skipped"] == {}
    assert report["problems"] == []
    assert report["exit_code"] == 0


def test_article_pages_all_unreadable_or_invalid_exit_4_even_with_known_articles_skipped(tmp_path: Path) -> None:
    # The template changed since the last run: the known articles are skipped unread, every new one fails.
    urls = [www(n) for n in range(1, 6)]
    items = {www(2): full_item(www(2), articleBody="Sidang kabinet paripurna di Istana.")}
    crawler, report = run(tmp_path, urls, items, unreadable=[www(1), www(3)], known=urls[3:])

    assert report is not None
    assert report["articles"] == 0
    assert report["articles_read"] == 3
    assert report["skipped"] == {"known": 2}
    assert report["exit_code"] == 4
    assert report["problems"][0] == (
        "3 pages fetched but no article emitted: of 3 articles read, 2 unreadable and 1 dropped as invalid"
    )
    # The coverage problems are listed too; the lowest status wins.
    assert "only 33% of 3 articles read have headline" in report["problems"][1]
    assert exit_code_of(crawler) == 4


def test_an_unchanged_recheck_explains_no_article_but_the_coverage_still_tells_the_template_change(
    tmp_path: Path,
) -> None:
    urls = [www(n) for n in range(1, 4)]
    _, report = run(tmp_path, urls, {www(1): full_item(www(1))}, {"TEST_UNCHANGED_URLS": [www(1)]}, unreadable=urls[1:])

    assert report is not None
    assert report["articles"] == 0
    assert report["dropped"] == {"unchanged": 1}
    assert report["coverage"]["articleBody"] == pytest.approx(1 / 3, abs=1e-4)
    assert report["exit_code"] == 5
    assert not any("no article emitted" in problem for problem in report["problems"])


def test_coverage_is_not_judged_on_a_few_articles(tmp_path: Path) -> None:
    _, report = run(tmp_path, [www(1), www(2)], {www(1): full_item(www(1)), www(2): full_item(www(2), headline=None)})

    assert report is not None
    assert report["articles_read"] == 2
    assert report["coverage"]["headline"] == 0.5
    assert report["exit_code"] == 0  # 2 articles read, TRIBUN_COVERAGE_MIN_ITEMS is 3


def test_a_blocked_run_exits_3(tmp_path: Path) -> None:
    urls = [www(n) for n in range(1, 6)]
    _, report = run(
        tmp_path,
        urls,
        {url: full_item(url) for url in urls},
        {
            "TEST_CDN_BLOCKED_HOSTS": ["www.tribunnews.com"],
            "ROBOTSTXT_OBEY": True,
            "DOWNLOADER_MIDDLEWARES": {BLOCKS: project_settings.DOWNLOADER_MIDDLEWARES[BLOCKS]},
            "TRIBUN_BLOCK_THRESHOLD": 2,
            "DOWNLOAD_DELAY": 0.01,
        },
    )

    assert report is not None
    assert report["finish_reason"] == "blocked"
    assert report["blocked_hosts"] == {"www.tribunnews.com": 1}
    assert report["block_dropped"] == {"www.tribunnews.com": 4}
    assert report["pages"] == {"total": 1}  # robots.txt is not a page
    assert report["errors"] == {"http/403": 2}  # but its 403 is an HTTP error like the article page's
    assert report["exit_code"] == 3
    assert report["problems"][0] == "closed as blocked: www.tribunnews.com refused the crawler"


def test_report_path_setting_when_no_feed_is_local(tmp_path: Path) -> None:
    urls = [www(1)]
    crawler, report = run(
        tmp_path,
        urls,
        {www(1): full_item(www(1))},
        {
            "FEEDS": {"stdout:": {"format": "jsonlines"}},
            "TRIBUN_REPORT_PATH": str(tmp_path / "reports" / "%(name)s-%(time)s.json"),
        },
    )

    assert local_feed_paths(crawler) == []
    written = list((tmp_path / "reports").glob(f"{ReportSpider.name}-*.json"))
    assert len(written) == 1
    assert json.loads(written[0].read_text(encoding="utf-8")) == report
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("feed", "report"),
    [
        ("data/tribun/2024-06-20T12-05-00.jsonl", "data/tribun/2024-06-20T12-05-00.stats.json"),
        ("data/tribun/2024-06-20T12-05-00.jsonl.gz", "data/tribun/2024-06-20T12-05-00.stats.json"),
        ("/srv/out/run.2024.csv", "/srv/out/run.2024.stats.json"),
        ("export", "export.stats.json"),
    ],
)
def test_report_path_for_feed(feed: str, report: str) -> None:
    assert report_path_for_feed(Path(feed)) == Path(report)


def test_progress_line_tells_articles_drops_duplicates_and_blocks(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(Spider, with_tribun_defaults({"LOGSTATS_INTERVAL": 60.0}))
    spider = Spider("tribun")
    for name, value in {
        "response_received_count": 120,
        "item_scraped_count": 40,
        "tribun/dropped/short_body": 3,
        "tribun/dropped/no_date": 2,
        "tribun/duplicates/syndicated": 7,
        "tribun/unreadable/no-body": 1,
        "downloader/response_status_count/404": 2,
        "tribun/blocked/banyumas.tribunnews.com": 1,
    }.items():
        crawler.stats.set_value(name, value)
    progress = ProgressLog.from_crawler(crawler)

    async def first_line() -> None:
        progress.spider_opened(spider)  # logs at once, then every LOGSTATS_INTERVAL
        progress.spider_closed(spider, "finished")

    with caplog.at_level(logging.INFO, logger="tribun_crawler.extensions.report"):
        asyncio.run(first_line())

    assert [record.getMessage() for record in caplog.records] == [
        "Crawled 120 pages (at 120 pages/min), emitted 40 articles (at 40 articles/min); dropped 5, "
        "duplicates 7, errors 3, blocked hosts 1"
    ]


def test_exit_code_without_report_or_close() -> None:
    assert exit_code_of(get_crawler(Spider, with_tribun_defaults({"EXTENSIONS": {}}))) == 0
    # Enabled, but the spider never closed: the run did not finish.
    assert exit_code_of(get_crawler(Spider, with_tribun_defaults({"EXTENSIONS": {REPORT: 100}}))) == 1


def test_project_settings_enable_the_report_and_the_command() -> None:
    assert project_settings.EXTENSIONS[REPORT] is not None
    assert project_settings.EXTENSIONS["scrapy.extensions.logstats.LogStats"] is None
    assert project_settings.EXTENSIONS["tribun_crawler.extensions.report.ProgressLog"] is not None
    assert project_settings.COMMANDS_MODULE == "tribun_crawler.commands"
    # Coverage is counted on what the spider yields, before any other spider middleware (Scrapy's are 50-900).
    assert project_settings.SPIDER_MIDDLEWARES[COVERAGE] > 900


# --- `scrapy crawl` in a process of its own -------------------------------------------------------------------

PROBE_SETTINGS = f"""
from tribun_crawler import settings as _project

# The defaults of the project's own settings (its components read them without a fallback), no component.
globals().update({{name: value for name, value in vars(_project).items() if name.startswith("TRIBUN_")}})
BOT_NAME = "probe"
SPIDER_MODULES = ["tests.local_crawl"]
COMMANDS_MODULE = "tribun_crawler.commands"
EXTENSIONS = {{"{REPORT}": 100}}
DOWNLOADER_MIDDLEWARES = {{"{BLOCKS}": 950}}
SPIDER_MIDDLEWARES = {{"{COVERAGE}": 950}}
DOWNLOAD_HANDLERS = {{"https": "tests.local_crawl.TribunCdn"}}
ROBOTSTXT_OBEY = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TELNETCONSOLE_ENABLED = False
TRIBUN_BLOCK_THRESHOLD = 2
TRIBUN_COVERAGE_MIN_ITEMS = 1
"""


def scrapy_crawl(tmp_path: Path, *args: str, settings: str = PROBE_SETTINGS) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl articles`` with the probe settings, from a folder outside the project (no scrapy.cfg)."""
    (tmp_path / "probe_settings.py").write_text(settings, encoding="utf-8")
    env = {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "probe_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)]),
    }
    urls = ",".join(www(n) for n in range(1, 4))
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "articles", "-a", f"urls={urls}", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["-a", "read_pages=1"], 0),
        ([], 4),
        (["-a", "read_pages=1", "-s", "TEST_CDN_BLOCKED_HOSTS=www.tribunnews.com"], 3),
    ],
    ids=["healthy", "no-articles", "blocked"],
)
def test_scrapy_crawl_exits_with_the_run_status(tmp_path: Path, args: list[str], status: int) -> None:
    result = scrapy_crawl(tmp_path, *args, "-O", str(tmp_path / "out.jsonl"))

    assert result.returncode == status, result.stderr[-3000:]
    assert f"exit status {status})" in result.stderr
    report = json.loads((tmp_path / "out.stats.json").read_text(encoding="utf-8"))
    assert report["exit_code"] == status


def test_scrapy_crawl_usage_errors_keep_scrapys_status(tmp_path: Path) -> None:
    result = scrapy_crawl(tmp_path, "no-such-argument-value-is-fine", "extra-spider")

    assert result.returncode == 2


def _empty_run(**stats: int) -> Run:
    return Run.of({"finish_reason": "finished", "response_received_count": 2, stat.PAGES("home"): 2, **stats})


def test_a_worker_whose_articles_the_other_workers_took_is_healthy() -> None:
    # Two workers share a run: one read only listings, and the shared dupefilter gave every article to the other.
    settings = get_crawler(Spider, with_tribun_defaults()).settings
    assert no_articles(_empty_run(**{stat.DISTRIBUTED_FILTERED: 5}), settings) == []
    assert no_articles(_empty_run(), settings) == [
        Finding("no_articles", EXIT_NO_ARTICLES, "2 pages fetched but no article emitted or recognised")
    ]


# --- Exit status per finish reason ----------------------------------------------------------------------------


def _finished_run(reason: str, articles: int, **changes: Any) -> Run:
    """The run the checks read, for a run of 3 article pages that emitted ``articles`` of them."""
    run = Run(
        reason=reason,
        pages=3,
        page_kinds={"article": 3},
        articles=articles,
        articles_read=articles,
        blocked_hosts={"www.tribunnews.com": 1} if reason == "blocked" else {},
        errors={"spider/ValueError": 2} if reason == "closespider_errorcount" else {},
        filled={"headline": articles, "articleBody": articles, "datePublished": articles},
    )
    return dataclasses.replace(run, **changes)


def judge(crawler: Crawler, run: Run) -> tuple[int, list[str]]:
    """The exit status and the problems RunReport makes of the checks' findings."""
    findings = run_checks(run, crawler.settings)
    return exit_code(findings), [finding.message for finding in findings]


@pytest.mark.parametrize(
    ("reason", "articles", "status", "problem"),
    [
        ("finished", 3, 0, None),
        ("finished", 0, 4, "3 pages fetched but no article emitted or recognised"),
        # Limits the operator set: reaching one is no failure, but a run that emitted nothing still is.
        ("closespider_itemcount", 3, 0, None),
        ("closespider_pagecount", 3, 0, None),
        ("closespider_pagecount", 0, 4, "3 pages fetched but no article emitted or recognised"),
        ("closespider_timeout", 3, 0, None),
        ("closespider_timeout", 0, 4, "3 pages fetched but no article emitted or recognised"),
        ("blocked", 3, 3, "closed as blocked: www.tribunnews.com refused the crawler"),
        ("network_down", 0, 6, "network unreachable"),
        # Cut short: what was emitted is not judged, an interrupted run with no article yet is interrupted.
        ("shutdown", 3, 7, "interrupted by a shutdown before the end: the next run fetches what is left"),
        ("shutdown", 0, 7, "interrupted by a shutdown before the end: the next run fetches what is left"),
        (
            "closespider_errorcount",
            3,
            8,
            "too many errors: closed on reaching CLOSESPIDER_ERRORCOUNT (2); errors: 2 (spider/ValueError 2)",
        ),
        ("closespider_timeout_no_item", 3, 4, "no article emitted for 60 s (CLOSESPIDER_TIMEOUT_NO_ITEM): closed"),
        (
            "closespider_pagecount_no_item",
            0,
            4,
            "no article emitted in 50 pages (CLOSESPIDER_PAGECOUNT_NO_ITEM): closed",
        ),
        ("cancelled", 3, 1, "closed for an unknown reason: cancelled"),
        ("spider_gave_up", 3, 1, "closed for an unknown reason: spider_gave_up"),
    ],
)
def test_exit_status_per_finish_reason(reason: str, articles: int, status: int, problem: str | None) -> None:
    crawler = get_crawler(
        Spider,
        with_tribun_defaults(
            {
                "EXTENSIONS": {REPORT: 100},
                "CLOSESPIDER_ERRORCOUNT": 2,
                "CLOSESPIDER_TIMEOUT_NO_ITEM": 60,
                "CLOSESPIDER_PAGECOUNT_NO_ITEM": 50,
            }
        ),
    )
    code, problems = judge(crawler, _finished_run(reason, articles))

    assert code == status
    assert problems == ([] if problem is None else [problem])


def test_the_lowest_of_blocked_no_articles_and_coverage_wins() -> None:
    crawler = get_crawler(Spider, with_tribun_defaults({"EXTENSIONS": {REPORT: 100}, "TRIBUN_COVERAGE_MIN_ITEMS": 1}))
    report = _finished_run("finished", 3, filled={"headline": 3, "articleBody": 1, "datePublished": 3})
    assert judge(crawler, report)[0] == 5
    blocked = _finished_run("blocked", 0)
    code, problems = judge(crawler, blocked)
    assert code == 3
    assert len(problems) == 2  # blocked, and no articles


class FailingSpider(ReportSpider):
    """ReportSpider whose pages in ``failing`` raise in the callback; ``close_reason`` closes the spider from a
    callback with a reason of the spider's own."""

    name = "failing_articles"

    def __init__(self, failing: list[str] | None = None, close_reason: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failing = set(failing or [])
        self.close_reason = close_reason

    def parse(self, response: Response) -> Iterator[Any]:
        if self.close_reason:
            raise CloseSpider(self.close_reason)
        if response.url in self.failing:
            raise ValueError(f"cannot read {response.url}")
        yield from super().parse(response)


def run_failing(tmp_path: Path, settings: dict[str, Any], **spider_args: Any) -> dict[str, Any]:
    urls = [www(n) for n in range(1, 6)]
    crawler = make_crawler(
        FailingSpider,
        {
            **CDN_SETTINGS,
            "ITEM_PIPELINES": {"tests.test_report.CountingPipeline": 300},
            "EXTENSIONS": {REPORT: 100},
            "FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonlines"}},
            **settings,
        },
    )
    asyncio.run(crawler.crawl_async(urls=urls, items={url: full_item(url) for url in urls}, **spider_args))
    report = crawler.get_extension(RunReport)
    assert report is not None
    assert report.report is not None
    assert exit_code_of(crawler) == report.report["exit_code"]
    return report.report


# Scrapy's CloseSpider extension, for real: the finish reasons the mapping above expects are the ones it sends.


def test_an_item_count_limit_reached_exits_0(tmp_path: Path) -> None:
    report = run_failing(tmp_path, {"CLOSESPIDER_ITEMCOUNT": 2, "CONCURRENT_REQUESTS": 1})

    assert report["finish_reason"] == "closespider_itemcount"
    assert report["articles"] >= 2
    assert (report["exit_code"], report["problems"]) == (0, [])


def test_a_page_count_limit_reached_with_no_article_exits_4(tmp_path: Path) -> None:
    # Requests are left queued, but every page read failed: the limit does not explain the empty run.
    urls = [www(n) for n in range(1, 6)]
    report = run_failing(tmp_path, {"CLOSESPIDER_PAGECOUNT": 2, "CONCURRENT_REQUESTS": 1}, failing=urls)

    assert report["finish_reason"] == "closespider_pagecount"
    assert report["articles"] == 0
    assert report["exit_code"] == 4


def test_a_time_limit_reached_exits_0(tmp_path: Path) -> None:
    # One page every 0.4 s: the 1 s limit comes before the fifth (Scrapy's close still downloads the rest).
    report = run_failing(tmp_path, {"CLOSESPIDER_TIMEOUT": 1, "DOWNLOAD_DELAY": 0.4, "DOWNLOAD_DELAY_JITTER": 0})

    assert report["finish_reason"] == "closespider_timeout"
    assert report["articles"] > 0
    assert (report["exit_code"], report["problems"]) == (0, [])


def test_too_many_errors_exits_8(tmp_path: Path) -> None:
    urls = [www(n) for n in range(1, 6)]
    report = run_failing(tmp_path, {"CLOSESPIDER_ERRORCOUNT": 2, "CONCURRENT_REQUESTS": 1}, failing=urls)

    assert report["finish_reason"] == "closespider_errorcount"
    assert report["exit_code"] == 8
    # Scrapy closes on the second error; the pages already downloaded are still parsed, and may fail too.
    errors = report["errors"]["spider/ValueError"]
    assert errors >= 2
    assert report["problems"] == [
        f"too many errors: closed on reaching CLOSESPIDER_ERRORCOUNT (2); errors: {errors} (spider/ValueError {errors})"
    ]


def test_a_reason_of_the_spiders_own_exits_1(tmp_path: Path) -> None:
    report = run_failing(tmp_path, {}, close_reason="gave_up")

    assert report["finish_reason"] == "gave_up"
    assert report["exit_code"] == 1
    assert report["problems"] == ["closed for an unknown reason: gave_up"]


@pytest.mark.parametrize(("fallback", "status"), [(0, 0), (1, 0), (2, 0), (3, 5), (12, 5)])
def test_articles_read_by_the_body_fallback_are_named_and_many_of_them_exit_5(fallback: int, status: int) -> None:
    """A template the extractor does not know costs precision, not the article: the report says how many were
    read from the densest text block, and beyond 1 - TRIBUN_MIN_COVERAGE of the articles read the run exits 5."""
    crawler = get_crawler(Spider, with_tribun_defaults({"EXTENSIONS": {REPORT: 100}}))
    report = _finished_run("finished", 12, articles_read=12, extract_fallback=fallback)
    code, problems = judge(crawler, report)
    assert code == status
    named = [p for p in problems if "densest text block" in p]
    assert len(named) == (1 if fallback else 0)
    if fallback:
        assert f"{fallback} of 12 articles read" in named[0]


def test_discovery_pages_unchanged_since_a_finished_run_explain_a_run_with_nothing_new() -> None:
    # Every hub answered 304 and was not read again (middlewares/discovery.py): pages fetched, nothing to emit.
    settings = get_crawler(Spider, with_tribun_defaults()).settings
    assert no_articles(_empty_run(**{stat.DISCOVERY_NOT_MODIFIED: 12}), settings) == []
    assert no_articles(_empty_run(**{stat.DISCOVERY_SITEMAP_UNCHANGED: 3}), settings) == []
    assert no_articles(_empty_run(), settings) != []


def test_a_sitemap_name_a_host_does_not_publish_is_no_http_error() -> None:
    stats = {
        "downloader/response_status_count/200": 40,
        "downloader/response_status_count/404": 3,
        "downloader/response_status_count/410": 1,
        stat.SITEMAP_ABSENT: 3,
        stat.SITEMAP_ABSENT_STATUS(404): 2,
        stat.SITEMAP_ABSENT_STATUS(410): 1,
    }
    # Of the three 404s, two were sitemap names looked for; the third, a page that is gone, is an error.
    assert error_counts(stats) == {"http/404": 1}
