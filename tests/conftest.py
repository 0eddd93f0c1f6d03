"""Fixtures for the pipeline and state tests: real crawlers built from the project settings, both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler

from tests.crawl import spider_today
from tests.replica import Replica, start_replica
from tribun_crawler import settings as project_settings
from tribun_crawler.items import ArticleItem
from tribun_crawler.sites import WIB
from tribun_crawler.state.crawl import CrawlState

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def project_settings_dict(module: ModuleType) -> dict[str, Any]:
    return {name: value for name, value in vars(module).items() if name.isupper()}


def with_tribun_defaults(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """``settings`` over the defaults of the project's own ``TRIBUN_*`` settings, and nothing else of the project.

    The components read their settings without a fallback (each default lives in ``settings.py`` only), so a
    crawler built from Scrapy's defaults for a test of one component needs these.
    """
    defaults = {
        name: value for name, value in project_settings_dict(project_settings).items() if name.startswith("TRIBUN_")
    }
    return {**defaults, **(settings or {})}


class TribunTestSpider(Spider):
    name = "tribun"


# --- Redis ---------------------------------------------------------------------------------------------------


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL from the environment, else database 15 of a server on 127.0.0.1:6379; when neither answers, a
    redis-server of the tests' own (tests/redis_server.py), and a skip when redis-server is not installed."""
    url = os.environ.get("REDIS_URL") or DEFAULT_TEST_REDIS_URL
    if _answers(url):
        yield url
        return
    from tests.redis_server import redis_server

    yield from redis_server(tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="module")
def own_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the module's own (tests/redis_server.py), for the distributed tests, whose run keys are not
    prefixed: nothing else may share it. Skips when redis-server is not installed."""
    from tests.redis_server import redis_server

    yield from redis_server(tmp_path_factory.mktemp("redis"))


@pytest.fixture
def emptied_redis_url(own_redis_url: str) -> Iterator[str]:
    """The module's own redis-server (``own_redis_url``), emptied after the test."""
    yield own_redis_url
    client = redis.Redis.from_url(own_redis_url)
    client.flushdb()
    client.close()


@pytest.fixture
def fresh_redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own, for the end-to-end distributed runs: their keys are not prefixed and a
    test's runs follow one another on it, so nothing else may share it, not even the module's other tests."""
    from tests.redis_server import redis_server

    folder = tmp_path / "redis"
    folder.mkdir()
    yield from redis_server(folder)


@pytest.fixture
def server(emptied_redis_url: str) -> Iterator[redis.Redis]:
    """A client of the module's own redis-server, emptied after the test."""
    client = redis.Redis.from_url(emptied_redis_url)
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys (and only they) are deleted afterwards."""
    prefix = f"tribun-test:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.unlink(*keys)
    finally:
        client.close()


# --- Settings and crawlers -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_settings(tmp_path: Any) -> dict[str, Any]:
    return {
        "TRIBUN_STATE_BACKEND": "sqlite",
        "TRIBUN_STATE_PATH": str(tmp_path / "state" / "tribun.sqlite3"),
        "REDIS_URL": None,
    }


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def state_settings(request: pytest.FixtureRequest, tmp_path: Any) -> dict[str, Any]:
    """Settings selecting one backend: SQLite in a temporary folder, or Redis under a test-only prefix."""
    if request.param == "sqlite":
        return {
            "TRIBUN_STATE_BACKEND": "sqlite",
            "TRIBUN_STATE_PATH": str(tmp_path / "state" / "tribun.sqlite3"),
            "REDIS_URL": None,
        }
    return {
        "TRIBUN_STATE_BACKEND": "redis",
        "REDIS_URL": request.getfixturevalue("redis_url"),
        "TRIBUN_REDIS_PREFIX": request.getfixturevalue("redis_prefix"),
    }


def make_crawler(settings: dict[str, Any] | None = None, **spider_kwargs: Any) -> Crawler:
    """A real crawler with the project settings (feeds off unless given), its spider created from them."""
    crawler = get_crawler(
        TribunTestSpider,
        {**project_settings_dict(project_settings), "TRIBUN_DEFAULT_FEEDS": {}, **(settings or {})},
    )
    crawler.spider = crawler.spidercls.from_crawler(crawler, **spider_kwargs)
    return crawler


class PipelineRun:
    """The project's ITEM_PIPELINES in their configured order, driven the way Scrapy's scraper drives them.

    ``feed(item)`` passes an item through every pipeline; an item that comes out is announced with the
    ``item_scraped`` signal (the feed exporter writes it then, and the dedupe pipeline records it after).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        #: How the crawl ends, as Scrapy's ``spider_closed`` tells the crawl state after the pipelines closed.
        self.reason = "finished"
        paths = build_component_list(crawler.settings.get_component_priority_dict_with_base("ITEM_PIPELINES"))
        self.pipelines = [build_from_crawler(load_object(path), crawler) for path in paths]
        self.emitted: list[Any] = []
        self.dropped: list[str] = []

    def __enter__(self) -> PipelineRun:
        for pipeline in self.pipelines:
            if hasattr(pipeline, "open_spider"):
                pipeline.open_spider()
        return self

    def __exit__(self, *exc: object) -> None:
        for pipeline in reversed(self.pipelines):
            if hasattr(pipeline, "close_spider"):
                pipeline.close_spider()
        CrawlState.of(self.crawler).close(self.reason)

    def process(self, item: Any) -> Any | None:
        """The item out of the pipelines, still in flight (no ``item_scraped`` yet), or None when dropped."""
        try:
            for pipeline in self.pipelines:
                item = pipeline.process_item(item)
        except DropItem as exc:
            self.dropped.append(str(exc))
            return None
        return item

    def feed(self, item: Any) -> Any | None:
        """The item as emitted, or None when a pipeline dropped it (its message is kept in ``dropped``)."""
        item = self.process(item)
        if item is None:
            return None
        self.crawler.signals.send_catch_log(
            signal=signals.item_scraped, item=item, response=None, spider=self.crawler.spider
        )
        self.emitted.append(item)
        return item

    def stat(self, name: str) -> Any:
        return self.crawler.stats.get_value(name)


@pytest.fixture
def pipeline_run() -> Any:
    """``pipeline_run(settings, **spider_kwargs)``: a :class:`PipelineRun` on a fresh crawler."""

    def build(settings: dict[str, Any] | None = None, **spider_kwargs: Any) -> PipelineRun:
        return PipelineRun(make_crawler(settings, **spider_kwargs))

    return build


# --- Articles ------------------------------------------------------------------------------------------------

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def tribun_date(moment: datetime, zone: str = "WIB") -> str:
    """A time as article pages print it: ``Senin, 4 Mei 2020 04:25 WIB``."""
    return f"{_DAYS[moment.weekday()]}, {moment.day} {_MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M} {zone}"


def hours_ago(hours: float) -> datetime:
    return datetime.now(WIB).replace(microsecond=0) - timedelta(hours=hours)


#: Bodies shaped like the extractor's output for real Tribun stories: dateline first, paragraphs apart.
BODIES = {
    "banjir": (
        "TRIBUNNEWS.COM, JAKARTA - Banjir merendam sedikitnya 34 rukun tetangga (RT) di Jakarta Timur dan "
        "Jakarta Selatan pada Kamis (20/6/2024) pagi setelah hujan deras mengguyur sejak Rabu malam.\n\n"
        "Kepala Pelaksana BPBD DKI Jakarta, Isnawa Adji, mengatakan ketinggian air bervariasi antara 30 "
        "sentimeter hingga 1,2 meter di permukiman yang berada di bantaran Kali Ciliwung.\n\n"
        '"Petugas gabungan sudah kami kerahkan untuk mengevakuasi warga lanjut usia dan anak-anak," kata '
        "Isnawa kepada wartawan di Balai Kota.\n\n"
        "Warga yang mengungsi ditampung sementara di masjid dan sekolah terdekat. Dinas Sosial menyiapkan "
        "dapur umum serta bantuan selimut dan makanan siap saji."
    ),
    "korea": (
        "TRIBUNNEWS.COM, SEOUL - Korea Utara kembali menerbangkan ratusan balon berisi sampah ke wilayah "
        "Korea Selatan pada Sabtu malam, menurut Kepala Staf Gabungan Korea Selatan.\n\n"
        "Balon-balon itu membawa kantong plastik berisi kertas bekas, puntung rokok, dan potongan kain. "
        "Militer meminta warga tidak menyentuh benda tersebut dan segera melapor.\n\n"
        "Pyongyang menyebut pengiriman balon sebagai balasan atas selebaran propaganda yang diterbangkan "
        "aktivis dari Korea Selatan melintasi perbatasan.\n\n"
        "Kementerian Unifikasi di Seoul menyatakan akan mengambil langkah tegas bila provokasi berlanjut."
    ),
    "pilkada": (
        "TRIBUNJATENG.COM, SEMARANG - Komisi Pemilihan Umum (KPU) Jawa Tengah menetapkan jadwal pendaftaran "
        "pasangan calon gubernur dan wakil gubernur pada akhir Agustus 2024.\n\n"
        "Ketua KPU Jateng, Handi Tri Ujiono, menjelaskan bahwa partai politik atau gabungan partai harus "
        "memenuhi ambang batas 20 persen kursi DPRD untuk mengusung pasangan calon.\n\n"
        "Selain itu, calon perseorangan wajib menyerahkan dukungan minimal 7,5 persen dari daftar pemilih "
        "tetap yang tersebar di lebih dari separuh kabupaten dan kota.\n\n"
        "KPU juga membuka layanan konsultasi bagi bakal pasangan calon sebelum masa pendaftaran dimulai."
    ),
    "gempa": (
        "TRIBUN-BALI.COM, DENPASAR - Gempa bermagnitudo 5,1 mengguncang wilayah selatan Bali pada Jumat "
        "dini hari, namun tidak berpotensi tsunami.\n\n"
        "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mencatat pusat gempa berada di laut pada "
        "kedalaman 98 kilometer, sekitar 120 kilometer barat daya Kuta Selatan.\n\n"
        "Guncangan dirasakan cukup kuat di Denpasar, Badung, dan Gianyar selama beberapa detik sehingga "
        "sebagian warga sempat berlarian ke luar rumah.\n\n"
        "Hingga pagi hari belum ada laporan kerusakan bangunan maupun korban jiwa dari pemerintah daerah."
    ),
}


def make_article(
    url: str = "https://www.tribunnews.com/metropolitan/2024/06/20/banjir-rendam-34-rt-di-jakarta",
    body: str = "banjir",
    **fields: Any,
) -> ArticleItem:
    """An item as the article extractor returns it for a real-shaped Tribun story."""
    item = ArticleItem(
        url=url,
        site=None,
        headline="Banjir Rendam 34 RT di Jakarta Timur dan Selatan, Warga Mengungsi",
        description="Banjir merendam sedikitnya 34 RT di Jakarta Timur dan Jakarta Selatan.",
        articleBody=BODIES.get(body, body),
        datePublished="2024-06-20T08:15:00+07:00",
        datePublishedRaw="Kamis, 20 Juni 2024 08:15 WIB",
        authors=[{"name": "Laporan Wartawan Tribunnews.com, Danang Triatmojo", "url": None}],
        editors=[{"name": "Adi Suhendi", "url": "https://www.tribunnews.com/editor/adi-suhendi"}],
        articleSection="Metropolitan",
        keywords=["banjir Jakarta", "BPBD DKI"],
        dateDownloaded="2024-06-20T02:00:00+00:00",
    )
    return replace(item, **fields)


def published_hours_ago(hours: float) -> dict[str, str]:
    """datePublished/datePublishedRaw fields for an article published ``hours`` ago."""
    moment = hours_ago(hours)
    return {"datePublished": moment.isoformat(), "datePublishedRaw": tribun_date(moment)}


@pytest.fixture
def replica(tmp_path: Any) -> Iterator[Replica]:
    """The replica network on 127.0.0.1 (tests/replica), its "today" the spider's, stopped after the test."""
    with start_replica(tmp_path, today=spider_today()) as running:
        yield running


@pytest.fixture
def slow_replica(tmp_path: Any) -> Iterator[Replica]:
    """The replica network answering every request after 50 ms: distributed workers overlap as against the real
    site, and a test can act while the crawl is under way."""
    with start_replica(tmp_path, today=spider_today(), latency=0.05) as running:
        yield running
