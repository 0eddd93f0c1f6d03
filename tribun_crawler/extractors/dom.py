"""The page as the extractors read it: parsed once into plain lxml elements, queried with compiled XPath.

Why not parsel's Selector, which Scrapy's ``response.selector`` is (measured with benchmarks/extract.py):
lxml.html's elements, which it parses into, run a Python class lookup for every element a query returns; every
``Selector.xpath()`` call builds an evaluator and wraps each result in a new Selector; and its ``has-class()``
XPath function calls back into Python for every element it tests.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lxml import etree
from scrapy.http import TextResponse

from tribun_crawler.text import clean_text

_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
# What normalize-space() takes for whitespace, and so what has_class() and has_classes() split class lists on.
_XML_SPACE = re.compile(r"[ \t\n\r]+")


def document(response: TextResponse) -> Any:
    """The page's root element, parsed as Scrapy's selector parses it (the response's text, NULs dropped,
    libxml2's HTML parser in recover mode), without a base URL: a ``<base href>`` urllib cannot parse, which
    makes Scrapy's selector raise for the whole page, changes nothing here."""
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    text = response.text.strip().replace("\x00", "")
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=parser) if text else None
    except etree.XMLSyntaxError:
        root = None  # a page libxml2 finds no element in: read as an empty one
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


@lru_cache(maxsize=256)
def xpath(query: str) -> etree.XPath:
    """``query`` compiled; strings come back as plain ``str``."""
    return etree.XPath(query, smart_strings=False)


def has_class(*names: str) -> str:
    """XPath test that an element's class list holds every one of ``names`` (parsel's ``has-class()``)."""
    return " and ".join(f'contains(concat(" ", normalize-space(@class), " "), " {name} ")' for name in names)


def has_classes(element: Any, *names: str) -> bool:
    """The element's class list holds every one of ``names``, as the XPath test :func:`has_class` decides it."""
    classes = element.get("class")
    if classes is None or not all(name in classes for name in names):
        return False
    padded = f" {_XML_SPACE.sub(' ', classes)} "
    return all(f" {name} " in padded for name in names)


def text(element: Any) -> str:
    """All text of the element, its text nodes joined by spaces, as clean text ("" when it has none)."""
    return clean_text(" ".join(_TEXT_NODES(element)))
