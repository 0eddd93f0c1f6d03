"""Recovery of a killed run's last feed line: an article in the feed that the state store never recorded.

A run writes an article's line to its feed, then records the article in the state store (the dedupe pipeline, on
``item_scraped``). Neither can be written together with the other, and neither order is safe alone against a
SIGKILL between the two writes:

- line first (the order used): killed after the line, before the record, the store lacks an article the feed has,
  and the next run emits it a second time;
- record first: killed after the record, before the line, the store claims an article no feed has, and it is
  lost (the next run drops it as unchanged).

So the line goes first and the store learns which feed files a run writes: the feed storage notes each local JSON
lines file when it opens it, before its first line, with the byte offset this run starts at
(:meth:`StateStore.add_run_feed`; ``feeds.UnbufferedFileFeedStorage``). When a crawl opens the store, it reads
back the feeds of the runs marked open that started before it (runs killed or stopped, ``state.runs``) from their
end, and records every whole line whose article the store does not hold as recorded since that run started, until
it meets a line that was recorded: lines are recorded in the order they are written, one item at a time (the feed
exporter's and the pipeline's ``item_scraped`` receivers run one after the other, without yielding), so only the
last lines, in practice the last one, can lack their record. Whatever instant the SIGKILL strikes:

- before the line, or in the middle of it (a last line without its newline is not a line): neither has the
  article, the next run fetches and emits it, once;
- after the line, before the record: recovered here, from the line; the next run reads it again as an article of
  an unfinished run (for its links) and drops it as unchanged;
- after the record: nothing to do.

A recovered article is recorded with the run's start as its time, so the next run reads it again like every
other article that run recorded. Its redirect aliases are not in the line and are not recovered: an old URL of
it is fetched again once, redirects to it and is dropped. A feed that is gone (moved, or written on another
machine of a distributed crawl) is skipped; reading a feed still being written by a live worker is harmless:
its lines end at one that is recorded, or at the one whose record is being written, which is the same record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tribun_crawler.state.base import StateStore
from tribun_crawler.state.records import ArticleRecord, ItemFingerprints, key_fingerprint

logger = logging.getLogger(__name__)

#: Bytes read at a time from a feed's end.
_CHUNK = 1 << 16


def recover_unrecorded_lines(store: StateStore, *, before: int) -> list[str]:
    """Record the articles that runs started before ``before`` (Unix ms) and not finished wrote to their feeds
    without recording them; returns their URLs, oldest run first."""
    started = store.open_runs()
    recovered: list[str] = []
    feeds = store.run_feeds()
    for run_id in sorted(feeds, key=lambda run: started.get(run, 0)):
        if run_id not in started or started[run_id] > before:
            continue
        for path, start in feeds[run_id].items():
            for record, aliases in unrecorded_lines(store, Path(path), start, started[run_id]):
                store.put(record, aliases)
                recovered.append(record.url)
                logger.warning(
                    "Recorded %s: written to %s by run %s, which stopped before recording it", record.url, path, run_id
                )
    return recovered


def unrecorded_lines(
    store: StateStore, path: Path, start: int, run_started: int
) -> Iterator[tuple[ArticleRecord, tuple[int, ...]]]:
    """The records (and aliases) of the last whole lines of ``path`` after byte ``start`` whose articles the store
    lacks, or holds as recorded before ``run_started`` (an update the run emitted): last line first, up to the first
    line the store has from the run."""
    try:
        feed = path.open("rb")
    except FileNotFoundError:
        logger.info("Feed %s of an unfinished run is not here (moved, or another machine's): not read back", path)
        return
    with feed:
        end = feed.seek(0, 2)
        for line in _whole_lines_backward(feed, min(start, end), end):
            item = _item(line)
            if item is None:
                logger.warning("Feed %s: a line that is not an article skipped: %.80r", path, line)
                continue
            fp = ItemFingerprints.of(item)
            stored = store.get(fp.key)
            if stored is not None and stored.recorded >= run_started:
                return
            duplicate_of = item.get("duplicateOf")
            original = key_fingerprint(duplicate_of) if isinstance(duplicate_of, str) and duplicate_of else None
            yield fp.record(item, original=original, recorded=run_started), fp.aliases()


def _item(line: bytes) -> dict[str, object] | None:
    try:
        item = json.loads(line)
    except ValueError:
        return None
    return item if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"] else None


def _whole_lines_backward(feed: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The lines of ``feed[start:end]`` that end with a newline (without it), last first; empty ones left out."""
    pos, rest, newline_seen = end, b"", False
    while pos > start:
        size = min(_CHUNK, pos - start)
        pos -= size
        feed.seek(pos)
        parts = (feed.read(size) + rest).split(b"\n")
        rest = parts[0]
        for part in reversed(parts[1:]):
            # The text after the last newline is a line cut by the kill: never an article.
            if newline_seen and part.strip():
                yield part
            newline_seen = True
    if newline_seen and rest.strip():
        yield rest
