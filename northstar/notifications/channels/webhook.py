"""Outgoing webhooks: one JSON POST per delivery, signed with the target's secret.

Every request carries two headers:

    X-Northstar-Timestamp: 1796300000
    X-Northstar-Signature: sha256=5d41402abc4b2a76b9719d911017c592...

The signature is the lowercase hex HMAC-SHA256, keyed with the target's secret (UTF-8), of
the timestamp, a full stop, and the raw request body exactly as received (bytes, before any
JSON parsing). To verify, a receiver:

1. reads the raw body and both headers;
2. computes  hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
   and compares "sha256=" + hexdigest() with the header using a constant-time comparison
   (hmac.compare_digest);
3. rejects a timestamp more than five minutes from its own clock, so that a captured request
   cannot be replayed later.

A retry is a new request with a new timestamp and signature; the plain JSON format carries
the delivery's id so a receiver can drop duplicates. Slack and Teams check no signature
(their URLs are the secret) but receive the headers all the same.

Only http and https URLs are posted to, redirects are not followed (a 3xx is a failure), and
the timeout is short: with the immediate task backend the request runs right after the
check-in that caused it commits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from northstar.notifications.channels.base import Channel, Undeliverable
from northstar.notifications.models import Delivery
from northstar.notifications.notice import Notice

TIMEOUT_SECONDS = 5
MAX_SKEW_SECONDS = 300
USER_AGENT = "Northstar-Webhook/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float) -> bool:
    """The receiver's side, for Python receivers and for documentation."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None  # urllib then raises HTTPError for the 3xx


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str, body: bytes) -> None:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise Undeliverable(f"refusing to post to a non-HTTP URL: {url!r}")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Northstar-Timestamp": timestamp,
            "X-Northstar-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(64 * 1024)  # drain a little so the connection closes cleanly
    except urllib.error.HTTPError as error:
        raise WebhookError(f"HTTP {error.code} from {urlsplit(url).netloc}") from None


class WebhookError(Exception):
    """The receiver answered with an error status (retried)."""


class JsonWebhook(Channel):
    """Plain JSON, for anything that is neither Slack nor Teams."""

    def send(self, delivery: Delivery) -> None:
        payload = self.payload(Notice.from_json(delivery.payload), delivery)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        post(delivery.target.url, delivery.target.secret, body)

    def payload(self, notice: Notice, delivery: Delivery) -> dict:
        return {"delivery": delivery.pk, **notice.to_json()}
