"""The shipped schedules (deploy/): the crontab line and the systemd units run the crawl as written.

cron and systemd themselves do not run here; what can be checked is that the unit files are valid for
``systemd-analyze verify`` and that the exact command each one runs crawls the whole network (the replica)
into a per-run feed and exits 0.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES

pytestmark = pytest.mark.slow

DEPLOY = REPO_ROOT / "deploy"
INSTALL_DIR = "/srv/tribun_crawler"


def installed_copy(tmp_path: Path) -> Path:
    """The project as the deploy files expect it: a folder with the code, scrapy.cfg and .venv/bin/scrapy."""
    root = tmp_path / "srv"
    shutil.copytree(REPO_ROOT / "tribun_crawler", root / "tribun_crawler")
    shutil.copy(REPO_ROOT / "scrapy.cfg", root)
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "scrapy").symlink_to(Path(sys.executable).parent / "scrapy")
    return root


def schedule_env(replica: Replica, tmp_path: Path) -> dict[str, str]:
    # Only what an operator's environment would add: the replica as proxy, no politeness wait, a state file.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return crawl_env(
        {**replica.env, "PATH": path, "TRIBUN_DOWNLOAD_DELAY": "0", "TRIBUN_STATE_PATH": str(tmp_path / "s.db")}
    )


def assert_one_healthy_run(root: Path, replica: Replica) -> None:
    feeds = sorted((root / "data" / "tribun").glob("*.jsonl"))
    assert len(feeds) == 1, feeds
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.jsonl", feeds[0].name)
    stories = {
        e.based_on or e.url
        for e in replica.network().expected(POPULATED_SITES, depth=2, index_dates=[replica.today], include_copies=True)
    }
    assert len(read_jsonl(feeds[0])) == len(stories)
    assert feeds[0].with_suffix(".stats.json").exists()


def test_crontab_line_crawls_the_network(replica: Replica, tmp_path: Path) -> None:
    line = next(
        line for line in (DEPLOY / "crontab").read_text().splitlines() if line.strip() and not line.startswith("#")
    )
    command = line.split(None, 5)[5].replace(INSTALL_DIR, str(installed_copy(tmp_path)))
    process = subprocess.run(
        ["bash", "-c", command], env=schedule_env(replica, tmp_path), capture_output=True, text=True, timeout=300
    )
    # cron mails what the line prints: a healthy run prints nothing (the crawl's log goes to logs/cron.log).
    assert (process.returncode, process.stdout) == (0, "")
    root = tmp_path / "srv"
    assert "Spider closed (finished)" in (root / "logs" / "cron.log").read_text()
    assert_one_healthy_run(root, replica)


def test_systemd_service_command_crawls_the_network(replica: Replica, tmp_path: Path) -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(DEPLOY / "tribun.service")
    root = installed_copy(tmp_path)
    assert unit["Service"]["WorkingDirectory"] == INSTALL_DIR
    command = unit["Service"]["ExecStart"].replace(INSTALL_DIR, str(root)).split()
    process = subprocess.run(command, cwd=root, env=schedule_env(replica, tmp_path), timeout=300, check=False)
    assert process.returncode == 0
    assert_one_healthy_run(root, replica)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path: Path) -> None:
    root = installed_copy(tmp_path)
    for name in ("tribun.service", "tribun.timer"):
        text = (DEPLOY / name).read_text().replace(INSTALL_DIR, str(root))
        (tmp_path / name).write_text(text)
    process = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "tribun.service"), str(tmp_path / "tribun.timer")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
