"""DeduplicatePipeline behind normalise and validate, on both state backends: within a run and across runs."""

from __future__ import annotations

from typing import Any

import pytest
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import signals
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.misc import build_from_crawler

from tests.conftest import BODIES, PipelineRun, make_article, make_crawler
from tribun_crawler.pipelines.dedupe import DeduplicatePipeline
from tribun_crawler.state import open_store
from tribun_crawler.state.records import ItemFingerprints, body_fingerprint, key_fingerprint, unix_time

ORIGINAL_URL = "https://www.tribunnews.com/internasional/2024/06/22/korea-utara-kembali-terbangkan-balon-sampah"
JATENG_URL = "https://jateng.tribunnews.com/2024/06/22/korea-utara-kembali-terbangkan-balon-sampah"
BANYUMAS_URL = "https://banyumas.tribunnews.com/2024/06/22/korut-terbangkan-lagi-balon-berisi-sampah"
JOGJA_URL = "https://jogja.tribunnews.com/2024/06/22/korea-utara-lagi-lagi-kirim-balon-sampah-ke-korsel"


def original(**fields: Any) -> Any:
    values = {
        "url": ORIGINAL_URL,
        "body": "korea",
        "headline": "Korea Utara Kembali Terbangkan Balon Sampah ke Korea Selatan",
        "datePublished": "2024-06-22T21:05:00+07:00",
    }
    return make_article(**{**values, **fields})


def syndicated_copy(url: str, brand: str, *, footer: bool = True, extra: str = "", **fields: Any) -> Any:
    """A regional republication: its own dateline, maybe a paragraph of its own, the footer naming the original."""
    body = BODIES["korea"].replace("TRIBUNNEWS.COM, SEOUL", f"{brand.upper()}, SEOUL")
    if extra:
        body += "\n\n" + extra
    if footer:
        body += (
            "\n\nArtikel ini telah tayang di Tribunnews.com dengan judul Korea Utara Kembali Terbangkan "
            f"Balon Sampah ke Korea Selatan, {ORIGINAL_URL.replace('www.', 'm.')}?page=all"
            "\n\nPenulis: Whiesa Daniswara | Editor: Wahyu Aji"
        )
    return make_article(
        url=url,
        body=body,
        headline="Korea Utara Kembali Terbangkan Balon Sampah ke Korea Selatan",
        datePublished="2024-06-22T22:30:00+07:00",
        **fields,
    )


REGIONAL_PARAGRAPH = (
    "Sejumlah warga Indonesia yang tinggal di Seoul mengaku tetap beraktivitas seperti biasa dan mengikuti "
    "imbauan Kedutaan Besar Republik Indonesia."
)


@pytest.fixture
def run(pipeline_run: Any, state_settings: dict[str, Any]) -> Any:
    with pipeline_run(state_settings) as run:
        yield run


# --- Within one run -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        ORIGINAL_URL.replace("www.", "m.").replace(".com/", ".com/amp/"),
        ORIGINAL_URL + "?page=all",
        ORIGINAL_URL + "?utm_source=facebook#komentar",
    ],
)
def test_same_canonical_url_is_one_item(run: PipelineRun, variant: str) -> None:
    assert run.feed(original()) is not None
    assert run.feed(original(url=variant)) is None
    assert run.stat("tribun/duplicates/url") == 1
    assert run.dropped == [f"duplicate (url) of {ORIGINAL_URL}: {ORIGINAL_URL}"]


def test_same_article_id_on_the_same_site_is_one_item(run: PipelineRun) -> None:
    dated = original(articleId="7731367")
    by_id = original(url="https://www.tribunnews.com/internasional/7731367/korea-utara-kembali-terbangkan")
    assert run.feed(dated) is not None
    assert run.feed(by_id) is None
    assert run.stat("tribun/duplicates/id") == 1


def test_same_article_id_on_another_site_is_another_article(run: PipelineRun) -> None:
    www = make_article(url="https://www.tribunnews.com/nasional/7731367/banjir-jakarta", body="banjir")
    regional = make_article(url="https://wartakota.tribunnews.com/bekasi/7731367/pilkada", body="pilkada")
    assert run.feed(www) is not None
    assert run.feed(regional) is not None
    assert not [k for k in run.crawler.stats.get_stats() if k.startswith("tribun/duplicates/")]


def test_different_stories_are_all_emitted(run: PipelineRun) -> None:
    for name in BODIES:
        url = f"https://www.tribunnews.com/nasional/2024/06/20/{name}-hari-ini"
        assert run.feed(make_article(url=url, body=name)) is not None
    assert len(run.emitted) == len(BODIES)
    assert run.stat("tribun/state/recorded") == len(BODIES)


def test_copy_naming_an_emitted_original_is_dropped(run: PipelineRun) -> None:
    copy = syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)
    assert run.feed(original()) is not None
    assert run.feed(copy) is None
    assert run.stat("tribun/duplicates/syndicated") == 1
    assert run.dropped == [f"duplicate (syndicated) of {ORIGINAL_URL}: {JATENG_URL}"]


def test_first_copy_seen_wins_over_the_original_seen_later(run: PipelineRun) -> None:
    copy = syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)
    assert run.feed(copy) is not None
    assert copy.isBasedOn == ORIGINAL_URL
    assert run.feed(original()) is None
    assert run.dropped == [f"duplicate (syndicated) of {JATENG_URL}: {ORIGINAL_URL}"]


def test_sibling_copies_of_one_original_are_one_item(run: PipelineRun) -> None:
    assert run.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)) is not None
    assert run.feed(syndicated_copy(BANYUMAS_URL, "TribunBanyumas.com")) is None
    assert run.stat("tribun/duplicates/syndicated") == 1


def copy_of_jateng_copy() -> Any:
    """A Banyumas republication of the Jateng copy: its footer names the Jateng page, not the original."""
    body = BODIES["korea"].replace("TRIBUNNEWS.COM, SEOUL", "TRIBUNBANYUMAS.COM, SEOUL")
    body += (
        "\n\nWarga Banyumas di Korea Selatan diimbau tetap waspada."
        "\n\nArtikel ini telah tayang di TribunJateng.com dengan judul Korea Utara Kembali Terbangkan "
        f"Balon Sampah ke Korea Selatan, {JATENG_URL}"
        "\n\nPenulis: Rahdyan Trijoko Pamungkas | Editor: Muhammad Olies"
    )
    return make_article(url=BANYUMAS_URL, body=body, headline="Korut Terbangkan Lagi Balon Berisi Sampah")


@pytest.mark.parametrize("stored", [False, True], ids=["in-flight", "stored"])
def test_copy_whose_own_copy_was_emitted_is_dropped(run: PipelineRun, stored: bool) -> None:
    """A copy of a copy, seen first, names the copy in between: that one, seen later, is a duplicate of it."""
    second_hand = copy_of_jateng_copy()
    emitted = run.feed(second_hand) if stored else run.process(second_hand)
    assert emitted is not None
    assert emitted.isBasedOn == JATENG_URL
    assert run.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)) is None
    assert run.dropped == [f"duplicate (syndicated) of {BANYUMAS_URL}: {JATENG_URL}"]
    assert run.stat("tribun/duplicates/syndicated") == 1


def test_same_body_without_footer_is_a_duplicate(run: PipelineRun) -> None:
    copy = syndicated_copy(BANYUMAS_URL, "TribunBanyumas.com", footer=False)
    assert copy.isBasedOn is None
    assert run.feed(original()) is not None
    assert run.feed(copy) is None
    assert run.stat("tribun/duplicates/same_body") == 1
    assert run.stat("tribun/duplicates/syndicated") is None


def test_emit_duplicates_sets_duplicate_of_and_still_counts(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run({**state_settings, "TRIBUN_EMIT_DUPLICATES": True}) as run:
        assert run.feed(original()) is not None
        copy = run.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH))
        same_body = run.feed(syndicated_copy(BANYUMAS_URL, "TribunBanyumas.com", footer=False))
        again = run.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH))
        assert copy is not None
        assert copy.duplicateOf == ORIGINAL_URL
        assert same_body is not None
        assert same_body.duplicateOf == ORIGINAL_URL
        assert again is None
        assert run.stat("tribun/duplicates/syndicated") == 1
        assert run.stat("tribun/duplicates/same_body") == 1
        assert run.stat("tribun/duplicates/url") == 1
        assert run.emitted[0].duplicateOf is None
        # Emitted copies are recorded like any emitted article, with their original.
        assert run.stat("tribun/state/recorded") == 3
        assert run.stat("tribun/state/recorded_duplicates") is None
    with open_store(run.crawler.settings) as store:
        stored_copy = store.get(key_fingerprint(JATENG_URL))
        assert stored_copy is not None
        assert stored_copy.original == key_fingerprint(ORIGINAL_URL)
        # A later copy must be matched with the original, never with an emitted duplicate.
        found = store.find_group(key_fingerprint(ORIGINAL_URL))
        assert found is not None
        assert found.url == ORIGINAL_URL
        found = store.find_body(body_fingerprint(BODIES["korea"]))
        assert found is not None
        assert found.url == ORIGINAL_URL


def test_nothing_is_recorded_before_item_scraped(run: PipelineRun) -> None:
    item = original()
    for pipeline in run.pipelines:
        item = pipeline.process_item(item)
    with open_store(run.crawler.settings) as store:
        assert store.get(key_fingerprint(ORIGINAL_URL)) is None
        run.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=run.crawler.spider)
        assert store.get(key_fingerprint(ORIGINAL_URL)) is not None


def test_recorded_items_are_left_to_the_store(run: PipelineRun) -> None:
    """The pipeline holds only the items in flight; once recorded, the store alone answers for them."""
    dedupe = next(p for p in run.pipelines if isinstance(p, DeduplicatePipeline))
    banjir_url = "https://www.tribunnews.com/metropolitan/2024/06/20/banjir-rendam-34-rt-di-jakarta"
    gempa_url = "https://jogja.tribunnews.com/2024/06/20/gempa-guncang-bantul"
    in_flight = [jateng_copy(), make_article(articleId="7731367"), make_article(url=gempa_url, body="gempa")]
    for pipeline in run.pipelines:
        in_flight = [pipeline.process_item(item) for item in in_flight]
    assert len(dedupe._keys) == 3
    for item in in_flight:
        run.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=run.crawler.spider)
    assert (dedupe._keys, dedupe._ids, dedupe._groups, dedupe._bodies) == ({}, {}, {}, {})
    # Repeats within the run are still this run's duplicates, not rechecks of an earlier run's articles.
    by_id = make_article(url="https://www.tribunnews.com/metropolitan/7731367/banjir-rendam")
    same_body = make_article(url="https://jogja.tribunnews.com/2024/06/21/gempa-bantul", body="gempa")
    assert run.feed(syndicated_copy(JATENG_URL + "?page=all", "TribunJateng.com", extra=REGIONAL_PARAGRAPH)) is None
    assert run.feed(by_id) is None
    assert run.feed(original()) is None
    assert run.feed(same_body) is None
    assert run.dropped == [
        f"duplicate (url) of {JATENG_URL}: {JATENG_URL}",
        f"duplicate (id) of {banjir_url}: {by_id.url}",
        f"duplicate (syndicated) of {JATENG_URL}: {ORIGINAL_URL}",
        f"duplicate (same_body) of {gempa_url}: {same_body.url}",
    ]
    assert run.stat("tribun/dropped/unchanged") is None
    assert run.stat("tribun/recheck/updated") is None


def test_store_records_after_the_feed_exporter_writes(tmp_path: Any, sqlite_settings: dict[str, Any]) -> None:
    feed = tmp_path / "feed.jsonl"
    crawler = make_crawler({**sqlite_settings, "FEEDS": {str(feed): {"format": "jsonlines"}}})
    exporter = crawler.get_extension(FeedExporter)
    assert exporter is not None
    pipeline = build_from_crawler(DeduplicatePipeline, crawler)
    receivers = list(liveReceivers(getAllReceivers(crawler, signals.item_scraped)))
    assert receivers.index(exporter.item_scraped) < receivers.index(pipeline.item_scraped)


# --- Across runs --------------------------------------------------------------------------------------------


def test_fresh_crawler_on_the_same_store_drops_unchanged_articles(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    with pipeline_run(state_settings) as first:
        assert first.feed(original()) is not None
    with pipeline_run(state_settings) as second:
        assert second.feed(original(url=ORIGINAL_URL + "?page=all")) is None
        assert second.stat("tribun/dropped/unchanged") == 1
        assert second.dropped == [f"unchanged since it was emitted: {ORIGINAL_URL}"]


@pytest.mark.parametrize(
    "change",
    [
        {"articleBody": BODIES["korea"] + "\n\n" + REGIONAL_PARAGRAPH},
        {"dateModified": "2024-06-23T07:10:00+07:00"},
    ],
    ids=["body", "dateModified"],
)
def test_changed_article_is_emitted_again_with_the_same_url(
    pipeline_run: Any, state_settings: dict[str, Any], change: dict[str, str]
) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
    with pipeline_run(state_settings) as second:
        updated = second.feed(original(**change))
        assert updated is not None
        assert updated.url == ORIGINAL_URL
        assert second.stat("tribun/recheck/updated") == 1
        # The same update seen twice in one run is one item.
        assert second.feed(original(**change)) is None
    with pipeline_run(state_settings) as third:
        assert third.feed(original(**change)) is None
        assert third.stat("tribun/dropped/unchanged") == 1
    with open_store(third.crawler.settings) as store:
        assert store.count() == 1


def test_known_by_article_id_across_runs(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original(articleId="7731367"))
    by_id = original(url="https://www.tribunnews.com/internasional/7731367/korea-utara-kembali-terbangkan")
    with pipeline_run(state_settings) as second:
        assert second.feed(by_id) is None
        assert second.stat("tribun/dropped/unchanged") == 1


def test_copy_of_an_original_emitted_in_an_earlier_run(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
    with pipeline_run(state_settings) as second:
        assert second.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)) is None
        assert second.feed(syndicated_copy(BANYUMAS_URL, "TribunBanyumas.com", footer=False)) is None
        assert second.stat("tribun/duplicates/syndicated") == 1
        assert second.stat("tribun/duplicates/same_body") == 1
    with pipeline_run({**state_settings, "TRIBUN_EMIT_DUPLICATES": "1"}) as third:
        copy = third.feed(syndicated_copy(JOGJA_URL, "TribunJogja.com"))
        assert copy is not None
        assert copy.duplicateOf == ORIGINAL_URL


def test_original_arriving_in_a_later_run_than_its_copy(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH))
    with pipeline_run(state_settings) as second:
        assert second.feed(original()) is None
        assert second.dropped == [f"duplicate (syndicated) of {JATENG_URL}: {ORIGINAL_URL}"]


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes"])
def test_reset_state_forgets_everything_at_spider_open(
    pipeline_run: Any, state_settings: dict[str, Any], value: str
) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
        first.feed(make_article())
    with pipeline_run(state_settings, reset_state=value) as second:
        assert second.stat("tribun/state/reset") == 2
        assert second.feed(original()) is not None
        assert second.stat("tribun/dropped/unchanged") is None
    with open_store(second.crawler.settings) as store:
        assert store.count() == 1


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_reset_state_off_keeps_the_store(pipeline_run: Any, state_settings: dict[str, Any], value: str) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
    with pipeline_run(state_settings, reset_state=value) as second:
        assert second.stat("tribun/state/reset") is None
        assert second.feed(original()) is None
        assert second.stat("tribun/dropped/unchanged") == 1


def test_emitted_copy_is_rechecked_like_an_article(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    emit = {**state_settings, "TRIBUN_EMIT_DUPLICATES": True}
    with pipeline_run(emit) as first:
        first.feed(original())
        assert first.feed(jateng_copy()) is not None
    with pipeline_run(emit) as second:
        assert second.feed(jateng_copy()) is None
        assert second.stat("tribun/dropped/unchanged") == 1
        updated = second.feed(jateng_copy(dateModified="2024-06-23T07:10:00+07:00"))
        assert updated is not None
        assert updated.duplicateOf == ORIGINAL_URL
        assert second.stat("tribun/recheck/updated") == 1


# --- Dropped copies: remembered, so that no later run fetches them again ---------------------------------------


def jateng_copy(**fields: Any) -> Any:
    return syndicated_copy(JATENG_URL, "TribunJateng.com", **{"extra": REGIONAL_PARAGRAPH, **fields})


def banyumas_copy(**fields: Any) -> Any:
    """A copy without the footer: found by its body only."""
    return syndicated_copy(BANYUMAS_URL, "TribunBanyumas.com", footer=False, **fields)


PAIRS = {
    "syndicated": (original, jateng_copy, "syndicated"),
    "same_body": (original, banyumas_copy, "same_body"),
    "original_after_its_copy": (jateng_copy, original, "syndicated"),
}


@pytest.mark.parametrize("pair", PAIRS)
def test_dropped_copy_is_recorded_as_a_duplicate_of_the_emitted_article(run: PipelineRun, pair: str) -> None:
    first, second, kind = PAIRS[pair]
    emitted = run.feed(first())
    assert emitted is not None
    copy = second()
    assert run.feed(copy) is None
    assert run.dropped == [f"duplicate ({kind}) of {emitted.url}: {copy.url}"]
    assert run.stat("tribun/state/recorded") == 1
    assert run.stat("tribun/state/recorded_duplicates") == 1
    with open_store(run.crawler.settings) as store:
        assert store.count() == 2
        record = store.get(key_fingerprint(copy.url))
        assert record is not None
        assert record.url == copy.url
        assert record.original == key_fingerprint(emitted.url)
        assert record.published == unix_time(copy.datePublished)
        # The story is still answered for by the emitted article, never by the dropped copy.
        story = store.find_group(key_fingerprint(ORIGINAL_URL))
        assert story is not None
        assert story.url == emitted.url
        same_body = store.find_body(record.body)
        assert (same_body.url if same_body else None) == (emitted.url if kind == "same_body" else None)


@pytest.mark.parametrize(
    "change",
    [{}, {"dateModified": "2024-06-23T07:10:00+07:00"}, {"extra": REGIONAL_PARAGRAPH + "\n\nPenulis lepas."}],
    ids=["unchanged", "dateModified", "body"],
)
def test_known_copy_fetched_again_is_still_a_duplicate(
    pipeline_run: Any, state_settings: dict[str, Any], change: dict[str, str]
) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
        first.feed(jateng_copy())
    with pipeline_run(state_settings) as second:
        copy = jateng_copy(**change)
        assert second.feed(copy) is None
        assert second.dropped == [f"duplicate (syndicated) of {ORIGINAL_URL}: {JATENG_URL}"]
        assert second.stat("tribun/duplicates/syndicated") == 1
        assert second.stat("tribun/recheck/updated") is None
        assert second.stat("tribun/dropped/unchanged") is None
        # Rewritten only when the copy changed.
        assert second.stat("tribun/state/recorded_duplicates") == (1 if change else None)
    with open_store(second.crawler.settings) as store:
        assert store.count() == 2
        record = store.get(key_fingerprint(JATENG_URL))
        assert record is not None
        assert record.original == key_fingerprint(ORIGINAL_URL)
        assert (record.body, record.modified) == (ItemFingerprints.of(copy).body, unix_time(copy.dateModified))


def test_known_copy_stays_a_duplicate_after_its_original_changed(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    with pipeline_run(state_settings) as first:
        first.feed(original())
        assert first.feed(banyumas_copy()) is None
    with pipeline_run(state_settings) as second:
        assert second.feed(original(articleBody=BODIES["korea"] + "\n\n" + REGIONAL_PARAGRAPH)) is not None
        # Its body no longer matches the original's; the store still knows whose copy it is.
        assert second.feed(banyumas_copy()) is None
        assert second.dropped == [f"duplicate (same_body) of {ORIGINAL_URL}: {BANYUMAS_URL}"]
        assert [item.url for item in second.emitted] == [ORIGINAL_URL]


def test_known_copy_of_an_article_the_store_lacks_is_emitted(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    copy = banyumas_copy()
    with open_store(state_settings) as store:
        fp = ItemFingerprints.of(copy)
        store.put(fp.record(copy, original=key_fingerprint(ORIGINAL_URL)))
    with pipeline_run(state_settings) as run:
        emitted = run.feed(banyumas_copy())
        assert emitted is not None
        assert emitted.duplicateOf is None
    with open_store(state_settings) as store:
        record = store.get(key_fingerprint(BANYUMAS_URL))
        assert record is not None
        assert not record.is_duplicate


def test_dropped_copy_is_recorded_when_its_original_in_flight_is(run: PipelineRun) -> None:
    item = original()
    for pipeline in run.pipelines:
        item = pipeline.process_item(item)
    # The original passed every pipeline but the feed has not written it yet.
    assert run.feed(jateng_copy()) is None
    assert run.dropped == [f"duplicate (syndicated) of {ORIGINAL_URL}: {JATENG_URL}"]
    with open_store(run.crawler.settings) as store:
        assert store.count() == 0
        run.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=run.crawler.spider)
        assert store.get(key_fingerprint(ORIGINAL_URL)) is not None
        record = store.get(key_fingerprint(JATENG_URL))
        assert record is not None
        assert record.original == key_fingerprint(ORIGINAL_URL)
    assert run.stat("tribun/state/recorded_duplicates") == 1


def test_copy_of_an_original_that_never_reached_the_feed_is_not_recorded(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    with pipeline_run(state_settings) as first:
        item = original()
        for pipeline in first.pipelines:
            item = pipeline.process_item(item)
        # No item_scraped: the run was killed before the feed exporter wrote the original.
        assert first.feed(jateng_copy()) is None
        assert first.stat("tribun/state/recorded_duplicates") is None
    with open_store(first.crawler.settings) as store:
        assert store.count() == 0
    with pipeline_run(state_settings) as second:
        assert second.feed(jateng_copy()) is not None


# --- Two workers on one shared store -------------------------------------------------------------------------


@pytest.mark.parametrize("state_settings", ["redis"], indirect=True)
def test_a_copy_read_by_another_worker_while_the_story_is_in_flight_is_dropped(
    pipeline_run: Any, state_settings: dict[str, Any]
) -> None:
    # Worker one's story has passed its pipelines and is not recorded yet (its feed line not written): only its
    # claim on the shared store tells worker two, which reads the syndicated copy and a same-body copy meanwhile.
    with pipeline_run(state_settings) as one, pipeline_run(state_settings) as two:
        assert one.process(original()) is not None
        assert two.process(syndicated_copy(JATENG_URL, "TribunJateng.com", extra=REGIONAL_PARAGRAPH)) is None
        assert two.process(original(url=BANYUMAS_URL)) is None
        assert two.dropped == [
            f"duplicate (syndicated) of {ORIGINAL_URL}: {JATENG_URL}",
            f"duplicate (same_body) of {ORIGINAL_URL}: {BANYUMAS_URL}",
        ]
        # A story of its own passes.
        assert two.process(original(url=JOGJA_URL, body="banjir")) is not None
