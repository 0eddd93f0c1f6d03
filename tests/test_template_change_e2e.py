"""End to end: a host changes its article template while the crawl runs, and the run says so.

The replica's ``--redesign HOST=N`` deploys a new article template on one host after it has served N article
pages: the body div loses every class the eras shared, so the era's body selector finds nothing and the body
comes from the page's densest text block. The articles are still saved (precision lost, not the article), the
coverage check fails for that host alone (exit 5), and Spidermon sends one alert, to a fake Discord webhook on
127.0.0.1, naming the host and the field. The same crawl without the change alerts nobody and exits 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl import run_crawl, spider_today
from tests.replica import Replica, start_replica
from tests.test_monitors import FakeDiscord
from tribun_crawler.checks import EXIT_LOW_COVERAGE, EXIT_OK

pytestmark = pytest.mark.slow

SITES = ("www", "banyumas", "jateng", "makassar")
WWW = "www.tribunnews.com"


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    with FakeDiscord() as fake:
        yield fake


def crawl(replica: Replica, tmp_path: Path, discord: FakeDiscord) -> tuple[int, list[dict], dict, str]:
    result = run_crawl(
        tmp_path,
        args={"sites": ",".join(SITES)},
        settings={
            "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"),
            "SPIDERMON_DISCORD_WEBHOOK_URL": discord.url,
            "LOG_LEVEL": "INFO",
        },
        # The crawl reaches the network through the replica's proxy; the alert goes straight to the webhook.
        env={**replica.env, "no_proxy": "127.0.0.1"},
    )
    return result.returncode, result.items, result.stats, result.log


def test_a_host_changing_its_template_mid_run_fails_coverage_and_sends_one_alert_naming_it(
    tmp_path: Path, discord: FakeDiscord
) -> None:
    with start_replica(tmp_path, today=spider_today(), redesign={WWW: 3}) as replica:
        code, items, report, log = crawl(replica, tmp_path, discord)
        expected = replica.network().expected(SITES, depth=2, index_dates=[replica.today], include_copies=True)

    assert code == EXIT_LOW_COVERAGE, log[-3000:]
    # Every www article is still in the feed, its body read by shape.
    www = {e.url for e in expected if e.url.startswith(f"https://{WWW}/")}
    emitted = {item["url"] for item in items}
    assert www <= emitted
    assert report["exit_code"] == EXIT_LOW_COVERAGE
    [problem] = report["problems"]
    assert problem.startswith(f"{WWW}: articleBody of ")
    assert "densest text block" in problem
    failed = [m["name"] for m in report["monitors"] if m["status"] == "failed"]
    assert failed == ["CoverageMonitor/test_field_coverage"]

    assert len(discord.posts) == 1
    content = discord.posts[0]["content"]
    assert "tribun" in content
    assert WWW in content
    assert "articleBody" in content
    assert "CoverageMonitor" in content or "coverage" in content.lower()
    # The other hosts kept their template: none of them is named.
    for host in ("banyumas", "jateng", "makassar"):
        assert f"{host}.tribunnews.com" not in content


def test_the_same_crawl_without_a_change_sends_no_alert_and_exits_0(tmp_path: Path, discord: FakeDiscord) -> None:
    with start_replica(tmp_path, today=spider_today()) as replica:
        code, items, report, log = crawl(replica, tmp_path, discord)

    assert code == EXIT_OK, log[-3000:]
    assert items
    assert report["problems"] == []
    assert {m["status"] for m in report["monitors"]} == {"passed"}
    assert discord.posts == []
