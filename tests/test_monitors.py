"""Spidermon's monitors of a crawl (tribun_crawler/monitors.py): each close monitor on healthy and bad stats, the
periodic suite's interval, the monitors' results in the run report, and the Discord alert sent to a local endpoint.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

from tests.conftest import with_tribun_defaults
from tests.local_crawl import CDN_SETTINGS
from tests.test_report import COVERAGE, PROBE_SETTINGS, REPORT, ReportSpider, full_item, scrapy_crawl, www
from tribun_crawler import settings as project_settings
from tribun_crawler import stats as stat
from tribun_crawler.extensions.report import EXIT_LOW_COVERAGE, RunReport
from tribun_crawler.monitors import CloseMonitors, MonitorInterval, PeriodicMonitors, monitor_results

SPIDERMON = "spidermon.contrib.scrapy.extensions.Spidermon"
CLOSE_SUITE = "tribun_crawler.monitors.CloseMonitors"
PERIODIC_SUITE = "tribun_crawler.monitors.PeriodicMonitors"

HEALTHY: dict[str, Any] = {
    "finish_reason": "finished",
    "item_scraped_count": 20,
    "response_received_count": 22,
    stat.PAGES("article"): 20,
    stat.PAGES("section"): 2,
    stat.FIELDS_ITEMS: 20,
    stat.FIELDS("headline"): 20,
    stat.FIELDS("articleBody"): 20,
    stat.FIELDS("datePublished"): 19,
    stat.FAILED("http/404"): 1,
}


def run_suite(suite_class: type[CloseMonitors], stats: dict[str, Any], **settings: Any) -> dict[str, dict[str, Any]]:
    """Run ``suite_class`` on ``stats`` as Spidermon's extension does; each monitor's result by its name."""
    crawler = get_crawler(Spider, with_tribun_defaults(settings))
    spider = Spider("tribun")
    runner = SpiderMonitorRunner(spider=spider)
    runner.run(
        suite_class(crawler=crawler),
        stats=stats,
        stats_history=[],
        crawler=crawler,
        spider=spider,
        sc_spider_name=spider.name,
        job=None,
    )
    return {result["name"]: result for result in monitor_results(runner.result)}


def failed(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: result["message"] for name, result in results.items() if result["status"] != "passed"}


def test_every_close_monitor_passes_on_a_healthy_run() -> None:
    results = run_suite(CloseMonitors, HEALTHY)

    assert set(results) == {
        "ArticlesMonitor/test_articles_emitted",
        "CoverageMonitor/test_field_coverage",
        "FailedPagesMonitor/test_failed_pages_ratio",
        "BlockedHostsMonitor/test_no_blocked_host",
        "FinishReasonMonitor/test_finish_reason",
    }
    assert failed(results) == {}


@pytest.mark.parametrize(
    ("bad", "monitor", "message"),
    [
        (
            {"item_scraped_count": 0},
            "ArticlesMonitor/test_articles_emitted",
            "22 pages fetched but no article emitted or recognised",
        ),
        (
            {stat.FIELDS("datePublished"): 10},
            "CoverageMonitor/test_field_coverage",
            "only 50% of 20 articles read have datePublished (minimum 80%): has the page template changed?",
        ),
        (
            # Unreadable article pages count as articles read without any field, as in the run report.
            {stat.UNREADABLE("no-body"): 5},
            "CoverageMonitor/test_field_coverage",
            "only 76% of 25 articles read have datePublished (minimum 80%): has the page template changed?",
        ),
        (
            {stat.FAILED("download/TimeoutError"): 9},
            "FailedPagesMonitor/test_failed_pages_ratio",
            "10 of 32 pages failed (31%, maximum 20%): download/TimeoutError 9, http/404 1",
        ),
        (
            {stat.BLOCKED("jateng.tribunnews.com"): 2},
            "BlockedHostsMonitor/test_no_blocked_host",
            "1 hosts blocked the crawler: jateng.tribunnews.com (2 blocks)",
        ),
        (
            {"finish_reason": "shutdown"},
            "FinishReasonMonitor/test_finish_reason",
            "interrupted by a shutdown before the end: the next run fetches what is left",
        ),
    ],
    ids=["articles", "coverage", "coverage-unreadable", "failed-ratio", "blocked", "finish-reason"],
)
def test_each_close_monitor_fails_on_bad_stats_naming_the_numbers(
    bad: dict[str, Any], monitor: str, message: str
) -> None:
    assert failed(run_suite(CloseMonitors, {**HEALTHY, **bad})) == {monitor: message}


def test_a_run_with_nothing_new_has_its_articles_found_again() -> None:
    stats = {**HEALTHY, "item_scraped_count": 0, stat.DUPLICATES("url"): 3, stat.SKIPPED("known"): 40}
    assert failed(run_suite(CloseMonitors, stats)) == {}


@pytest.mark.parametrize("name", [stat.DISCOVERY_NOT_MODIFIED, stat.DISCOVERY_SITEMAP_UNCHANGED])
def test_a_run_whose_discovery_pages_were_unchanged_is_healthy(name: str) -> None:
    # Every hub answered 304 after a finished run read it (middlewares/discovery.py): nothing new to find.
    stats = {"finish_reason": "finished", "response_received_count": 1, stat.PAGES("home"): 1, name: 12}
    assert failed(run_suite(CloseMonitors, stats)) == {}
    assert list(failed(run_suite(CloseMonitors, {**stats, name: 0}))) == ["ArticlesMonitor/test_articles_emitted"]


def test_pages_answered_not_modified_count_among_the_pages_asked_for() -> None:
    # 20 hubs unchanged (304, not read again), one failed: 1 of 21 asked for, not 1 of 1.
    stats = {"finish_reason": "finished", stat.DISCOVERY_NOT_MODIFIED: 20, stat.FAILED("http/503"): 1}
    assert failed(run_suite(CloseMonitors, stats)) == {}
    assert list(failed(run_suite(CloseMonitors, {**stats, stat.DISCOVERY_NOT_MODIFIED: 0}))) == [
        "FailedPagesMonitor/test_failed_pages_ratio"
    ]


def test_thresholds_are_settings() -> None:
    stats = {**HEALTHY, stat.FAILED("http/404"): 9}
    assert failed(run_suite(CloseMonitors, stats, TRIBUN_MAX_FAILED_RATIO=0.5)) == {}
    assert list(failed(run_suite(CloseMonitors, stats))) == ["FailedPagesMonitor/test_failed_pages_ratio"]
    few = {**HEALTHY, stat.FIELDS_ITEMS: 4, stat.FIELDS("datePublished"): 1}
    assert failed(run_suite(CloseMonitors, few)) == {}  # coverage is judged from TRIBUN_COVERAGE_MIN_ITEMS on
    assert list(failed(run_suite(CloseMonitors, few, TRIBUN_COVERAGE_MIN_ITEMS=4))) == [
        "CoverageMonitor/test_field_coverage"
    ]


def test_the_periodic_suite_watches_field_coverage() -> None:
    results = run_suite(PeriodicMonitors, {**HEALTHY, stat.FIELDS("headline"): 2})
    assert failed(results) == {
        "CoverageMonitor/test_field_coverage": (
            "only 10% of 20 articles read have headline (minimum 80%): has the page template changed?"
        )
    }


def test_project_settings_enable_spidermon_with_both_suites() -> None:
    assert project_settings.SPIDERMON_ENABLED is True
    assert project_settings.EXTENSIONS[SPIDERMON] < project_settings.EXTENSIONS[REPORT]
    assert project_settings.SPIDERMON_SPIDER_CLOSE_MONITORS == [CLOSE_SUITE]
    assert project_settings.SPIDERMON_PERIODIC_MONITORS == {PERIODIC_SUITE: 600.0}
    assert "tribun_crawler.monitors.MonitorInterval" in project_settings.ADDONS


@pytest.mark.parametrize(("given", "interval"), [({}, 600.0), ({"TRIBUN_MONITOR_INTERVAL": "42"}, 42.0)])
def test_the_periodic_suite_is_registered_with_the_interval(given: dict[str, str], interval: float) -> None:
    settings = Settings(
        with_tribun_defaults({"SPIDERMON_PERIODIC_MONITORS": project_settings.SPIDERMON_PERIODIC_MONITORS})
    )
    settings.setdict(given, priority="cmdline")  # -s TRIBUN_MONITOR_INTERVAL=42

    MonitorInterval().update_settings(settings)

    assert settings.getdict("SPIDERMON_PERIODIC_MONITORS") == {PERIODIC_SUITE: interval}
    crawler = get_crawler(
        Spider, {"SPIDERMON_ENABLED": True, "SPIDERMON_PERIODIC_MONITORS": {PERIODIC_SUITE: interval}}
    )
    assert Spidermon.from_crawler(crawler).periodic_suites == {PERIODIC_SUITE: interval}


def test_without_a_reactor_the_periodic_suite_is_left_out() -> None:
    crawler = get_crawler(
        Spider,
        with_tribun_defaults(
            {
                "SPIDERMON_ENABLED": True,
                "SPIDERMON_PERIODIC_MONITORS": project_settings.SPIDERMON_PERIODIC_MONITORS,
                "ADDONS": {"tribun_crawler.monitors.MonitorInterval": 0},
            }
        ),
    )
    assert crawler.settings.getbool("TWISTED_REACTOR_ENABLED") is False  # the tests' in-process crawls
    assert Spidermon.from_crawler(crawler).periodic_suites == {}


# --- A crawl, its report and its Discord alert ------------------------------------------------------------------


class FakeDiscord:
    """A Discord webhook on 127.0.0.1: records the JSON body of every POST."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                posts.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/webhooks/1/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeDiscord:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    with FakeDiscord() as fake:
        yield fake


def crawl(tmp_path: Path, items: dict[str, Any], **settings: Any) -> Crawler:
    """A crawl of the in-memory CDN with the report and Spidermon's project suites (the periodic one aside)."""
    crawler = get_crawler(
        ReportSpider,
        with_tribun_defaults(
            {
                **CDN_SETTINGS,
                "LOG_LEVEL": "INFO",
                "SPIDER_MIDDLEWARES": {COVERAGE: project_settings.SPIDER_MIDDLEWARES[COVERAGE]},
                "EXTENSIONS": {SPIDERMON: project_settings.EXTENSIONS[SPIDERMON], REPORT: 100},
                "SPIDERMON_ENABLED": True,
                "SPIDERMON_SPIDER_CLOSE_MONITORS": project_settings.SPIDERMON_SPIDER_CLOSE_MONITORS,
                "FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonlines"}},
                "TRIBUN_COVERAGE_MIN_ITEMS": 3,
                **settings,
            }
        ),
    )
    asyncio.run(crawler.crawl_async(urls=list(items), items=items))
    return crawler


def test_failed_coverage_sends_one_discord_message_naming_spider_monitor_field_and_numbers(
    tmp_path: Path, discord: FakeDiscord
) -> None:
    urls = [www(n) for n in range(1, 5)]
    items = {
        url: full_item(url, datePublished=None if n < 3 else "2025-11-03T08:15:00+07:00") for n, url in enumerate(urls)
    }

    crawler = crawl(tmp_path, items, SPIDERMON_DISCORD_WEBHOOK_URL=discord.url)

    assert len(discord.posts) == 1
    content = discord.posts[0]["content"]
    assert "report_articles" in content
    assert "CoverageMonitor/test_field_coverage" in content
    assert "only 25% of 4 articles read have datePublished (minimum 80%)" in content
    # The monitor and the exit status tell the same verdict: the report's, which lists the monitors' results.
    report = crawler.get_extension(RunReport)
    assert report is not None
    assert report.report is not None
    assert report.exit_code == EXIT_LOW_COVERAGE
    statuses = {result["name"]: result["status"] for result in report.report["monitors"]}
    assert statuses["CoverageMonitor/test_field_coverage"] == "failed"
    assert statuses["FinishReasonMonitor/test_finish_reason"] == "passed"
    written = json.loads((tmp_path / "out.stats.json").read_text(encoding="utf-8"))
    assert written["monitors"] == report.report["monitors"]


def test_a_healthy_crawl_sends_no_alert(tmp_path: Path, discord: FakeDiscord) -> None:
    urls = [www(n) for n in range(1, 5)]
    crawler = crawl(tmp_path, {url: full_item(url) for url in urls}, SPIDERMON_DISCORD_WEBHOOK_URL=discord.url)

    assert discord.posts == []
    report = crawler.get_extension(RunReport)
    assert report is not None
    assert report.report is not None
    assert {result["status"] for result in report.report["monitors"]} == {"passed"}
    assert report.exit_code == 0


def test_no_webhook_no_alert_action() -> None:
    crawler = get_crawler(Spider, with_tribun_defaults())
    assert CloseMonitors(crawler=crawler).monitors_failed_actions == []


def test_scrapy_crawl_runs_the_periodic_and_close_monitors_agreeing_with_the_exit_status(tmp_path: Path) -> None:
    """A real ``scrapy crawl`` (with its asyncio reactor): the periodic suite runs during the crawl, the close
    suite at the end; a time limit the operator set is no failure, for the monitors as for the exit status."""
    probe = PROBE_SETTINGS.replace(
        f'EXTENSIONS = {{"{REPORT}": 100}}',
        f'EXTENSIONS = {{"{SPIDERMON}": 50, "{REPORT}": 100}}\n'
        "SPIDERMON_ENABLED = True\n"
        f"SPIDERMON_SPIDER_CLOSE_MONITORS = {project_settings.SPIDERMON_SPIDER_CLOSE_MONITORS!r}\n"
        f"SPIDERMON_PERIODIC_MONITORS = {project_settings.SPIDERMON_PERIODIC_MONITORS!r}\n"
        'ADDONS = {"tribun_crawler.monitors.MonitorInterval": 0}\n'
        "DOWNLOAD_DELAY = 1.0\n",
    )
    assert SPIDERMON in probe
    result = scrapy_crawl(
        tmp_path,
        "-a",
        "read_pages=1",
        "-s",
        "TRIBUN_MONITOR_INTERVAL=0.2",
        "-s",
        "CLOSESPIDER_TIMEOUT=1.5",
        "-O",
        str(tmp_path / "out.jsonl"),
        settings=probe,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if " ERROR: " in line]
    assert errors == []
    # Periodic runs of the coverage monitor alone, then the close suite (5 monitors) once.
    assert result.stderr.count("CoverageMonitor/test_field_coverage... OK") >= 2, result.stderr[-3000:]
    assert result.stderr.count("FinishReasonMonitor/test_finish_reason... OK") == 1
    report = json.loads((tmp_path / "out.stats.json").read_text(encoding="utf-8"))
    assert report["finish_reason"] == "closespider_timeout"
    assert (report["exit_code"], report["problems"]) == (0, [])
    assert len(report["monitors"]) == 5
    assert {m["status"] for m in report["monitors"]} == {"passed"}
