"""Past runs at a glance: charts of the run reports (``<feed>.stats.json``) a folder holds.

    python -m tribun_crawler.runs report data/tribun/ -o runs.html

``reports`` reads the reports and turns them into series (no plotting library); ``charts`` draws them with
matplotlib, the optional ``report`` extra (``pip install -r requirements-report.txt``), never needed to crawl.
Not to be confused with ``tribun_crawler.state.runs``, the state store's markers of unfinished runs.
"""
