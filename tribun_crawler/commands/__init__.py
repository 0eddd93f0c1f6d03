"""Project commands (``COMMANDS_MODULE``): ``crawl`` overrides Scrapy's to exit non-zero on a broken run."""
