"""End to end: the real ``scrapy crawl tribun`` interrupted at random points, then run again until it finishes.

Each scenario is a fixed seed. The seed chooses how many times the crawl is interrupted before a run is let
finish (one or two), and each interruption point: a number of articles in the run's feed, or the moment the
spider opened (listings only, the state file just created), followed by a short extra pause. SIGKILL scenarios
re-run the plain command on the same state store; SIGINT scenarios use the same ``JOBDIR`` too, which Scrapy
resumes after its clean shutdown. After every run, interrupted or not, the state store must open cleanly
(``python -m tribun_crawler.state stats``, and SQLite's integrity check); at the end the union of all the feeds
must hold every expected article of the replica network exactly once, and the store must know each of them.

The points depend on timing, so one seed does not always stop the crawl at the same request; what every run
must satisfy does not.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl, read_report, scrapy_command
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES
from tests.test_resume_e2e import assert_every_expected_article_once, complete_lines, pages_fetched
from tribun_crawler.state import SQLiteStateStore
from tribun_crawler.state.records import key_fingerprint

pytestmark = pytest.mark.slow

SITES = ",".join(POPULATED_SITES)
#: A short pause between a host's requests, so that a crawl lasts a few seconds and can be stopped part way.
DOWNLOAD_DELAY = "0.15"
#: Seconds a run may take before the test gives up on it (a guard, not a timing check).
RUN_TIMEOUT = 120
#: Longest extra pause after an interruption point is reached, in seconds.
MAX_EXTRA_PAUSE = 0.25


@dataclass(frozen=True)
class Scenario:
    seed: int
    signum: signal.Signals

    def __str__(self) -> str:
        return f"{self.signum.name}-seed{self.seed}"


SCENARIOS = [
    Scenario(11, signal.SIGKILL),
    Scenario(23, signal.SIGKILL),
    Scenario(37, signal.SIGKILL),
    Scenario(41, signal.SIGINT),
    Scenario(59, signal.SIGINT),
]


@dataclass(frozen=True)
class Point:
    """Where a run is interrupted: once its feed holds ``articles`` whole lines (0: once the spider opened),
    then after ``pause`` more seconds."""

    articles: int
    pause: float


def choose_point(rng: random.Random, left: int) -> Point:
    """A point before the run can finish: at most half of the ``left`` articles still to come."""
    articles = rng.choice([0, rng.randint(1, max(1, left // 2))])
    return Point(articles=articles, pause=round(rng.uniform(0, MAX_EXTRA_PAUSE), 3))


class Runs:
    """The runs of one scenario: same state store (and JOBDIR for SIGINT), one feed and log each."""

    def __init__(self, tmp_path: Path, replica: Replica, scenario: Scenario) -> None:
        self.tmp_path = tmp_path
        self.replica = replica
        self.state = tmp_path / "state" / "tribun.sqlite3"
        self.settings = {"DOWNLOAD_DELAY": DOWNLOAD_DELAY, "TRIBUN_STATE_PATH": str(self.state)}
        if scenario.signum is signal.SIGINT:
            self.settings["JOBDIR"] = str(tmp_path / "job")
        self.count = 0

    def start(self) -> tuple[subprocess.Popen[bytes], Path, Path]:
        self.count += 1
        feed, log = self.tmp_path / f"run{self.count}.jsonl", self.tmp_path / f"run{self.count}.log"
        command = scrapy_command(feed, {"sites": SITES}, self.settings, log)
        return subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(self.replica.env)), feed, log


def interrupt_at(process: subprocess.Popen[bytes], feed: Path, log: Path, point: Point, signum: int) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while not reached(point, feed, log):
        assert process.poll() is None, f"the run ended ({process.returncode}) before {point}"
        assert time.monotonic() < deadline, f"{point} never came"
        time.sleep(0.01)
    time.sleep(point.pause)
    assert process.poll() is None, f"the run ended ({process.returncode}) before {point}"
    process.send_signal(signum)


def reached(point: Point, feed: Path, log: Path) -> bool:
    if point.articles:
        return len(complete_lines(feed)) >= point.articles
    return log.exists() and "Spider opened" in log.read_text(encoding="utf-8", errors="replace")


def whole_items(feed: Path) -> list[dict[str, Any]]:
    """The articles of a feed, every whole line parsed (a killed run may leave one cut-off line last)."""
    lines = feed.read_bytes().split(b"\n") if feed.exists() else [b""]
    whole, last = lines[:-1], lines[-1]
    if last:
        with pytest.raises(json.JSONDecodeError):
            json.loads(last)  # a cut-off line, never a whole article without its newline
    return [json.loads(line) for line in whole]


def assert_state_opens_cleanly(state: Path) -> int:
    """``python -m tribun_crawler.state stats`` answers, the SQLite file passes its checks; the article count."""
    stats = subprocess.run(
        [sys.executable, "-m", "tribun_crawler.state", "--backend", "sqlite", "--path", str(state), "stats"],
        cwd=REPO_ROOT,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stats.returncode == 0, stats.stderr
    match = re.fullmatch(rf"sqlite:{re.escape(str(state))}: (\d+) articles, .*\n", stats.stdout)
    assert match, stats.stdout
    with SQLiteStateStore(state) as store:
        assert store.integrity_errors() == []
        assert store.count() == int(match.group(1))
    return int(match.group(1))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_interrupted_runs_then_a_finished_one_emit_every_article_once(
    tmp_path: Path, replica: Replica, scenario: Scenario
) -> None:
    rng = random.Random(scenario.seed)
    stories = len(
        {
            e.based_on or e.url
            for e in replica.network().expected(
                POPULATED_SITES, depth=2, include_copies=True, index_dates=[replica.today]
            )
        }
    )
    runs = Runs(tmp_path, replica, scenario)
    items: list[dict[str, Any]] = []
    fetched: list[set[tuple[str, str, str]]] = []

    for _ in range(rng.choice([1, 2])):
        left = stories - len(items)
        if left < 4:
            break
        point = choose_point(rng, left)
        log_before = len(replica.requests())
        process, feed, log = runs.start()
        try:
            interrupt_at(process, feed, log, point, scenario.signum)
            status = process.wait(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if scenario.signum is signal.SIGKILL:
            assert status == -signal.SIGKILL
        else:
            # A clean shutdown: the run closes, reports, and exits with the status its report gives.
            report = read_report(feed)
            assert report["finish_reason"] == "shutdown", log.read_text(encoding="utf-8")[-3000:]
            assert status == report["exit_code"]
        items += whole_items(feed)
        fetched.append(set(pages_fetched(replica.requests()[log_before:])))
        assert_state_opens_cleanly(runs.state)

    log_before = len(replica.requests())
    process, feed, log = runs.start()
    status = process.wait(timeout=RUN_TIMEOUT)
    assert status == 0, log.read_text(encoding="utf-8")[-3000:]
    if scenario.signum is signal.SIGINT:
        assert "Resuming crawl" in log.read_text(encoding="utf-8")
    items += read_jsonl(feed)
    fetched.append(set(pages_fetched(replica.requests()[log_before:])))
    stored = assert_state_opens_cleanly(runs.state)

    assert_every_expected_article_once(replica, items)
    with SQLiteStateStore(runs.state) as store:
        assert [item["url"] for item in items if store.get(key_fingerprint(item["url"])) is None] == []
    assert stored >= len(items)
    if scenario.signum is signal.SIGINT:
        # Resumed, not restarted: no run fetches a page an earlier run of the same job fetched.
        for i, later in enumerate(fetched[1:], 1):
            assert sorted(later & set().union(*fetched[:i])) == []
