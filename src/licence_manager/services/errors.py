"""Errors the services raise to their entry points."""

from __future__ import annotations


class RetryLater(Exception):
    """Raised to have the message redelivered: the request is busy or Google is unavailable."""
