"""End to end: the real ``scrapy crawl tribun`` interrupted at random points, then run again until it finishes.

Each scenario is a fixed seed. The seed chooses how many times the crawl is interrupted before a run is let
finish (one or two), and each interruption point: a number of articles in the run's feed, or the moment the
spider opened (listings only, the state file just created), followed by a short extra pause. SIGKILL scenarios,
and a SIGINT one, re-run the plain command on the same state store; the other SIGINT scenarios use the same
``JOBDIR`` too, which Scrapy resumes after its clean shutdown. After every run, interrupted or not, the state
store must open cleanly (``python -m tribun_crawler.state stats``, and SQLite's integrity check) and show no more
unfinished runs than were interrupted, none once a run finished; at the end the union of all the feeds must hold
every expected article of the replica network exactly once, and the store must know each of them.

An interrupted run loses the requests it had not made yet, among them the related links ("Baca juga") of the
articles it emitted; a plain re-run reads those articles again because their run did not finish
(``tribun_crawler.state.runs``), so nothing is lost. ``test_a_rerun_follows_the_related_links_of_articles_a_
killed_run_emitted`` kills a run at exactly that point.

The points depend on timing, so one seed does not always stop the crawl at the same request; what every run
must satisfy does not.
"""

from __future__ import annotations

import json
import pickle
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import REPO_ROOT, article, crawl_env, read_jsonl, read_report, scrapy_command
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES
from tests.test_resume_e2e import complete_lines, pages_fetched
from tribun_crawler.spiders.related import depth_key
from tribun_crawler.spiders.tribun import JOB_DEPTHS
from tribun_crawler.state import SQLiteStateStore
from tribun_crawler.state.records import key_fingerprint

pytestmark = pytest.mark.slow

SITES = ",".join(POPULATED_SITES)
#: A short pause between a host's requests, so that a crawl lasts a few seconds and can be stopped part way.
DOWNLOAD_DELAY = "0.1"
#: Seconds a run may take before the test gives up on it (a guard, not a timing check).
RUN_TIMEOUT = 120
#: Longest extra pause after an interruption point is reached, in seconds.
MAX_EXTRA_PAUSE = 0.25


@dataclass(frozen=True)
class Scenario:
    seed: int
    signum: signal.Signals
    #: Every run of the scenario uses one JOBDIR (SIGINT only: a killed run leaves a JOBDIR Scrapy cannot resume).
    jobdir: bool = False

    def __str__(self) -> str:
        return f"{self.signum.name}{'-jobdir' if self.jobdir else ''}-seed{self.seed}"


SCENARIOS = [
    Scenario(11, signal.SIGKILL),
    Scenario(23, signal.SIGKILL),
    Scenario(37, signal.SIGKILL),
    Scenario(41, signal.SIGINT, jobdir=True),
    Scenario(59, signal.SIGINT, jobdir=True),
    Scenario(73, signal.SIGINT),
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
        if scenario.jobdir:
            self.settings["JOBDIR"] = str(tmp_path / "job")
        self.count = 0

    def start(self) -> tuple[subprocess.Popen[bytes], Path, Path]:
        self.count += 1
        feed, log = self.tmp_path / f"run{self.count}.jsonl", self.tmp_path / f"run{self.count}.log"
        command = scrapy_command(feed, {"sites": SITES}, self.settings, log)
        return subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(self.replica.env)), feed, log

    def interrupted(self, point: Point, signum: signal.Signals) -> list[dict[str, Any]]:
        """A run stopped at ``point`` by ``signum``; the articles of its feed."""
        process, feed, log = self.start()
        try:
            interrupt_at(process, feed, log, point, signum)
            status = process.wait(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if signum is signal.SIGKILL:
            assert status == -signal.SIGKILL
        else:
            # A clean shutdown: the run closes, reports, and exits with the status its report gives.
            report = read_report(feed)
            assert report["finish_reason"] == "shutdown", log.read_text(encoding="utf-8")[-3000:]
            assert status == report["exit_code"]
        return whole_items(feed)

    def finished(self, *, resumed: bool) -> list[dict[str, Any]]:
        """A run let finish; the articles of its feed."""
        process, feed, log = self.start()
        status = process.wait(timeout=RUN_TIMEOUT)
        assert status == 0, log.read_text(encoding="utf-8")[-3000:]
        assert ("Resuming crawl" in log.read_text(encoding="utf-8")) is resumed
        return read_jsonl(feed)


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
    return [article(line) for line in whole]


def assert_state_opens_cleanly(state: Path) -> tuple[int, int]:
    """``python -m tribun_crawler.state stats`` answers, the SQLite file passes its checks; the number of articles
    and of unfinished runs it shows."""
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
    match = re.fullmatch(
        rf"sqlite:{re.escape(str(state))}: (\d+) articles, .*\n(?:unfinished runs: (\d+) \(.*\n)?", stats.stdout
    )
    assert match, stats.stdout
    with SQLiteStateStore(state) as store:
        assert store.integrity_errors() == []
        assert store.count() == int(match.group(1))
        assert len(store.open_runs()) == int(match.group(2) or 0)
    return int(match.group(1)), int(match.group(2) or 0)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_interrupted_runs_then_a_finished_one_emit_every_article_once(
    tmp_path: Path, replica: Replica, scenario: Scenario
) -> None:
    rng = random.Random(scenario.seed)
    expected = replica.network().expected(POPULATED_SITES, depth=2, index_dates=[replica.today], include_copies=True)
    stories = {e.based_on or e.url for e in expected}
    runs = Runs(tmp_path, replica, scenario)
    items: list[dict[str, Any]] = []
    fetched: list[set[tuple[str, str, str]]] = []

    for interruptions in range(1, rng.choice([1, 2]) + 1):
        left = len(stories) - len(items)
        if left < 4:
            break
        log_before = len(replica.requests())
        items += runs.interrupted(choose_point(rng, left), scenario.signum)
        fetched.append(set(pages_fetched(replica.requests()[log_before:])))
        # A run stopped before its spider_opened signal was handled left no marker (nor any article).
        assert assert_state_opens_cleanly(runs.state)[1] <= interruptions

    log_before = len(replica.requests())
    items += runs.finished(resumed=scenario.jobdir)
    fetched.append(set(pages_fetched(replica.requests()[log_before:])))
    stored, unfinished = assert_state_opens_cleanly(runs.state)
    assert unfinished == 0

    urls = [item["url"] for item in items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    with SQLiteStateStore(runs.state) as store:
        assert [url for url in urls if store.get(key_fingerprint(url)) is None] == []
    assert stored >= len(urls)
    if scenario.jobdir:
        # Resumed, not restarted: no run fetches a page an earlier run of the same job fetched.
        for i, later in enumerate(fetched[1:], 1):
            assert sorted(later & set().union(*fetched[:i])) == []
    # Every story once (a story and its syndicated copy are one: whichever was read first is emitted).
    missing = stories - {e.based_on or e.url for e in expected if e.url in urls}
    assert sorted(missing) == []
    assert len(urls) == len(stories)


def test_a_rerun_follows_the_related_links_of_articles_a_killed_run_emitted(tmp_path: Path, replica: Replica) -> None:
    # banyumas: b-curug-2024 is reached from a listing's article (related depth 1) and alone links
    # b-festival-2024 (depth 2). The run is killed as soon as b-curug-2024 is in its feed: with half a second
    # between two requests to one host, its related request cannot have been fetched yet. The plain re-run knows
    # b-curug-2024, published long before the recheck window, yet must read it again for its link. (SIGINT
    # would not do here: Scrapy's clean shutdown still downloads the requests its downloader holds, so what a
    # stopped run loses depends on timing; the SIGINT scenario without JOBDIR above covers it.)
    network = replica.network()
    expected = {e.key: e for e in network.expected(["banyumas"], depth=2, index_dates=[replica.today])}
    parent, child = expected["b-curug-2024"], expected["b-festival-2024"]
    assert (parent.depth, child.depth) == (1, 2)
    assert [k for k, e in expected.items() if child.key in network.related_targets(network.article(k))] == [parent.key]
    state = tmp_path / "state.sqlite3"
    settings = {"TRIBUN_STATE_PATH": str(state)}
    feed, log = tmp_path / "killed.jsonl", tmp_path / "killed.log"
    command = scrapy_command(feed, {"sites": "banyumas"}, {**settings, "DOWNLOAD_DELAY": "0.5"}, log)
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(replica.env))
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while parent.url not in {item["url"] for item in whole_items(feed)}:
            assert process.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    killed = whole_items(feed)
    assert child.url not in {item["url"] for item in killed}
    assert assert_state_opens_cleanly(state)[1] == 1

    rerun = scrapy_command(tmp_path / "rerun.jsonl", {"sites": "banyumas"}, settings, tmp_path / "rerun.log")
    assert subprocess.run(rerun, cwd=REPO_ROOT, env=crawl_env(replica.env), timeout=RUN_TIMEOUT).returncode == 0

    emitted = [item["url"] for item in killed + read_jsonl(tmp_path / "rerun.jsonl")]
    assert child.url in emitted
    assert sorted(emitted) == sorted(e.url for e in expected.values())
    # What the killed run emitted was read again, and dropped as unchanged: not an error, not a second line.
    report = read_report(tmp_path / "rerun.jsonl")
    assert report["stats"]["tribun/recheck/unfinished_run"] >= len(killed)
    assert report["dropped"]["unchanged"] >= len(killed)
    assert report["errors"] == {}
    assert assert_state_opens_cleanly(state)[1] == 0


def test_a_job_keeps_the_related_depths_it_learned_in_its_saved_state(tmp_path: Path, replica: Replica) -> None:
    """A real ``JOBDIR`` run saves the related-link depths in ``spider.state``: Scrapy's FeedExporter reads every
    attribute of the spider before SpiderState gives it its state, and depths built then stayed out of the job (a
    resumed job then read far what its first run had named near, and lost the links held back)."""
    job = tmp_path / "job"
    command = scrapy_command(
        tmp_path / "run.jsonl",
        {"sites": "banyumas"},
        {"JOBDIR": str(job), "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")},
        tmp_path / "run.log",
    )
    process = subprocess.run(command, cwd=REPO_ROOT, env=crawl_env(replica.env), timeout=300, check=False)
    assert process.returncode == 0
    state = pickle.loads((job / "spider.state").read_bytes())
    depths = state[JOB_DEPTHS]
    network = replica.network()
    expected = {e.key: e for e in network.expected(["banyumas"], depth=2, index_dates=[replica.today])}
    # Listed, and reached through one related link: the depths the run asked for them at.
    assert depths.get(depth_key(expected["b-jalan"].url)) == 0
    assert depths.get(depth_key(expected["b-curug-2024"].url)) == 1
