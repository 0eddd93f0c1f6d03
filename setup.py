"""Packaging for scrapyd: ``scrapyd-deploy`` builds the egg of tribun_crawler from this file.

Name, version and Python requirement come from pyproject.toml; this adds what scrapyd needs: the package alone
(no tests), its data files (the article's JSON Schema) and the ``scrapy`` entry point naming the settings
module. The ``report`` extra (matplotlib, as pinned in requirements-report.txt) draws the charts of past runs,
``python -m tribun_crawler.runs report``; crawling never needs it.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tribun_crawler", "tribun_crawler.*"]),
    package_data={"tribun_crawler.schema": ["*.json"]},
    entry_points={"scrapy": ["settings = tribun_crawler.settings"]},
    extras_require={"report": ["matplotlib==3.11.2"]},
)
