"""htmx helpers: a typed request, the one question views ask of it, and sign-in for swaps."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import decorators
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: AbstractBaseUser | AnonymousUser


def htmx_partial(request: HtmxHttpRequest) -> bool:
    """Whether to answer with a fragment rather than the whole page.

    A boosted link or form expects a full page (htmx swaps the body), and so does a history
    restore after a cache miss; only a targeted swap (hx-get/hx-post aimed at an element)
    gets the partial.
    """
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


type View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Django's login_required, except for targeted htmx swaps.

    When a session expires, a swap (expanding the cascade, posting a check-in) would follow
    the redirect and paste the sign-in page into a corner of the current one. Instead the
    browser is sent to the sign-in page, which then returns to the page the person was on.
    """
    protected = decorators.login_required(view)

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated and htmx_partial(request):
            back = request.htmx.current_url_abs_path or request.get_full_path()
            query = urlencode({"next": back})
            return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
        return protected(request, *args, **kwargs)

    return wrapper
