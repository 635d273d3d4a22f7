"""Absolute links for places that have no request: mail, chat messages, the terminal."""

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def absolute_url(path: str) -> str:
    """SITE_URL joined with a site path; full URLs pass through unchanged."""
    if not path or "://" in path:
        return path
    base = getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL
    return base.rstrip("/") + "/" + path.lstrip("/")
