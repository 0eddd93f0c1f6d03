"""Feed output: one JSONL file per run, written so that a killed run leaves only whole lines behind.

- :class:`DefaultFeed` (add-on) sets ``FEEDS`` to ``TRIBUN_DEFAULT_FEEDS`` when nothing else names an output.
  Scrapy merges ``-o``/``-O`` into ``FEEDS`` rather than replacing it, so a ``FEEDS`` in the settings would
  still be written next to ``-O out.jsonl``; as an add-on default, ``-o``, ``-O`` and ``-s FEEDS=…`` replace it.
- :class:`UnbufferedFileFeedStorage` replaces Scrapy's file storage (``FEED_STORAGES``, ``""`` and ``file``):
  each item's line goes to the operating system in the write that exports it, instead of waiting in an
  8 KiB buffer. The dedupe pipeline records an article in the state store right after that write, so a
  SIGKILL can no longer lose a line the store already claims; the next run fetches what the store lacks. A
  ``jsonlines`` file is noted in the run's marker when opened, before its first line (``CrawlState.feed_opened``),
  so that the next run records the line a SIGKILL left without its record (``state/recovery.py``); appended to,
  it first loses the unfinished line a SIGKILL may have left at its end, which would swallow the next line.
- :func:`feed_uri_params` (``FEED_URI_PARAMS``) makes ``%(time)s`` the run's start time in UTC as
  ``2024-06-20T12-05-00``, so ``data/%(name)s/%(time)s.jsonl`` names one file per spider run. Every other
  parameter is one harmless file name (:func:`path_component`): parameters are the spider's attributes, which
  ``-a name=…`` and any ``-a`` argument set, and ``-a name=../../etc`` must not write outside ``data/``.
"""

from __future__ import annotations

import io
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.settings import BaseSettings

from tribun_crawler.state.crawl import CrawlState

logger = logging.getLogger(__name__)

#: Format of ``%(time)s`` in feed URIs: sortable, and no ``:`` (not allowed in Windows file names).
TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"
#: What would let a value written into a feed path leave its folder or change the URI: path separators (``\``
#: on Windows), the drive colon, ``%`` (``file:`` URIs are percent-decoded: ``%2e%2e%2f``), ``?`` and ``#``, and
#: NUL and the other control characters.
_NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\:%?#]")
#: Bytes read at a time when looking for the end of a feed's last whole line.
_CHUNK = 1 << 16
#: Longest file name written: most file systems take 255 bytes, and the template adds its own suffix.
_MAX_NAME = 100


class _WholeWriteFile(io.FileIO):
    """An unbuffered file whose ``write`` returns only once every byte has reached the operating system."""

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        written = 0
        while written < len(view):
            written += super().write(view[written:]) or 0
        return written


#: Feed formats whose lines the next run can read back (``state/recovery.py``): Scrapy's names of JSON lines.
_LINE_FORMATS = frozenset({"jsonlines", "jsonl"})


class UnbufferedFileFeedStorage(FileFeedStorage):
    """Scrapy's local file feed storage (append, or overwrite with ``-O``), without a write buffer."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None):
        super().__init__(uri, feed_options=feed_options)
        options = feed_options or {}
        # Lines the next run can read back as whole items: JSON lines, uncompressed, every field.
        self._lines = options.get("format") in _LINE_FORMATS and not options.get("postprocessing")
        self._crawler = crawler if self._lines and not options.get("fields") else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> Self:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._lines and self.write_mode != "wb":
            _drop_cut_line(path)
        file = _WholeWriteFile(path, "w" if self.write_mode == "wb" else "a")
        # Asked now, not when built: Scrapy builds a storage once while the extensions are still being built.
        state = self._crawler.get_extension(CrawlState) if self._crawler is not None else None
        if state is not None:
            # Noted before the first line is written: a line the store lacks is always in a noted feed.
            state.feed_opened(str(path.resolve()), os.fstat(file.fileno()).st_size)
        return file


def _drop_cut_line(path: Path) -> None:
    """Remove the end of a JSON lines file after its last newline: a line a killed run had not finished writing.

    Appended to as it is, it would become the start of this run's first line and take that article with it. It is
    never an article the state store knows (an article is recorded only after its whole line is written). The
    exporter writes each line in one ``write`` to a file opened for appending, which the operating system does not
    interleave with other writers' nor, short of a full disk, cut: another crawl still appending to the same file
    shows no part of a line at its end.
    """
    try:
        feed = path.open("r+b")
    except FileNotFoundError:
        return
    with feed:
        end = pos = feed.seek(0, os.SEEK_END)
        while pos > 0:
            size = min(_CHUNK, pos)
            pos -= size
            feed.seek(pos)
            newline = feed.read(size).rfind(b"\n")
            if newline >= 0:
                pos += newline + 1
                break
        if pos < end:
            feed.truncate(pos)
            logger.warning(
                "Feed %s: %d byte(s) of a line cut by a killed run removed before appending", path, end - pos
            )


def path_component(value: str) -> str:
    """``value`` as one file name that stays in its folder: never ``.``, ``..`` or empty, no separator."""
    name = _NOT_IN_NAME.sub("_", value)[:_MAX_NAME]
    return name if name.strip(".") else "_"


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: ``%(time)s`` is the crawl's start time (UTC) as ``2024-06-20T12-05-00``; every other
    parameter but a number is made one file name (:func:`path_component`)."""
    safe = {
        key: value if isinstance(value, int | float) else path_component(str(value)) for key, value in params.items()
    }
    started = spider.crawler.stats.get_value("start_time")
    if not isinstance(started, datetime):
        started = datetime.now(UTC)
    safe["time"] = started.astimezone(UTC).strftime(TIME_FORMAT)
    return safe


class DefaultFeed:
    """Add-on: the default feed (``TRIBUN_DEFAULT_FEEDS``) for a run whose command line names no output."""

    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getdict("FEEDS"):
            return
        settings.set("FEEDS", settings.getdict("TRIBUN_DEFAULT_FEEDS"), priority="addon")
