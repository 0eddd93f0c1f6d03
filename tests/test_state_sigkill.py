"""A process writing the SQLite state is SIGKILLed mid-write: the file opens, is consistent, and takes writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tribun_crawler.state import ArticleRecord, SQLiteStateStore
from tribun_crawler.state.records import id_fingerprint, key_fingerprint

PROJECT = Path(__file__).resolve().parents[1]

# Writes record i (with an alias) for i = 0, 1, 2, ... until killed, one transaction per put() or per batch.
WRITER = textwrap.dedent(
    """
    import itertools, sys
    from tribun_crawler.state import SQLiteStateStore
    from tribun_crawler.state.records import ArticleRecord, id_fingerprint, key_fingerprint, now_ms

    path, batch = sys.argv[1], int(sys.argv[2])

    def record(i):
        url = f"https://www.tribunnews.com/nasional/2024/06/20/berita-nomor-{i}"
        return ArticleRecord(key=key_fingerprint(url), url=url, body=i, published=1718850000 + i,
                             recorded=now_ms(), article_id=7_000_000 + i), [id_fingerprint("www", str(7_000_000 + i))]

    with SQLiteStateStore(path) as store:
        records = (record(i) for i in itertools.count())
        if batch == 1:
            for stored, aliases in records:
                store.put(stored, aliases)
        else:
            store.put_many(records, batch=batch)
    """
)


def _url(i: int) -> str:
    return f"https://www.tribunnews.com/nasional/2024/06/20/berita-nomor-{i}"


def _kill_when_stored(path: Path, batch: int, at_least: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(batch)], env=env)
    try:
        deadline = time.monotonic() + 120  # a guard against a writer that never writes, not a timing check
        while True:
            if writer.poll() is not None:
                pytest.fail(f"writer exited early with {writer.returncode}")
            if path.exists():
                with SQLiteStateStore(path) as reader:
                    if reader.count() >= at_least:
                        break
            if time.monotonic() > deadline:
                pytest.fail("writer stored too little")
            time.sleep(0.05)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL


@pytest.mark.parametrize("batch", [1, 500], ids=["one put per transaction", "put_many batches"])
def test_sigkilled_writer_leaves_a_consistent_file(tmp_path: Path, batch: int) -> None:
    path = tmp_path / "state" / "tribun.sqlite3"
    _kill_when_stored(path, batch, at_least=2_000)
    with SQLiteStateStore(path) as store:
        assert store.integrity_errors() == []
        count = store.count()
        assert count >= 2_000
        # Transactions are all or nothing: whole batches, and records 0..count-1 exactly, each with its alias.
        assert count % batch == 0
        for i in range(count):
            stored = store.get(key_fingerprint(_url(i)))
            assert stored is not None
            assert (stored.url, stored.body, stored.article_id) == (_url(i), i, 7_000_000 + i)
            assert store.get(id_fingerprint("www", str(7_000_000 + i))) == stored
        assert store.get(key_fingerprint(_url(count))) is None
        # And the file takes writes again.
        store.put(ArticleRecord(key=1, url=_url(-1), body=0, published=None, recorded=0))
        assert store.count() == count + 1
