"""Packaging for scrapyd: ``scrapyd-deploy`` builds the egg of tribun_crawler from this file.

Name, version and Python requirement come from pyproject.toml; this adds what scrapyd needs: the package alone
(no tests), its data files (the article's JSON Schema) and the ``scrapy`` entry point naming the settings
module.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["tribun_crawler", "tribun_crawler.*"]),
    package_data={"tribun_crawler.schema": ["*.json"]},
    entry_points={"scrapy": ["settings = tribun_crawler.settings"]},
)
