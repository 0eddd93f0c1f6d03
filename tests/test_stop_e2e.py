"""End to end, stopping: the real ``scrapy crawl tribun`` when the network is down, when one host is, and when
SIGTERM or Ctrl-C stops it mid-run.

The broken networks come from ``tests/netfakes.py``, all on 127.0.0.1: an HTTP(S) proxy port nothing listens on
(every connection refused), a DNS resolver that knows no name, and a proxy in front of the replica that refuses
one host (as a proxy answers when the host is down) or holds back everything a slow host sends.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import REPO_ROOT, CrawlResult, crawl_env, read_jsonl, read_report, run_crawl, scrapy_command
from tests.netfakes import RESOLVER_LOG, FrontProxy, closed_port
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES
from tests.test_resume_e2e import assert_every_expected_article_once, complete_lines
from tribun_crawler.sites import SITES

pytestmark = pytest.mark.slow

SITE_LIST = ",".join(POPULATED_SITES)
#: The project's pacing, not the tests' usual none: backoff and delays are what used to keep a stopped run alive.
PROJECT_PACING = {"DOWNLOAD_DELAY": "1.0", "AUTOTHROTTLE_ENABLED": "True", "LOG_LEVEL": "INFO"}
#: How long a network-down run may take, at most, to give up (issue 13).
NETWORK_DOWN_LIMIT = 60.0
#: How long a run may take to exit after SIGTERM/SIGINT (TRIBUN_STOP_GRACE is 10 s).
STOP_LIMIT = 15.0
#: Seconds every chunk a slow host sends is held back: its downloads are still in flight when the run is stopped.
SLOW_HOST_LATENCY = 120.0
#: Articles in the feed before the test stops a run.
STOP_AFTER = 3


def timed_crawl(tmp_path: Path, **kwargs: Any) -> tuple[CrawlResult, float]:
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), **kwargs.pop("settings", {})}
    started = time.monotonic()
    result = run_crawl(tmp_path, settings=settings, timeout=NETWORK_DOWN_LIMIT + 120, **kwargs)
    return result, time.monotonic() - started


def network_down_line(log: str) -> str:
    lines = re.findall(r"\[tribun_crawler\.extensions\.network\] ERROR: (network unreachable: .*)", log)
    assert len(lines) == 1, log[-3000:]
    return lines[0]


# --- Network down --------------------------------------------------------------------------------------------


def test_a_proxy_refusing_every_connection_stops_the_run_as_network_down_with_exit_6(tmp_path: Path) -> None:
    port = closed_port()
    proxy = f"http://127.0.0.1:{port}"
    env = {"http_proxy": proxy, "https_proxy": proxy}
    result, elapsed = timed_crawl(tmp_path, args={"sites": "all"}, settings=PROJECT_PACING, env=env)

    assert result.returncode == 6, result.log[-3000:]
    assert elapsed < NETWORK_DOWN_LIMIT
    line = network_down_line(result.log)
    assert line.startswith("network unreachable: connection refused for www.tribunnews.com, "), line
    assert f"through proxy {proxy} (" in line
    assert result.items == []
    report = result.stats
    assert report["finish_reason"] == "network_down"
    assert report["exit_code"] == 6
    assert report["problems"] == [line]
    assert report["pages"]["total"] == 0
    assert report["stats"]["tribun/connection_errors/refused"] >= 5
    # Stopped, not worn out: no request was retried to the end.
    assert "retry/max_reached" not in report["stats"]


def test_dns_failing_for_every_name_stops_the_run_as_network_down_with_exit_6(tmp_path: Path) -> None:
    # No proxy: the crawler resolves the hosts itself, with a resolver that asks no one and knows no name.
    settings = {**PROJECT_PACING, "TWISTED_DNS_RESOLVER": "tests.netfakes.NoDnsResolver"}
    result, elapsed = timed_crawl(tmp_path, args={"sites": SITE_LIST}, settings=settings)

    assert result.returncode == 6, result.log[-3000:]
    assert elapsed < NETWORK_DOWN_LIMIT
    asked = set(re.findall(RESOLVER_LOG.replace("%s", r"(\S+)"), result.log))
    assert asked <= {SITES[key].host for key in POPULATED_SITES}
    assert "www.tribunnews.com" in asked
    line = network_down_line(result.log)
    assert line.startswith("network unreachable: DNS lookup failed for www.tribunnews.com"), line
    assert "proxy" not in line
    assert result.stats["finish_reason"] == "network_down"
    assert result.stats["exit_code"] == 6
    assert result.stats["stats"]["tribun/connection_errors/dns"] >= 1


def test_dns_failing_on_a_single_site_run_stops_it_within_the_limit(tmp_path: Path) -> None:
    # One host: its errors come slowly (robots.txt first, then backoff), so the time rule decides.
    settings = {**PROJECT_PACING, "TWISTED_DNS_RESOLVER": "tests.netfakes.NoDnsResolver"}
    result, elapsed = timed_crawl(tmp_path, args={"sites": "www"}, settings=settings)

    assert result.returncode == 6, result.log[-3000:]
    assert elapsed < NETWORK_DOWN_LIMIT
    line = network_down_line(result.log)
    assert re.fullmatch(
        r"network unreachable: DNS lookup failed for www\.tribunnews\.com "
        r"\(\d+ connection errors, no response in \d+\.\d s\): stopping the run",
        line,
    ), line


def test_one_host_down_is_reported_and_the_others_are_crawled(tmp_path: Path, replica: Replica) -> None:
    down = SITES["banyumas"].host
    with FrontProxy(replica.port, refuse=[down]) as proxy:
        result, _ = timed_crawl(tmp_path, args={"sites": SITE_LIST}, env=proxy.env)
        asked = set(proxy.hosts)
    network = replica.network()

    assert result.returncode == 0, result.log[-3000:]
    assert down in asked
    report = result.stats
    assert report["finish_reason"] == "finished"
    assert "network unreachable" not in result.log
    warnings = re.findall(r"\[tribun_crawler\.extensions\.network\] WARNING: Cannot connect to (\S+): (.*)", result.log)
    assert [host for host, _ in warnings] == [down]
    assert warnings[0][1].startswith("proxy could not connect (Could not open CONNECT tunnel")
    # Its pages are failed pages, with their reason; no other host's is.
    failed = report["failed"]
    assert set(failed["reasons"]) == {"download/TunnelError"}
    assert failed["pages"]
    assert {page["url"].split("/")[2] for page in failed["pages"]} == {down}
    assert report["stats"]["tribun/connection_errors/proxy"] >= failed["total"]
    # The other sites' articles all come out, each once.
    others = [key for key in POPULATED_SITES if key != "banyumas"]
    urls = [item["url"] for item in result.items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    expected = {e.url for e in network.expected(others, depth=2, index_dates=[replica.today])}
    assert set(urls) == expected


# --- SIGTERM, Ctrl-C -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_stops_the_run_promptly_with_exit_7_and_the_next_run_finishes(
    tmp_path: Path, replica: Replica, signum: signal.Signals
) -> None:
    state = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}
    feed, log = tmp_path / "stopped.jsonl", tmp_path / "stopped.log"
    slow = {SITES["makassar"].host: SLOW_HOST_LATENCY}
    with FrontProxy(replica.port, slow=slow) as proxy:
        command = scrapy_command(feed, {"sites": SITE_LIST}, {**PROJECT_PACING, **state}, log)
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(proxy.env))
        try:
            deadline = time.monotonic() + 120
            while len(complete_lines(feed)) < STOP_AFTER:
                assert process.poll() is None, log.read_text(encoding="utf-8")[-3000:]
                assert time.monotonic() < deadline, "no article came out"
                time.sleep(0.05)
            process.send_signal(signum)
            signalled = time.monotonic()
            status = process.wait(timeout=120)
            elapsed = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text(encoding="utf-8")

    assert status == 7, text[-3000:]
    assert elapsed < STOP_LIMIT, text[-3000:]
    report = read_report(feed)
    assert report["finish_reason"] == "shutdown"
    assert report["exit_code"] == 7
    assert report["problems"] == [f"interrupted by {signum.name} before the end: the next run fetches what is left"]
    # The slow host's download was still in flight after the grace: cancelled, not waited for.
    assert report["stats"]["tribun/stop/cancelled"] >= 1
    assert "downloads still in flight 10.0 s after the stop began: cancelling them" in text
    stopped = read_jsonl(feed)  # every line a whole article: json.loads fails the test otherwise
    assert len(stopped) == len(complete_lines(feed)) >= STOP_AFTER

    # Straight to the replica, the slow host at its usual speed: the rest, and nothing twice.
    rest = run_crawl(tmp_path, args={"sites": SITE_LIST}, settings=state, env=replica.env, name="rest")
    assert rest.returncode == 0, rest.log[-3000:]
    assert rest.items, "the first run was stopped part way: the next one has articles left"
    assert_every_expected_article_once(replica, stopped + rest.items)


def test_a_second_signal_forces_the_stop_and_still_exits_7(tmp_path: Path, replica: Replica) -> None:
    # Scrapy's forced stop: no report is made, but the status still says interrupted, not "never closed" (1).
    feed, log = tmp_path / "forced.jsonl", tmp_path / "forced.log"
    slow = {SITES["makassar"].host: SLOW_HOST_LATENCY}
    with FrontProxy(replica.port, slow=slow) as proxy:
        settings = {**PROJECT_PACING, "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}
        command = scrapy_command(feed, {"sites": SITE_LIST}, settings, log)
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(proxy.env))
        try:
            deadline = time.monotonic() + 120
            while len(complete_lines(feed)) < STOP_AFTER:
                assert process.poll() is None, log.read_text(encoding="utf-8")[-3000:]
                assert time.monotonic() < deadline, "no article came out"
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            time.sleep(1)  # within the grace: the slow host's download is still in flight
            process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text(encoding="utf-8")

    assert status == 7, text[-3000:]
    assert "Received SIGTERM twice, forcing unclean shutdown" in text
    assert read_report(feed) == {}
    assert len(read_jsonl(feed)) >= STOP_AFTER
