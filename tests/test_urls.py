"""URL rules that are not covered through the extractors: wrapped related links and the day in a date URL."""

from __future__ import annotations

import pytest

from tribun_crawler.sites import SITES
from tribun_crawler.urls import PageType, classify_url, date_from_url, unwrapped_url


@pytest.mark.parametrize(
    ("wrapped", "article"),
    [
        # 2015 www: /tag/<slug>/?url=<section>/yyyy/mm/dd/<slug>
        (
            "https://www.tribunnews.com/tag/gempa-aceh/?url=regional/2015/03/10/gempa-guncang-aceh",
            "https://www.tribunnews.com/regional/2015/03/10/gempa-guncang-aceh",
        ),
        # 2016 regional: /topics/<slug>/?url=yyyy/mm/dd/<slug>
        (
            "https://makassar.tribunnews.com/topics/imlek/?url=2016/02/07/barongsai-meriahkan-imlek",
            "https://makassar.tribunnews.com/2016/02/07/barongsai-meriahkan-imlek",
        ),
        # 2017: /topic/<slug>/?url=…, a leading slash in the parameter and other parameters beside it
        (
            "http://m.tribunnews.com/topic/liga-1/?src=terkait&url=%2Fsuperskor%2F2017%2F01%2F29%2Fpersib-menang",
            "http://m.tribunnews.com/superskor/2017/01/29/persib-menang",
        ),
    ],
)
def test_a_wrapped_related_link_leads_to_its_url_parameter(wrapped: str, article: str) -> None:
    assert classify_url(wrapped) is None  # the wrapper itself is never requested (robots.txt disallows it)
    assert unwrapped_url(wrapped) == article
    assert classify_url(unwrapped_url(wrapped)) is PageType.ARTICLE


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tribunnews.com/nasional/2015/03/10/gempa?url=other/2015/03/10/x",  # not a wrapper path
        "https://www.tribunnews.com/tag/gempa",  # a tag page without a target
        "https://www.tribunnews.com/tag/gempa/?url=",
        "https://www.kompas.com/tag/x/?url=2016/01/01/y",  # off the network
    ],
)
def test_other_links_are_left_as_they_are(url: str) -> None:
    assert unwrapped_url(url) == url


def test_an_absolute_target_is_judged_like_any_link() -> None:
    assert unwrapped_url("https://www.tribunnews.com/topic/x/?url=https://www.kompas.com/read/1") == (
        "https://www.kompas.com/read/1"
    )


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://makassar.tribunnews.com/2016/02/08/warga-sambut-imlek", "2016-02-08"),
        ("https://www.tribunnews.com/amp/nasional/2015/03/12/slug?page=all", "2015-03-12"),
        ("https://www.tribunnews.com/nasional/7731367/slug", None),
    ],
)
def test_the_day_of_a_date_url(url: str, day: str | None) -> None:
    assert date_from_url(url) == day


@pytest.mark.parametrize(
    ("key", "names"),
    [
        ("makassar", {"Tribun-Timur.com", "Tribun Timur", "TribunTimur.com"}),
        ("suryamalang", {"SuryaMalang.com", "Surya Malang"}),
        ("jateng", {"TribunJateng.com", "Tribun Jateng"}),
        ("solo", {"TribunSolo.com", "Tribun Solo"}),
    ],
)
def test_every_name_a_site_carried_is_known(key: str, names: set[str]) -> None:
    assert names <= set(SITES[key].brand_names)
