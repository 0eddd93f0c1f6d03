"""The README's demo command, run as written: the shipped HTTP-cache snapshot crawls offline into real JSONL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl
from tests.replica.network import build_network
from tests.replica.snapshot import DEMO_TODAY

pytestmark = pytest.mark.slow


def readme_demo_command() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- demo-command -->\s*```sh\n(.+?)\n```", readme, re.S)
    assert match, "README.md has no demo command"
    return match.group(1)


def test_readme_demo_command_replays_the_snapshot_offline(tmp_path: Path) -> None:
    # A copy of the project, so the command writes its feed and state where the test can see them.
    for name in ("tribun_crawler", "demo"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("state.sqlite3*"))
    shutil.copy(REPO_ROOT / "scrapy.cfg", tmp_path)
    env = crawl_env({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})

    for run in (1, 2):  # a second run gives the same output: the demo resets its own state
        process = subprocess.run(
            ["bash", "-c", readme_demo_command()], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert process.returncode == 0, process.stderr[-3000:]
        items = read_jsonl(tmp_path / "demo.jsonl")
        log = process.stderr
        # Every request was answered from the snapshot: nothing missed the cache, nothing went out.
        assert "'httpcache/miss'" not in log
        assert re.search(r"'httpcache/hit': \d+", log), f"run {run}"
        network = build_network(1, DEMO_TODAY)
        articles = {a.url: a for s in ("www", "banyumas", "jateng", "makassar") for a in network.site_articles(s)}
        assert len(items) >= 10
        assert len({item["url"] for item in items}) == len(items)
        for item in items:
            article = articles[item["url"]]
            assert item["headline"] == article.headline
            assert item["articleBody"] == "\n\n".join(article.body_paragraphs())
            assert item["pageCount"] == article.known_page_count
            assert item["datePublished"] == article.published.isoformat()
