"""Where the memory of a benchmark crawl goes: a timeline of RSS and queue sizes, and tracemalloc's top lines.

A profiling aid, not a test. It replays the generated network of ``benchmarks/crawl.py`` (writing the HTTP cache
first unless ``--workdir`` already holds the cache of the same network) with the real ``scrapy crawl tribun`` and
one more extension, :class:`MemoryProfile`, which every ``--interval`` seconds appends to
``<workdir>/profile-<articles>.jsonl`` the process's RSS (now and peak), where it lives (``/proc/self/smaps``:
heap, anonymous maps, files) and what glibc's malloc holds (in use, free but kept, mmapped), the scheduler's
pending requests by priority, the fingerprints the dupefilter holds, the requests and responses alive (Scrapy's
``trackref``) and, with ``--tracemalloc``, the memory Python allocated; at each new high of that memory it dumps a
tracemalloc snapshot (``<workdir>/profile-<articles>.snapshot``). It then prints the timeline and the lines that
allocated most at the high. ``--compare`` prints what grew between two such snapshots (a small crawl's and a large
one's)::

    python benchmarks/memory.py --articles 5000 --workdir /tmp/m5k --tracemalloc 1
    python benchmarks/memory.py --articles 20000 --workdir /tmp/m20k --tracemalloc 1
    python benchmarks/memory.py --compare /tmp/m5k/profile-5000.snapshot /tmp/m20k/profile-20000.snapshot

tracemalloc slows the crawl down two to four times and adds its own memory, and its snapshots their own peaks, to
the RSS: compare peak RSS figures from runs without ``--tracemalloc`` (or from ``benchmarks/crawl.py``).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.trackref import live_refs
from twisted.internet import task

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

REPO_ROOT = Path(__file__).resolve().parents[1]
EXTENSION = "benchmarks.memory.MemoryProfile"


def proc_status(field: str) -> int:
    """A ``/proc/self/status`` figure (``VmRSS``: KiB resident now, ``VmHWM``: the peak so far, ``Threads``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def queued_by_priority(scheduler: Any) -> dict[str, int]:
    """Requests waiting in the scheduler's memory queue per priority (``start`` for start requests)."""
    counts: dict[str, int] = {}
    queues = getattr(getattr(scheduler, "mqs", None), "pqueues", {})
    for queue in queues.values():
        for kind, by_priority in (("", queue.queues), ("start ", getattr(queue, "_start_queues", {}))):
            for priority, waiting in by_priority.items():
                name = f"{kind}{-priority}"
                counts[name] = counts.get(name, 0) + len(waiting)
    return counts


def fingerprints_held(dupefilter: Any) -> int:
    """Requests the dupefilter remembers (the project's ``CompactDupeFilter`` or Scrapy's ``RFPDupeFilter``)."""
    for name in ("seen", "_fingerprints"):
        held = getattr(dupefilter, name, None)
        if held is not None:
            return len(held)
    return 0


def resident_by_kind() -> dict[str, float]:
    """Resident MiB per kind of mapping (``/proc/self/smaps``): the heap, anonymous maps (malloc arenas, pymalloc,
    big blocks), shared memory (SQLite's WAL index) and files (code)."""
    kinds: dict[str, float] = {}
    kind = "anon"
    for line in Path("/proc/self/smaps").read_text().splitlines():
        first = line.split(None, 1)[0]
        if not first.endswith(":"):
            fields = line.split()
            path = fields[5] if len(fields) > 5 else ""
            kind = "heap" if path == "[heap]" else "stack" if path.startswith("[stack") else "anon"
            if path.startswith("/"):
                kind = "shm" if path.endswith("-shm") or path.startswith("/dev/shm") else "file"
        elif first == "Rss:":
            kinds[kind] = kinds.get(kind, 0.0) + int(line.split()[1]) / 1024
    return {name: round(mib, 1) for name, mib in sorted(kinds.items())}


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def malloc_mib() -> dict[str, float]:
    """glibc's view of the C heap: in use, free but kept (fragmentation) and mmapped blocks, in MiB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {
        "in_use": round(info.uordblks / 2**20, 1),
        "free": round(info.fordblks / 2**20, 1),
        "mmapped": round(info.hblkhd / 2**20, 1),
    }


class MemoryProfile:
    """Extension: samples memory and queue sizes to ``TRIBUN_MEMPROFILE_PATH`` (JSON lines), see the module."""

    def __init__(self, crawler: Crawler, path: Path, *, interval: float, frames: int) -> None:
        self.crawler = crawler
        self.path = path
        self.interval = interval
        self.frames = frames
        self.snapshot_path = path.with_suffix(".snapshot")
        self.started = time.monotonic()
        self.dumped_traced = 0
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("TRIBUN_MEMPROFILE_PATH")
        if not path:
            raise NotConfigured("TRIBUN_MEMPROFILE_PATH is not set")
        extension = cls(
            crawler,
            Path(path),
            interval=crawler.settings.getfloat("TRIBUN_MEMPROFILE_INTERVAL", 10.0),
            frames=crawler.settings.getint("TRIBUN_MEMPROFILE_TRACEMALLOC", 0),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        if self.frames and not tracemalloc.is_tracing():
            tracemalloc.start(self.frames)
        self.path.write_text("")
        self.loop = task.LoopingCall(self.sample)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.sample(final=True)

    def sample(self, *, final: bool = False) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        scheduler = getattr(slot, "scheduler", None)
        dupefilter = getattr(scheduler, "df", None)
        scraper_slot = getattr(engine.scraper, "slot", None)
        stats = self.crawler.stats
        row: dict[str, Any] = {
            "t": round(time.monotonic() - self.started, 1),
            "final": final,
            "rss_mib": round(proc_status("VmRSS") / 1024, 1),
            "hwm_mib": round(proc_status("VmHWM") / 1024, 1),
            "scheduled": len(scheduler) if scheduler is not None and not final else None,
            "by_priority": queued_by_priority(scheduler) if not final else None,
            "fingerprints": fingerprints_held(dupefilter),
            "in_progress": len(getattr(slot, "inprogress", ())),
            "downloading": len(engine.downloader.active),
            "scraping": len(getattr(scraper_slot, "active", ())),
            "responses": stats.get_value("response_received_count", 0),
            "items": stats.get_value("item_scraped_count", 0),
            "alive": {cls.__name__: len(refs) for cls, refs in live_refs.items() if refs},
            "resident": resident_by_kind(),
            "malloc": malloc_mib(),
            "gc_collections": [generation["collections"] for generation in gc.get_stats()],
            "threads": proc_status("Threads"),
        }
        if final:
            gc.collect()
            row["alive_after_gc"] = {cls.__name__: len(refs) for cls, refs in live_refs.items() if refs}
        if tracemalloc.is_tracing():
            traced, peak = tracemalloc.get_traced_memory()
            row["traced_mib"] = round(traced / 2**20, 1)
            row["traced_peak_mib"] = round(peak / 2**20, 1)
            if traced > self.dumped_traced * 1.05:
                tracemalloc.take_snapshot().dump(str(self.snapshot_path))
                self.dumped_traced = traced
                row["snapshot"] = True
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


# --- The command line ------------------------------------------------------------------------------------------


@dataclass
class Profiled:
    returncode: int
    max_rss_kb: int
    cpu: float
    elapsed: float
    pages: int
    items: int
    samples: list[dict[str, Any]]


def extensions_with_profile() -> str:
    """The project's EXTENSIONS plus :class:`MemoryProfile`, as JSON (``-s EXTENSIONS=`` replaces the dict)."""
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    extensions = dict(get_project_settings().getdict("EXTENSIONS"))
    extensions[EXTENSION] = 900
    return json.dumps(extensions)


def profiled_crawl(args: argparse.Namespace) -> Profiled:
    from benchmarks.crawl import scrapy_crawl  # noqa: PLC0415
    from benchmarks.replica_cache import build_network, start_urls, write_cache  # noqa: PLC0415
    from tribun_crawler.sites import WIB  # noqa: PLC0415

    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    today = datetime.now(WIB).date()
    net = build_network(args.articles, today=today, seed=args.seed)
    cache = workdir / "httpcache"
    marker = workdir / "network.json"
    wanted = {"articles": args.articles, "seed": args.seed, "today": today.isoformat()}
    if not (marker.exists() and json.loads(marker.read_text()) == wanted):
        write_cache(net, cache, progress=lambda n: print(f"  {n:,} responses written", flush=True))
        marker.write_text(json.dumps(wanted))
    (workdir / "state.sqlite3").unlink(missing_ok=True)
    samples = workdir / f"profile-{args.articles}.jsonl"
    extra = {
        "TRIBUN_RELATED_DEPTH": str(args.depth),
        "EXTENSIONS": extensions_with_profile(),
        "TRIBUN_MEMPROFILE_PATH": str(samples),
        "TRIBUN_MEMPROFILE_INTERVAL": str(args.interval),
        "TRIBUN_MEMPROFILE_TRACEMALLOC": str(args.tracemalloc),
        **dict(setting.split("=", 1) for setting in args.set),
    }
    run = scrapy_crawl(workdir, cache, start_urls(net), name=f"memory-{args.articles}", extra=extra)
    rows = [json.loads(line) for line in samples.read_text().splitlines()] if samples.exists() else []
    return Profiled(run.returncode, run.max_rss_kb, run.cpu, run.elapsed, run.pages, run.items, rows)


def print_timeline(profiled: Profiled) -> None:
    print(
        f"exit {profiled.returncode}; {profiled.pages:,} pages, {profiled.items:,} articles in "
        f"{profiled.elapsed:,.0f} s ({profiled.cpu:,.0f} s CPU); peak RSS {profiled.max_rss_kb / 1024:,.0f} MiB"
    )
    print("MiB: RSS, of which heap and anonymous maps; malloc's free but kept; Python's traced")
    print(
        f"{'t s':>7} {'RSS':>5} {'heap':>5} {'anon':>5} {'free':>5} {'traced':>6} {'pages':>7} {'items':>7} "
        f"{'queued':>7} {'seen':>7}  alive"
    )
    for row in profiled.samples:
        alive = ", ".join(f"{name} {count}" for name, count in sorted(row["alive"].items()) if count >= 10)
        traced = f"{row['traced_mib']:6.0f}" if "traced_mib" in row else f"{'':>6}"
        queued = "" if row["scheduled"] is None else f"{row['scheduled']:,}"
        resident, free = row["resident"], row["malloc"].get("free", 0.0)
        print(
            f"{row['t']:7.0f} {row['rss_mib']:5.0f} {resident.get('heap', 0):5.0f} {resident.get('anon', 0):5.0f} "
            f"{free:5.0f} {traced} {row['responses']:7,} {row['items']:7,} {queued:>7} {row['fingerprints']:7,}  "
            f"{alive}{' *' if row.get('snapshot') else ''}"
        )


def print_top(snapshot_path: Path, limit: int) -> None:
    snapshot = tracemalloc.Snapshot.load(str(snapshot_path))
    total = sum(stat.size for stat in snapshot.statistics("filename"))
    print(f"\ntracemalloc at the high ({total / 2**20:,.1f} MiB traced), top {limit} lines:")
    for stat in snapshot.statistics("lineno")[:limit]:
        print(f"  {stat.size / 2**20:8.2f} MiB {stat.count:9,} blocks  {stat.traceback[0]}")


def print_compare(small: Path, large: Path, limit: int) -> None:
    before = tracemalloc.Snapshot.load(str(small))
    after = tracemalloc.Snapshot.load(str(large))
    print(f"grown from {small.name} to {large.name}, top {limit} lines:")
    for stat in after.compare_to(before, "lineno")[:limit]:
        print(
            f"  {stat.size / 2**20:8.2f} MiB ({stat.size_diff / 2**20:+8.2f}) {stat.count:9,} blocks "
            f"({stat.count_diff:+9,})  {stat.traceback[0]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the network (default 5,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--depth", type=int, default=2, help="TRIBUN_RELATED_DEPTH of the crawl (default 2)")
    parser.add_argument("--workdir", type=Path, help="cache, state, log and samples (the cache is reused)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples (default 10)")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace allocations")
    parser.add_argument("--top", type=int, default=25, help="lines listed from a snapshot (default 25)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="more settings")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("SMALL", "LARGE"), help="compare two snapshots")
    args = parser.parse_args(argv)
    if args.compare:
        small, large = args.compare
        print_compare(small, large, args.top)
        return 0
    if args.workdir is None:
        parser.error("--workdir is needed (the cache is kept there for the next profile)")
    profiled = profiled_crawl(args)
    print_timeline(profiled)
    snapshot = args.workdir.resolve() / f"profile-{args.articles}.snapshot"
    if args.tracemalloc and snapshot.exists():
        print_top(snapshot, args.top)
    return profiled.returncode


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    sys.exit(main())
