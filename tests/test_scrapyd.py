"""End to end under scrapyd: deploy the project as an egg with ``scrapyd-deploy``, schedule ``tribun``, read the feed.

scrapyd runs on 127.0.0.1 on a free port, in a temporary folder (eggs, logs, items and databases there). The
spider runs in a process scrapyd spawns with scrapyd's own environment, so scrapyd itself is started with the
replica's proxy variables. The project is copied to a temporary folder before ``scrapyd-deploy`` builds the egg
there (it writes ``build/`` and ``*.egg-info`` next to ``setup.py``), with a deploy target for that port; the
egg is the only copy of ``tribun_crawler`` the spider process can import.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl
from tests.redis_server import free_port
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES
from tribun_crawler.extensions.report import report_path_for_feed

pytestmark = pytest.mark.slow

PROJECT = "tribun_crawler"
STARTUP_TIMEOUT = 30.0
JOB_TIMEOUT = 120.0
BIN = Path(sys.executable).parent
#: Requests to scrapyd go straight to 127.0.0.1, whatever proxy the test process has in its environment.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with DIRECT.open(url, data=body, timeout=10) as response:
        result: dict[str, Any] = json.load(response)
    return result


def scrapyd_env(extra: dict[str, str]) -> dict[str, str]:
    # Without PYTHONPATH the spider process cannot import the project from the checkout, only from the egg.
    return {k: v for k, v in crawl_env(extra).items() if k != "PYTHONPATH"}


@pytest.fixture
def scrapyd(tmp_path: Path, replica: Replica) -> Iterator[str]:
    """A scrapyd on 127.0.0.1 in ``tmp_path/scrapyd``, with the replica's proxy in its environment; its URL."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"items_dir = {home / 'items'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "poll_interval = 0.2\n"
        "max_proc = 1\n",
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{port}/"
    output = (home / "scrapyd.out").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=home, env=scrapyd_env(replica.env), stdout=output, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert process.poll() is None, (home / "scrapyd.out").read_text()
            try:
                if call(url + "daemonstatus.json")["status"] == "ok":
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


def deploy(tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy`` from a copy of the project, to a target named ``test`` at ``url``."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(REPO_ROOT / PROJECT, project / PROJECT, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.py", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, project / name)
    config = (REPO_ROOT / "scrapy.cfg").read_text(encoding="utf-8")
    (project / "scrapy.cfg").write_text(
        f"{config}\n[deploy:test]\nurl = {url}\nproject = {PROJECT}\n", encoding="utf-8"
    )
    return subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "-v", "1"],
        cwd=project,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def wait_for_job(url: str, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        jobs = call(f"{url}listjobs.json?project={PROJECT}")
        finished = [entry for entry in jobs["finished"] if entry["id"] == job]
        if finished:
            return finished[0]
        assert time.monotonic() < deadline, f"job {job} did not finish: {jobs}"
        time.sleep(0.2)


def test_deployed_egg_crawls_the_network_under_scrapyd(tmp_path: Path, replica: Replica, scrapyd: str) -> None:
    deployed = deploy(tmp_path, scrapyd)
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["status"] == "ok"
    assert call(f"{scrapyd}listspiders.json?project={PROJECT}")["spiders"] == ["tribun"]

    scheduled = call(
        f"{scrapyd}schedule.json",
        [
            ("project", PROJECT),
            ("spider", "tribun"),
            ("sites", ",".join(POPULATED_SITES)),
            ("setting", "DOWNLOAD_DELAY=0"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ("setting", f"TRIBUN_STATE_PATH={tmp_path / 'state.sqlite3'}"),
        ],
    )
    assert scheduled["status"] == "ok", scheduled
    job = wait_for_job(scrapyd, scheduled["jobid"])

    home = tmp_path / "scrapyd"
    crawl_log = home / "logs" / PROJECT / "tribun" / f"{job['id']}.log"
    feed = home / "items" / PROJECT / "tribun" / f"{job['id']}.jl"
    assert feed.exists(), crawl_log.read_text(encoding="utf-8")[-3000:]
    items = read_jsonl(feed)
    network = replica.network()
    expected = network.expected(POPULATED_SITES, depth=2, index_dates=[replica.today], include_copies=True)
    urls = [item["url"] for item in items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    # A story and its syndicated copy are one article: whichever was read first is emitted.
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    # The run report went beside scrapy's feed, and the run was healthy.
    report = json.loads(report_path_for_feed(feed).read_text(encoding="utf-8"))
    assert report["exit_code"] == 0, report["problems"]
    assert report["articles"] == len(items)
    # The spider's traffic went through the replica (the proxy came from scrapyd's environment).
    log = replica.requests()
    # Every page answered, but the sitemap names a host does not publish (looked for by discover=changes).
    assert {e["status"] for e in log if e["method"] == "GET" and "sitemap" not in e["path"]} == {200}
    assert {e["status"] for e in log if e["method"] == "GET" and "sitemap" in e["path"]} <= {200, 404}
    assert network.duplicate_fetches(log) == {}
