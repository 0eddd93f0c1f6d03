"""Feeds and state together, in real `scrapy runspider` processes with the project settings.

The spider here is a stub whose responses are ``data:`` URIs, each yielding twenty article items (the real
spider and the replica site are tested elsewhere): what is under test is the feed storage, the feed naming, and that the
state store never claims an article the feed lacks, even when the process is killed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.settings import Settings
from scrapy.utils.conf import feed_process_params_from_cli
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from tests.conftest import TribunTestSpider, make_crawler, project_settings_dict
from tests.crawl import article
from tribun_crawler import settings as project_settings
from tribun_crawler.feeds import UnbufferedFileFeedStorage, feed_uri_params
from tribun_crawler.sites import WIB
from tribun_crawler.state import SQLiteStateStore
from tribun_crawler.state.crawl import CrawlState

PROJECT = Path(__file__).resolve().parents[1]

STUB_SPIDER = textwrap.dedent(
    '''
    from scrapy import Request, Spider
    from tribun_crawler.items import ArticleItem

    BODY = (
        "TRIBUNNEWS.COM, JAKARTA - Banjir merendam sedikitnya 34 rukun tetangga (RT) di Jakarta Timur dan "
        "Jakarta Selatan pada Kamis pagi setelah hujan deras mengguyur sejak Rabu malam.\\n\\n"
        "Kepala Pelaksana BPBD DKI Jakarta mengatakan ketinggian air bervariasi antara 30 sentimeter hingga "
        "1,2 meter di permukiman di bantaran Kali Ciliwung \u2013 warga diminta waspada.\\n\\n"
    )

    class StubSpider(Spider):
        """Articles i for i in range(first, first + count), twenty per (data: URI) response."""

        name = "tribun_stub"
        custom_settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}

        async def start(self):
            first, count = int(getattr(self, "first", "0")), int(getattr(self, "count", "5"))
            for start in range(first, first + count, 20):
                stop = min(start + 20, first + count)
                yield Request(f"data:,{start}", dont_filter=True, cb_kwargs={"start": start, "stop": stop})

        def parse(self, response, start, stop):
            for i in range(start, stop):
                yield ArticleItem(
                    url=f"https://m.tribunnews.com/amp/metropolitan/2024/06/20/banjir-jakarta-laporan-{i}",
                    headline=f"Banjir Jakarta, Laporan {i}",
                    articleBody=BODY + f"Catatan redaksi untuk laporan nomor {i}.",
                    datePublished="Kamis, 20 Juni 2024 08:15 WIB",
                )
    '''
)
FEED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.jsonl$")


def _url(i: int) -> str:
    return f"https://www.tribunnews.com/metropolitan/2024/06/20/banjir-jakarta-laporan-{i}"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "stub.py").write_text(STUB_SPIDER, encoding="utf-8")
    return tmp_path


def _command(*args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        "stub.py",
        "-s",
        "TELNETCONSOLE_ENABLED=0",
        "-s",
        "REMOTE_CONTROL_ENABLED=0",
        *args,
    ]


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIBUN_", "SCRAPY_", "REDIS_URL"))}
    return {
        **env,
        "PYTHONPATH": str(PROJECT),
        "SCRAPY_SETTINGS_MODULE": "tribun_crawler.settings",
        "TRIBUN_STATE_BACKEND": "sqlite",
        "TRIBUN_STATE_PATH": str(workdir / ".state" / "tribun.sqlite3"),
    }


def _crawl(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(_command(*args), cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _feed_files(workdir: Path) -> list[Path]:
    return sorted((workdir / "data" / "tribun_stub").glob("*.jsonl"))


def _lines(path: Path) -> list[dict[str, Any]]:
    """Every complete line of a feed, parsed and valid against the article schema; a last line without its newline
    (cut by a kill) is ignored."""
    text = path.read_bytes().decode("utf-8")
    complete = text.split("\n")[:-1]
    return [article(line) for line in complete]


def _stored_urls(workdir: Path) -> set[str]:
    with SQLiteStateStore(workdir / ".state" / "tribun.sqlite3") as store:
        return {record.url for record in store.records()}


def test_default_feed_is_one_jsonl_file_per_run_named_by_spider_and_start_time(workdir: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _crawl(workdir, "-a", "count=3")
    after = datetime.now(UTC)
    (feed,) = _feed_files(workdir)
    assert FEED_NAME.match(feed.name)
    started = datetime.strptime(feed.stem, "%Y-%m-%dT%H-%M-%S").replace(tzinfo=UTC)
    assert before <= started <= after
    raw = feed.read_bytes()
    assert "\u2013".encode() in raw  # UTF-8, not \\u escapes
    items = _lines(feed)
    assert [item["url"] for item in items] == [_url(i) for i in range(3)]
    assert all(item["datePublished"] == "2024-06-20T08:15:00+07:00" for item in items)
    assert _stored_urls(workdir) == {_url(i) for i in range(3)}


def test_later_runs_add_only_new_articles_and_no_empty_files(workdir: Path) -> None:
    _crawl(workdir, "-a", "count=3")
    _crawl(workdir, "-a", "count=5")
    files_after_second = _feed_files(workdir)
    _crawl(workdir, "-a", "count=5")
    assert _feed_files(workdir) == files_after_second
    urls = [item["url"] for feed in files_after_second for item in _lines(feed)]
    assert sorted(urls) == sorted(_url(i) for i in range(5))


def test_output_option_replaces_the_default_feed(workdir: Path) -> None:
    _crawl(workdir, "-a", "count=2", "-O", "out.jsonl")
    assert [item["url"] for item in _lines(workdir / "out.jsonl")] == [_url(0), _url(1)]
    assert _feed_files(workdir) == []


def test_a_run_that_emits_nothing_into_a_named_feed_leaves_no_run_open(workdir: Path) -> None:
    """Scrapy opens the named feed of a run with nothing to export when the spider closes (FEED_STORE_EMPTY), after
    the crawl state closed the store: the run must not be marked open again, or every later run reads again, as
    of an unfinished run, what the runs after it record."""
    _crawl(workdir, "-a", "count=2", "-o", "out.jsonl")
    _crawl(workdir, "-a", "count=2", "-o", "out.jsonl")
    assert (workdir / "out.jsonl").exists()
    with SQLiteStateStore(workdir / ".state" / "tribun.sqlite3") as store:
        assert store.open_runs() == {}
        assert store.run_feeds() == {}
    third = _crawl(workdir, "-a", "count=2", "-o", "out.jsonl")
    assert "did not finish" not in third.stderr
    assert [item["url"] for item in _lines(workdir / "out.jsonl")] == [_url(0), _url(1)]


def _interrupt_when_stored(workdir: Path, signum: int, at_least: int) -> None:
    crawl = subprocess.Popen(
        _command("-a", "count=10000000"),
        cwd=workdir,
        env=_env(workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = workdir / ".state" / "tribun.sqlite3"
    try:
        deadline = time.monotonic() + 240  # a guard against a crawl that never emits, not a timing check
        while not (state.exists() and len(_stored_urls(workdir)) >= at_least):
            if crawl.poll() is not None:
                pytest.fail(f"crawl exited early with {crawl.returncode}")
            if time.monotonic() > deadline:
                pytest.fail("crawl emitted too little")
            time.sleep(0.05)
        crawl.send_signal(signum)
        crawl.wait(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_interrupted_run_keeps_feed_and_state_consistent_and_the_next_run_resumes(workdir: Path, signum: int) -> None:
    _interrupt_when_stored(workdir, signum, at_least=300)
    (first_feed,) = _feed_files(workdir)
    first = {item["url"] for item in _lines(first_feed)}
    stored = _stored_urls(workdir)
    assert len(stored) >= 300
    assert stored <= first, f"{len(stored - first)} article(s) recorded but missing from the feed"
    # A kill can fall between a line's write and its recording: at most that one line is not recorded.
    assert len(first - stored) <= 1

    total = len(stored) + 200
    _crawl(workdir, "-a", f"count={total}")
    # The next run's lines follow the first run's: in its own file, or in the same one when both began in one second.
    lines = [item["url"] for feed in _feed_files(workdir) for item in _lines(feed)]
    assert set(lines[: len(first)]) == first
    second = lines[len(first) :]
    # Not even the one line a kill may have left without its record is emitted again (state/recovery.py).
    assert not set(second) & first
    assert first | set(second) == {_url(i) for i in range(total)}
    assert len(second) == len(set(second))


# The process SIGKILLs itself in the item_scraped signal of its Nth item, at an exact point of the emission:
# before its feed line (a receiver connected before the feed exporter's: a lower EXTENSIONS order), or after the
# line and before the state record (after the feed exporter's; the dedupe pipeline connects its receiver after
# every extension's).
KILLER = textwrap.dedent(
    """
    import os, signal
    from scrapy import signals

    class KillAtItem:
        def __init__(self, at):
            self.at, self.seen = at, 0

        @classmethod
        def from_crawler(cls, crawler):
            killer = cls(crawler.settings.getint("KILL_AT_ITEM"))
            crawler.signals.connect(killer.item_scraped, signal=signals.item_scraped)
            return killer

        def item_scraped(self, item):
            self.seen += 1
            if self.seen == self.at:
                os.kill(os.getpid(), signal.SIGKILL)
    """
)
KILL_POINTS = {"before_line": -1, "after_line_before_record": 1}


def _killed_at_item(workdir: Path, point: str, at: int, *args: str) -> None:
    (workdir / "killer.py").write_text(KILLER, encoding="utf-8")
    (workdir / "killer_settings.py").write_text(
        "from tribun_crawler.settings import *  # noqa: F403\n"
        f"EXTENSIONS = {{**EXTENSIONS, 'killer.KillAtItem': {KILL_POINTS[point]}}}  # noqa: F405\n",
        encoding="utf-8",
    )
    env = {**_env(workdir), "SCRAPY_SETTINGS_MODULE": "killer_settings"}
    command = _command("-s", f"KILL_AT_ITEM={at}", *args)
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


@pytest.mark.parametrize("point", list(KILL_POINTS))
@pytest.mark.parametrize("output", [(), ("-o", "out.jsonl")], ids=["default_feed", "same_feed_appended"])
def test_a_kill_at_any_point_of_an_emission_leaves_each_article_in_exactly_one_line(
    workdir: Path, point: str, output: tuple[str, ...]
) -> None:
    at = 25  # in the second response
    _killed_at_item(workdir, point, at, "-a", "count=40", *output)
    feed = workdir / "out.jsonl" if output else _feed_files(workdir)[0]
    first = [item["url"] for item in _lines(feed)]
    stored = _stored_urls(workdir)
    # Items come in any order (two responses in parallel); the Nth is killed before its record either way.
    if point == "before_line":
        assert (len(first), stored) == (at - 1, set(first))
    else:
        assert (len(first), stored) == (at, set(first[:-1]))

    done = _crawl(workdir, "-a", "count=40", *output)
    # The re-run's feed: the same file with -o, else its own (or the same one, when both runs began in one second).
    feeds = [item["url"] for path in ([feed] if output else _feed_files(workdir)) for item in _lines(path)]
    assert sorted(feeds) == sorted(_url(i) for i in range(40))  # each article once: none lost, none twice
    assert _stored_urls(workdir) == {_url(i) for i in range(40)}
    recovered = re.findall(r"Recorded (\S+): written to (\S+) by run", done.stderr)
    assert recovered == ([] if point == "before_line" else [(first[-1], str(feed.resolve()))])


# --- The pieces, in process ----------------------------------------------------------------------------------


def _project_crawler(cli_output: list[str] | None = None) -> Any:
    """A crawler configured like `scrapy crawl` does: project settings, -o/-O merged into FEEDS, add-ons."""
    settings = {**project_settings_dict(project_settings), "ADDONS": {"tribun_crawler.feeds.DefaultFeed": 0}}
    if cli_output:
        settings["FEEDS"] = feed_process_params_from_cli(Settings(settings), cli_output)
    return get_crawler(TribunTestSpider, settings)


def test_default_feed_applies_only_when_no_output_is_named() -> None:
    assert "tribun_crawler.feeds.DefaultFeed" in project_settings.ADDONS
    feeds = _project_crawler().settings.getdict("FEEDS")
    default = f"{project_settings.TRIBUN_FEED_DIR}/%(name)s/%(time)s.jsonl"
    assert list(feeds) == [default]
    assert feeds[default] == {"format": "jsonlines", "encoding": "utf-8", "store_empty": False}
    assert list(_project_crawler(["out.jsonl"]).settings.getdict("FEEDS")) == ["out.jsonl"]


def test_time_in_feed_uris_is_the_start_time_in_utc() -> None:
    crawler = get_crawler(TribunTestSpider)
    spider = crawler.spidercls.from_crawler(crawler)
    crawler.stats.set_value("start_time", datetime(2024, 6, 20, 19, 5, 0, 123456, tzinfo=WIB))
    params = feed_uri_params({"name": "tribun", "time": "2024-06-20T12-05-07+00-00"}, spider)
    assert params == {"name": "tribun", "time": "2024-06-20T12-05-00"}
    uri = apply_uri_params("data/%(name)s/%(time)s.jsonl", params)
    assert uri == "data/tribun/2024-06-20T12-05-00.jsonl"


def test_file_storage_writes_through_without_a_buffer(tmp_path: Path) -> None:
    path = tmp_path / "data" / "tribun" / "run.jsonl"
    crawler = get_crawler(TribunTestSpider)
    storage = UnbufferedFileFeedStorage(str(path), feed_options={"overwrite": False})
    file = storage.open(crawler.spidercls.from_crawler(crawler))
    line = '{"headline": "Gempa M 5,1 Guncang Bali \u2013 Tak Berpotensi Tsunami"}\n'.encode()
    assert file.write(line) == len(line)
    # Another reader sees the line before any flush or close: it is in the operating system already.
    assert path.read_bytes() == line
    storage.store(file)
    assert file.closed
    again = UnbufferedFileFeedStorage(str(path), feed_options={"overwrite": False}).open(crawler.spider)
    again.write(line)
    again.close()
    assert path.read_bytes() == line * 2
    overwrite = UnbufferedFileFeedStorage(f"file://{path}", feed_options={"overwrite": True})
    overwrite.open(crawler.spider).close()
    assert path.read_bytes() == b""


@pytest.mark.parametrize("size", [0, 1, 70_000], ids=["no_line_before", "short_lines", "lines_over_a_read"])
def test_appending_to_a_json_lines_feed_first_removes_a_line_a_kill_cut(
    tmp_path: Path, size: int, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "out.jsonl"
    whole = "".join(f'{{"url": "https://www.tribunnews.com/x/{i}", "articleBody": "{"a" * size}"}}\n' for i in range(2))
    cut = '{"url": "https://www.tribunnews.com/x/cut", "articleBo'
    path.write_bytes(((whole if size else "") + cut).encode())
    crawler = get_crawler(TribunTestSpider)
    options = {"overwrite": False, "format": "jsonlines"}
    file = UnbufferedFileFeedStorage(str(path), feed_options=options).open(crawler.spidercls.from_crawler(crawler))
    file.write(b'{"url": "https://www.tribunnews.com/x/next"}\n')
    file.close()
    # Left in place, the cut line would have made the next one unreadable.
    expected = (whole if size else "") + '{"url": "https://www.tribunnews.com/x/next"}\n'
    assert path.read_bytes() == expected.encode()
    assert f"{len(cut)} byte(s) of a line cut by a killed run removed" in caplog.text
    # A file ending with its newline, and a feed of another format, are appended to as they are.
    for feed_options, text in (({"format": "jsonlines"}, "{}\n"), ({"format": "csv"}, "url,head")):
        path.write_text(text)
        UnbufferedFileFeedStorage(str(path), feed_options={"overwrite": False, **feed_options}).open(crawler.spider)
        assert path.read_text() == text


def test_a_json_lines_feed_is_noted_in_the_run_s_marker_before_its_first_line(tmp_path: Path) -> None:
    state_path = tmp_path / "state.sqlite3"
    feed = tmp_path / "data" / "out.jsonl"
    feed.parent.mkdir()
    feed.write_bytes(b'{"url": "https://www.tribunnews.com/x/earlier"}\n')
    crawler = make_crawler({"TRIBUN_STATE_BACKEND": "sqlite", "TRIBUN_STATE_PATH": str(state_path)})
    state = CrawlState.of(crawler)
    noted = {"format": "jsonlines", "overwrite": False}
    # Not read back: another format, some fields only, compressed.
    not_noted = [
        {"format": "csv"},
        {"format": "jsonlines", "fields": ["url"]},
        {"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]},
    ]
    for options in (noted, *not_noted):
        storage = build_from_crawler(UnbufferedFileFeedStorage, crawler, f"file://{feed}", feed_options=options)
        storage.open(crawler.spider).close()
    assert state.store.run_feeds() == {state.run_id: {str(feed.resolve()): feed.stat().st_size}}
    state.close("shutdown")
