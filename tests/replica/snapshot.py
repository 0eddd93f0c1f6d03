"""Record a crawl of the replica network as a Scrapy HTTP cache: the demo snapshot shipped in ``demo/``.

    python -m tests.replica.snapshot [--out demo/httpcache] [--today 2026-11-20]

The snapshot replays offline with HTTPCACHE_IGNORE_MISSING=True (see docs/operations.md, "Offline replay"): every
response the crawl needs, robots.txt included, comes from the cache, and nothing else is requested.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from tests.crawl import REPO_ROOT, crawl_env, scrapy_command
from tests.replica import start_replica

DEMO_DIR = REPO_ROOT / "demo"
#: The pages the demo starts from: two flagship hubs and three regional homepages (WIB and WITA sites).
DEMO_START_URLS = (
    "https://www.tribunnews.com/nasional",
    "https://www.tribunnews.com/internasional",
    "https://banyumas.tribunnews.com/",
    "https://jateng.tribunnews.com/",
    "https://makassar.tribunnews.com/",
)
DEMO_TODAY = date(2026, 11, 20)


def record(out: Path, today: date) -> int:
    """Crawl the replica through the proxy with the HTTP cache on, writing the cache to ``out``."""
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as tmp, start_replica(Path(tmp), today=today) as replica:
        command = scrapy_command(
            Path(tmp) / "snapshot.jsonl",
            {"start_urls": ",".join(DEMO_START_URLS)},
            {
                "HTTPCACHE_ENABLED": "True",
                "HTTPCACHE_DIR": str(out.resolve()),
                "TRIBUN_STATE_PATH": str(Path(tmp) / "state.sqlite3"),
                "LOG_LEVEL": "INFO",
            },
        )
        process = subprocess.run(command, cwd=REPO_ROOT, env=crawl_env(replica.env), check=False)
        return process.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEMO_DIR / "httpcache")
    parser.add_argument("--today", type=date.fromisoformat, default=DEMO_TODAY)
    options = parser.parse_args(argv)
    return record(options.out, options.today)


if __name__ == "__main__":
    sys.exit(main())
