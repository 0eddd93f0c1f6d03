"""The run checks (tribun_crawler/checks.py): every exit status comes from the check named for it, a notice never
hides a failure, the monitors fail on the same findings, and the exit status does not depend on Spidermon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.utils.test import get_crawler

from tests.conftest import with_tribun_defaults
from tests.test_monitors import HEALTHY, CloseMonitors, crawl, failed, run_suite
from tests.test_report import full_item, www
from tribun_crawler import stats as stat
from tribun_crawler.checks import (
    CHECKS,
    EXIT_BLOCKED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOW_COVERAGE,
    EXIT_NETWORK_DOWN,
    EXIT_NO_ARTICLES,
    EXIT_OK,
    EXIT_REDIS_DOWN,
    EXIT_TOO_MANY_ERRORS,
    Finding,
    Run,
    exit_code,
    problems,
    run_checks,
    wilson_upper,
)
from tribun_crawler.extensions.report import RunReport


def settings(**given: Any) -> BaseSettings:
    return get_crawler(Spider, with_tribun_defaults(given)).settings


def healthy(reason: str = "finished", **stats: Any) -> Run:
    return Run.of({**HEALTHY, "finish_reason": reason, **stats})


@pytest.mark.parametrize(
    ("run", "check", "code"),
    [
        (healthy("network_down"), "finish_reason", EXIT_NETWORK_DOWN),
        (healthy("shutdown"), "finish_reason", EXIT_INTERRUPTED),
        (healthy("closespider_errorcount"), "finish_reason", EXIT_TOO_MANY_ERRORS),
        (healthy("redis_down"), "finish_reason", EXIT_REDIS_DOWN),
        (healthy("closespider_timeout_no_item"), "finish_reason", EXIT_NO_ARTICLES),
        (healthy("closespider_pagecount_no_item"), "finish_reason", EXIT_NO_ARTICLES),
        (healthy("cancelled"), "finish_reason", EXIT_FAILED),
        (healthy("blocked", **{stat.BLOCKED("www.tribunnews.com"): 3}), "blocked", EXIT_BLOCKED),
        (healthy(item_scraped_count=0), "no_articles", EXIT_NO_ARTICLES),
        (healthy(**{stat.FIELDS("headline"): 2}), "coverage", EXIT_LOW_COVERAGE),
        (healthy(**{stat.EXTRACT_FALLBACK: 10}), "coverage", EXIT_LOW_COVERAGE),
    ],
    ids=[
        "6-network",
        "7-interrupted",
        "8-errors",
        "9-redis-down",
        "4-timeout-no-item",
        "4-pagecount-no-item",
        "1-unknown",
        "3-blocked",
        "4-no-articles",
        "5-coverage",
        "5-body-fallback",
    ],
)
def test_each_exit_status_comes_from_the_check_named_for_it(run: Run, check: str, code: int) -> None:
    findings = run_checks(run, settings())
    assert exit_code(findings) == code
    assert {finding.check for finding in findings if finding.exit_code != EXIT_OK} == {check}


def test_a_healthy_run_has_no_finding_and_exits_0() -> None:
    assert run_checks(healthy(), settings()) == []
    assert exit_code([]) == EXIT_OK


@pytest.mark.parametrize(
    ("run", "check", "alert", "problem"),
    [
        # A notice of the report: listed under problems, no alert.
        (healthy(**{stat.EXTRACT_FALLBACK: 1}), "coverage", False, True),
        # Alerts only: the monitor fails, the report's problems leave them out.
        (healthy(**{stat.BLOCKED("jateng.tribunnews.com"): 2}), "blocked", True, False),
        (healthy(**{stat.FAILED("download/TimeoutError"): 9}), "failed_pages", True, False),
    ],
    ids=["few-fallbacks", "some-hosts-blocked", "failed-ratio"],
)
def test_informational_findings_exit_0(run: Run, check: str, alert: bool, problem: bool) -> None:
    findings = run_checks(run, settings())
    assert [(finding.check, finding.exit_code) for finding in findings] == [(check, EXIT_OK)]
    assert (findings[0].alert, findings[0].problem) == (alert, problem)
    assert exit_code(findings) == EXIT_OK
    assert problems(findings) == ([findings[0].message] if problem else [])


def test_a_notice_never_hides_a_failure() -> None:
    run = healthy(**{stat.FIELDS("headline"): 2, stat.FAILED("download/TimeoutError"): 9, stat.EXTRACT_FALLBACK: 1})
    findings = run_checks(run, settings())
    assert [finding.exit_code for finding in findings] == [EXIT_LOW_COVERAGE, EXIT_OK, EXIT_OK]
    assert exit_code(findings) == EXIT_LOW_COVERAGE
    assert problems(findings) == [
        "only 10% of 20 articles read have headline (minimum 80%): has the page template changed?",
        "1 of 20 articles read had their body read from the page's densest text block",
    ]


def test_the_checks_run_in_the_report_order() -> None:
    assert [check.__name__ for check in CHECKS] == [
        "finish_reason",
        "blocked",
        "no_articles",
        "field_coverage",
        "failed_pages",
    ]


def test_a_run_cut_short_is_judged_by_its_reason_alone() -> None:
    run = healthy("shutdown", item_scraped_count=0, **{stat.FIELDS("headline"): 0})
    assert run_checks(run, settings()) == [
        Finding(
            "finish_reason",
            EXIT_INTERRUPTED,
            "interrupted by a shutdown before the end: the next run fetches what is left",
        )
    ]


def test_the_coverage_monitor_does_not_alert_on_a_few_body_fallbacks_but_fails_on_many() -> None:
    assert failed(run_suite(CloseMonitors, {**HEALTHY, stat.EXTRACT_FALLBACK: 1})) == {}
    assert failed(run_suite(CloseMonitors, {**HEALTHY, stat.EXTRACT_FALLBACK: 10})) == {
        "CoverageMonitor/test_field_coverage": (
            "10 of 20 articles read had their body read from the page's densest text block, not from the known "
            "body container: has the page template changed?"
        )
    }


def test_a_monitor_fails_with_the_messages_of_the_report() -> None:
    stats = {**HEALTHY, "finish_reason": "blocked", stat.BLOCKED("www.tribunnews.com"): 3, "item_scraped_count": 0}
    findings = run_checks(Run.of(stats), settings())
    assert failed(run_suite(CloseMonitors, stats)) == {
        "BlockedHostsMonitor/test_no_blocked_host": "closed as blocked: www.tribunnews.com refused the crawler",
        "ArticlesMonitor/test_articles_emitted": "22 pages fetched but no article emitted or recognised",
    }
    assert [finding.message for finding in findings] == [
        "closed as blocked: www.tribunnews.com refused the crawler",
        "22 pages fetched but no article emitted or recognised",
    ]


@pytest.mark.parametrize("spidermon", [True, False])
def test_the_exit_status_does_not_depend_on_spidermon(tmp_path: Path, spidermon: bool) -> None:
    urls = [www(n) for n in range(1, 5)]
    items = {
        url: full_item(url, datePublished=None if n < 3 else "2025-11-03T08:15:00+07:00") for n, url in enumerate(urls)
    }

    crawler = crawl(tmp_path, items, SPIDERMON_ENABLED=spidermon)

    report = crawler.get_extension(RunReport)
    assert report is not None
    assert report.report is not None
    assert report.exit_code == EXIT_LOW_COVERAGE
    assert report.report["problems"] == [
        "www.tribunnews.com: only 25% of 4 articles read have datePublished (minimum 80%): "
        "has the page template changed?"
    ]
    statuses = {result["name"]: result["status"] for result in report.report["monitors"]}
    if spidermon:
        assert statuses["CoverageMonitor/test_field_coverage"] == "failed"
        assert {name for name, status in statuses.items() if status != "passed"} == {
            "CoverageMonitor/test_field_coverage"
        }
    else:
        assert statuses == {}


# --- Coverage per host ---------------------------------------------------------------------------------------

WATCHED = ("headline", "articleBody", "datePublished")


def network_stats(hosts: dict[str, tuple[int, dict[str, int], int]]) -> dict[str, Any]:
    """The stats of a finished run over ``hosts``: per host (articles read, missing per watched field, fallbacks),
    with the run's own counters their sums, as FieldCoverageMiddleware and the spider count them."""
    stats: dict[str, Any] = {"finish_reason": "finished"}
    total = 0
    for host, (read, missing, fallbacks) in hosts.items():
        total += read
        stats[stat.HOST_FIELDS(host, "items")] = read
        for name in WATCHED:
            filled = read - missing.get(name, 0)
            stats[stat.HOST_FIELDS(host, name)] = filled
            stats[stat.FIELDS(name)] = stats.get(stat.FIELDS(name), 0) + filled
        if fallbacks:
            stats[stat.HOST_FIELDS(host, "body_fallback")] = fallbacks
            stats[stat.EXTRACT_FALLBACK] = stats.get(stat.EXTRACT_FALLBACK, 0) + fallbacks
    stats.update(
        {
            stat.FIELDS_ITEMS: total,
            "item_scraped_count": total,
            "response_received_count": total,
            stat.PAGES("article"): total,
        }
    )
    return stats


REGIONAL = [f"{name}.tribunnews.com" for name in ("banyumas", "jateng", "makassar", "medan", "jogja")]


def test_one_host_of_many_losing_its_body_fails_coverage_naming_host_and_field() -> None:
    # Nine hosts read well and one (jateng) lost every body: 90 % for the run, above the minimum.
    hosts = {f"host{n}.tribunnews.com": (20, {}, 0) for n in range(9)}
    hosts["jateng.tribunnews.com"] = (20, {"articleBody": 20}, 0)
    run = Run.of(network_stats(hosts))
    assert run.coverage["articleBody"] == 0.9

    findings = run_checks(run, settings())

    assert exit_code(findings) == EXIT_LOW_COVERAGE
    assert problems(findings) == [
        "jateng.tribunnews.com: only 0% of 20 articles read have articleBody (minimum 80%): "
        "has the page template changed?"
    ]


def test_a_host_read_by_the_body_fallback_fails_coverage_naming_host_and_field() -> None:
    hosts = {host: (20, {}, 0) for host in REGIONAL}
    hosts["medan.tribunnews.com"] = (20, {}, 18)

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert exit_code(findings) == EXIT_LOW_COVERAGE
    assert problems(findings) == [
        "medan.tribunnews.com: articleBody of 18 of 20 articles read came from the page's densest text block, not "
        "from the known body container: has the page template changed?"
    ]


def test_a_low_host_explains_the_runs_low_share_without_a_second_message() -> None:
    # Two hosts, one without dates: 50 % for the run; the host's finding says it all.
    hosts = {"banyumas.tribunnews.com": (20, {}, 0), "jateng.tribunnews.com": (20, {"datePublished": 20}, 0)}

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert [finding.message.split(":")[0] for finding in findings] == ["jateng.tribunnews.com"]


def test_hosts_too_small_to_judge_alone_are_judged_together() -> None:
    # Twelve hosts of 5 articles (under TRIBUN_COVERAGE_MIN_ITEMS = 10), each missing the headline of 2: 60 %.
    hosts = {f"host{n}.tribunnews.com": (5, {"headline": 2}, 0) for n in range(12)}

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert problems(findings) == [
        "only 60% of 60 articles read have headline (minimum 80%): has the page template changed?"
    ]


def test_healthy_hosts_give_no_finding() -> None:
    hosts = {host: (20, {"datePublished": 1}, 1) for host in REGIONAL}

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert [finding.exit_code for finding in findings] == [EXIT_OK]  # the few-fallbacks notice
    assert exit_code(findings) == EXIT_OK


def test_hosts_not_named_are_still_judged_together() -> None:
    # www (20 read) lost its body container and is named; three regional hosts of 6 articles each, too few to judge
    # alone, lost theirs too: the rest of the run fails on its own, naming no host.
    hosts = {"www.tribunnews.com": (20, {}, 20)}
    hosts |= {host: (6, {}, 6) for host in REGIONAL[:3]}

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert problems(findings) == [
        "www.tribunnews.com: articleBody of 20 of 20 articles read came from the page's densest text block, not "
        "from the known body container: has the page template changed?",
        "18 of 18 articles read on the other hosts had their body read from the page's densest text block, not "
        "from the known body container: has the page template changed?",
    ]


def test_a_few_odd_pages_on_a_small_host_are_noise_not_a_template_change() -> None:
    # jogja: 3 of its 14 articles unreadable (79 %, under 80 % but within sampling noise); the run is fine.
    hosts = {host: (20, {}, 0) for host in REGIONAL if host != "jogja.tribunnews.com"}
    hosts["jogja.tribunnews.com"] = (14, {"headline": 3, "articleBody": 3, "datePublished": 3}, 0)

    findings = run_checks(Run.of(network_stats(hosts)), settings())

    assert findings == []


@pytest.mark.parametrize(
    ("hits", "total", "bound"),
    [(0, 10, 0.2775), (11, 14, 0.9243), (3, 15, 0.4519), (20, 20, 1.0), (0, 0, 1.0)],
)
def test_the_wilson_upper_bound(hits: int, total: int, bound: float) -> None:
    assert wilson_upper(hits, total) == pytest.approx(bound, abs=1e-4)


def test_a_limit_that_closed_the_run_with_requests_queued_explains_no_article() -> None:
    """A page limit spent on sitemaps closed the run before its first article: a notice, not exit 4. With nothing
    left queued, the limit explains nothing: the run found no article to fetch."""
    queued = {"item_scraped_count": 0, "scheduler/enqueued": 49, "scheduler/dequeued": 30}
    findings = run_checks(healthy("closespider_pagecount", **queued), settings())
    assert [(finding.check, finding.exit_code, finding.alert) for finding in findings] == [
        ("no_articles", EXIT_OK, False)
    ]
    assert "closespider_pagecount closed the run with 19 requests still queued" in findings[0].message
    drained = {**queued, "scheduler/dequeued": 49}
    assert exit_code(run_checks(healthy("closespider_pagecount", **drained), settings())) == EXIT_NO_ARTICLES
    # A run that ran its course is not excused by what it left queued, nor one whose pages failed.
    assert exit_code(run_checks(healthy("finished", **queued), settings())) == EXIT_NO_ARTICLES
    failing = {**queued, "spider_exceptions/ValueError": 2}
    assert exit_code(run_checks(healthy("closespider_pagecount", **failing), settings())) == EXIT_NO_ARTICLES
