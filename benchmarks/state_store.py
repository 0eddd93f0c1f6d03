"""How big and how fast the state store is, SQLite and Redis side by side (a benchmark, not a test).

Fills each store with synthetic article records shaped like the real ones (URL shapes and slug lengths of
the Tribun network, ids, syndicated copies), then measures:

- size: the SQLite file once its WAL is folded in; for Redis, ``MEMORY USAGE`` of the store's keys;
- bytes per article;
- lookups per second, one at a time as the downloader middleware asks (``get`` by article key), for articles
  the store has (hits) and for articles it does not (misses);
- fill rate (bulk ``put_many``).

    python benchmarks/state_store.py                  # 1,000,000 articles, both backends
    python benchmarks/state_store.py --n 100000       # smaller
    python benchmarks/state_store.py --backend sqlite --path /tmp/bench.sqlite3 --keep

Redis: ``--redis-url`` (default ``$REDIS_URL`` or redis://127.0.0.1:6379/15); the benchmark writes under a
prefix of its own and deletes it afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tribun_crawler.sites import SITES
from tribun_crawler.state import ArticleRecord, RedisStateStore, SQLiteStateStore, StateStore
from tribun_crawler.state.records import fingerprint, id_fingerprint, key_fingerprint

_WORDS = (
    *("banjir", "gempa", "pemilu", "presiden", "menteri", "warga", "polisi", "jakarta", "bali", "kota"),
    *("kabupaten", "jalan", "tol", "harga", "beras", "cabai", "naik", "turun", "sidang", "kasus", "korupsi"),
    *("kpk", "dpr", "partai", "calon", "gubernur", "bupati", "sekolah", "siswa", "guru", "rumah", "sakit"),
    *("pasien", "dokter", "laga", "persib", "persija", "timnas", "liga", "piala", "dunia", "artis", "viral"),
    *("korban", "tewas", "kecelakaan", "truk", "motor", "mobil", "kereta", "api", "bandara", "pesawat"),
    *("cuaca", "hujan", "angin", "kebakaran", "hutan", "lahan"),
)
_SECTIONS = ("nasional", "internasional", "regional", "metropolitan", "bisnis", "sport", "seleb", "techno")
_REGIONAL = [key for key in SITES if key != "www"]
_EPOCH_2019 = 1_546_300_800


def synthetic(i: int) -> tuple[ArticleRecord, list[int]]:
    """Article ``i``: 40% www dated, 30% regional dated, 20% www id, 10% regional id; a fifth are copies."""
    rng = random.Random(i)
    slug = "-".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 13))) + f"-{i}"
    published = _EPOCH_2019 + rng.randrange(7 * 365 * 86400)
    day = time.strftime("%Y/%m/%d", time.gmtime(published))
    shape = rng.random()
    # Ids are unique per site: 7 digits on www, 6 on the regional sites.
    if shape < 0.4 or 0.7 <= shape < 0.9:
        site, article_id = "www", 7_000_000 + i
    else:
        site, article_id = _REGIONAL[i % len(_REGIONAL)], 100_000 + i // len(_REGIONAL)
    if shape < 0.7:
        section = f"{rng.choice(_SECTIONS)}/" if site == "www" else ""
        url = f"https://{SITES[site].host}/{section}{day}/{slug}"
        aliases = [id_fingerprint(site, str(article_id))] if rng.random() < 0.5 else []
    else:
        url = f"https://{SITES[site].host}/{rng.choice(_SECTIONS)}/{article_id}/{slug}"
        aliases = []
    group = key_fingerprint(f"https://www.tribunnews.com/nasional/{day}/{slug}") if rng.random() < 0.2 else None
    record = ArticleRecord(
        key=key_fingerprint(url),
        url=url,
        body=fingerprint(f"body {i}"),
        published=published,
        modified=published + 3600 if rng.random() < 0.3 else None,
        recorded=(published + 60) * 1000,
        article_id=article_id,
        group=group,
    )
    return record, aliases


def records(n: int) -> Iterator[tuple[ArticleRecord, list[int]]]:
    return (synthetic(i) for i in range(n))


def lookups_per_second(store: StateStore, keys: list[int]) -> float:
    started = time.perf_counter()
    for key in keys:
        store.get(key)
    return len(keys) / (time.perf_counter() - started)


def measure(store: StateStore, n: int, lookups: int) -> dict[str, float]:
    started = time.perf_counter()
    store.put_many(records(n))
    fill = n / (time.perf_counter() - started)
    assert store.count() == n, f"{store.describe()} holds {store.count()} records, expected {n}"
    rng = random.Random(0)
    hits = [synthetic(rng.randrange(n))[0].key for _ in range(lookups)]
    misses = [key_fingerprint(f"https://www.tribunnews.com/nasional/2030/01/01/belum-ada-{i}") for i in range(lookups)]
    hit_rate = lookups_per_second(store, hits)
    miss_rate = lookups_per_second(store, misses)
    assert store.get(hits[0]) is not None
    assert store.get(misses[0]) is None
    size = store.size_bytes()
    return {
        "size": size,
        "per_article": size / n,
        "hits": hit_rate,
        "misses": miss_rate,
        "fill": fill,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles to store (default 1,000,000)")
    parser.add_argument("--lookups", type=int, default=100_000, help="lookups of each kind (default 100,000)")
    parser.add_argument("--backend", choices=("both", "sqlite", "redis"), default="both")
    parser.add_argument("--path", help="SQLite file (default: a temporary file, deleted afterwards)")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15", help="Redis server"
    )
    parser.add_argument("--keep", action="store_true", help="keep the filled stores")
    args = parser.parse_args(argv)

    results: dict[str, dict[str, float]] = {}
    if args.backend in ("both", "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(args.path or Path(folder) / "bench.sqlite3")
            with SQLiteStateStore(path) as sqlite_store:
                sqlite_store.reset()
                results["SQLite"] = measure(sqlite_store, args.n, args.lookups)
                if not args.keep:
                    sqlite_store.reset()
    if args.backend in ("both", "redis"):
        prefix = f"tribun-bench:{uuid.uuid4().hex[:8]}"
        with RedisStateStore(args.redis_url, prefix=prefix) as redis_store:
            try:
                results["Redis"] = measure(redis_store, args.n, args.lookups)
            finally:
                if not args.keep:
                    redis_store.reset()
            if args.keep:
                print(f"Redis store kept under prefix {prefix}")

    rows = [
        ("articles", lambda r: f"{args.n:,}"),
        ("size", lambda r: f"{r['size'] / 1e6:,.1f} MB"),
        ("bytes per article", lambda r: f"{r['per_article']:,.0f}"),
        ("lookups/s, known article", lambda r: f"{r['hits']:,.0f}"),
        ("lookups/s, unknown article", lambda r: f"{r['misses']:,.0f}"),
        ("bulk fill, articles/s", lambda r: f"{r['fill']:,.0f}"),
    ]
    names = list(results)
    print(f"{'':28}" + "".join(f"{name:>16}" for name in names))
    for label, cell in rows:
        print(f"{label:28}" + "".join(f"{cell(results[name]):>16}" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
