"""Helpers of ``bench/ticket_api.py`` (issue 11): the data it loads and the raw floor."""
