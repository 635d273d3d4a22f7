"""Email: an HTML and a plain-text part, and an unsubscribe link for the notice's kind.

The unsubscribe link carries a signed token (person and kind), so it works without signing
in and cannot be forged for someone else. It never expires: an old mail's link must still
work. The same URL is announced in `List-Unsubscribe` with RFC 8058 one-click POST, so mail
clients can offer their own button.
"""

from __future__ import annotations

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from northstar.lib.urls import absolute_url
from northstar.notifications.channels.base import Channel, Undeliverable
from northstar.notifications.models import Delivery, Kind
from northstar.notifications.notice import Notice
from northstar.people.models import Person

UNSUBSCRIBE_SALT = "northstar.notifications.unsubscribe"


def unsubscribe_token(person: Person, kind: str) -> str:
    return signing.dumps({"person": person.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(person id, kind); raises signing.BadSignature for a forged or mangled token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("kind") not in Kind.values:
        raise signing.BadSignature("Not an unsubscribe token.")
    return int(data["person"]), data["kind"]


def unsubscribe_url(person: Person, kind: str) -> str:
    path = reverse("notification-unsubscribe", args=[unsubscribe_token(person, kind)])
    return absolute_url(path)


class EmailChannel(Channel):
    def send(self, delivery: Delivery) -> None:
        person = delivery.recipient
        if not person.email:
            raise Undeliverable("the recipient has no email address")
        message = build_message(person, Notice.from_json(delivery.payload))
        message.send(using="default")


def build_message(person: Person, notice: Notice) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(person, notice.kind)
    context = {
        "notice": notice,
        "person": person,
        "kind_label": Kind(notice.kind).label,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url(reverse("notification-preferences")),
    }
    message = EmailMultiAlternatives(
        subject=notice.title,
        body=render_to_string("notifications/email/notice.txt", context),
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/email/notice.html", context), "text/html"
    )
    return message
