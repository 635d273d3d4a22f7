"""Login throttling: after too many failed sign-ins for one email, or from one IP address,
within a window, further attempts are refused for that long.

Defaults (settings): 5 failures for one email, or 50 from one address, within 15 minutes lock
that email (or address) out for 15 minutes, counted from the failure that reached the limit.
The address limit is much higher because an office or a home network shares one address: a
few typos or made-up emails from a colleague must not lock everyone else on it out, while
someone guessing across many emails still hits a wall. Refused attempts are not counted, so
the lock ends on time even while someone keeps trying. Failures live in the database so
every process agrees.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from northstar.people.models import SignInFailure

# Kept this long, then pruned: far beyond any window anyone would configure.
KEEP_FOR = timedelta(days=1)


def _limit() -> int:
    """Failures for one email that lock it."""
    return getattr(settings, "SIGN_IN_FAILURE_LIMIT", 5)


def _address_limit() -> int:
    """Failures from one address (across all emails) that lock the address."""
    return getattr(settings, "SIGN_IN_FAILURE_LIMIT_PER_ADDRESS", 50)


def _window() -> timedelta:
    return timedelta(seconds=getattr(settings, "SIGN_IN_LOCKOUT_SECONDS", 15 * 60))


def client_ip(request: HttpRequest | None) -> str | None:
    """The connecting address. X-Forwarded-For is deliberately ignored: anyone can send it,
    and trusting it would let an attacker pick a fresh 'IP' for every attempt."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def normalise(email: str | None) -> str:
    return (email or "").strip().lower()


def locked_until(email: str | None, ip: str | None) -> datetime | None:
    """When the lock on this email or address ends, or None when sign-in is open."""
    now = timezone.now()
    ends = [_lock_end(key, limit, now) for key, limit in _keys(normalise(email), ip)]
    ends = [end for end in ends if end is not None and end > now]
    return max(ends, default=None)


def _keys(email: str, ip: str | None) -> list[tuple[Q, int]]:
    """What to count, each with its own limit: failures for this email, from this address."""
    keys = []
    if email:
        keys.append((Q(email=email), _limit()))
    if ip:
        keys.append((Q(ip=ip), _address_limit()))
    return keys


def _lock_end(key: Q, limit: int, now: datetime) -> datetime | None:
    """The latest time a run of `limit` failures within the window locks until."""
    window = _window()
    times = sorted(
        SignInFailure.objects.filter(key, at__gte=now - 2 * window).values_list("at", flat=True)
    )
    end = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window:
            end = times[i] + window
    return end


def record_failure(email: str | None, ip: str | None) -> None:
    SignInFailure.objects.create(email=normalise(email), ip=ip)
    SignInFailure.objects.filter(at__lt=timezone.now() - max(KEEP_FOR, 2 * _window())).delete()


def record_success(email: str | None) -> None:
    """A right password ends the count for that email (not for the address, which may be
    shared by an attacker and the person)."""
    if email := normalise(email):
        SignInFailure.objects.filter(email=email).delete()


def minutes_left(until: datetime) -> int:
    seconds = (until - timezone.now()).total_seconds()
    return max(1, int(-(-seconds // 60)))
