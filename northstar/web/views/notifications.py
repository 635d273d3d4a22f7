"""Notification preferences, the delivery log (admins) and one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from northstar.notifications.channels.email import read_unsubscribe_token
from northstar.notifications.models import PERSONAL_CHANNELS, Delivery, Kind, Preference
from northstar.okrs.access import person_for, standing
from northstar.people.models import Organisation, Person
from northstar.web.htmx import HtmxHttpRequest, login_required

DESCRIPTIONS = {
    Kind.MENTION: "Someone @mentions you in a comment.",
    Kind.KUDOS: "Someone gives kudos on your work.",
    Kind.CELEBRATION: "A key result or objective you follow reaches its target.",
    Kind.APPROVAL_REQUESTED: "A proposal waits for your decision.",
    Kind.REMINDER: "Your key results have gone stale and need a check-in.",
    Kind.DIGEST: "Weekly summary of the units you lead.",
}
DELIVERY_LOG_SIZE = 200


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HtmxHttpRequest) -> HttpResponse:
    person = person_for(request.user)
    if person is None:
        return render(request, "web/notifications/preferences.html", {"person": None})
    if request.method == "POST":
        chosen = set(request.POST.getlist("on"))
        for kind in Kind.values:
            for channel in PERSONAL_CHANNELS:
                Preference.set(person, kind, channel, f"{kind}:{channel}" in chosen)
        messages.success(request, "Notification settings saved.")
        return redirect("notification-preferences")
    enabled = Preference.enabled_for(person)
    rows = [
        {
            "kind": kind,
            "label": kind.label,
            "description": DESCRIPTIONS[kind],
            "channels": [
                {"value": f"{kind}:{channel}", "label": channel.label, "on": enabled[kind, channel]}
                for channel in PERSONAL_CHANNELS
            ],
        }
        for kind in Kind
    ]
    context = {"person": person, "rows": rows, "is_admin": standing(request.user).admin}
    return render(request, "web/notifications/preferences.html", context)


@require_GET
@login_required
def deliveries(request: HtmxHttpRequest) -> HttpResponse:
    if not standing(request.user).admin:
        raise PermissionDenied("The delivery log is for organisation admins.")
    status = request.GET.get("status", "")
    log = Delivery.objects.select_related("recipient", "target")
    if status in Delivery.Status.values:
        log = log.filter(status=status)
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    context = {
        "deliveries": list(log[:DELIVERY_LOG_SIZE]),
        "status": status,
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in Delivery.Status],
        "limit": DELIVERY_LOG_SIZE,
        "zone": Organisation.get().time_zone,
    }
    return render(request, "web/notifications/deliveries.html", context)


# No sign-in and no CSRF token: the signed token is the proof, and mail clients send RFC 8058
# one-click unsubscribes as a bare POST. A GET only asks, because mail scanners follow links.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person_id, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "web/notifications/unsubscribe.html", {"invalid": True}, status=404)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return render(request, "web/notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        for channel in PERSONAL_CHANNELS:
            Preference.set(person, kind, channel, False)
    context = {"person": person, "kind_label": Kind(kind).label, "done": done}
    return render(request, "web/notifications/unsubscribe.html", context)
