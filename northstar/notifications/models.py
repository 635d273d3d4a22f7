"""Notification preferences, webhook targets, the delivery log and round markers.

A person's preference is stored only when it differs from the default (every kind on, by
email), so a new kind or a new person needs no rows. Webhook targets belong to the
organisation, not to a person: they receive the kinds they subscribe to, never the personal
ones (reminders and digests summarise what one person may see).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from northstar.people.models import Person


class Kind(models.TextChoices):
    MENTION = "mention", "Mentions"
    KUDOS = "kudos", "Kudos"
    CELEBRATION = "celebration", "Celebrations"
    APPROVAL_REQUESTED = "approval_requested", "Approvals requested"
    REMINDER = "reminder", "Check-in reminders"
    DIGEST = "digest", "Weekly digest"


# Reminders and digests are built for one reader from what that reader may see; posting them
# to a shared channel would show it to everyone there.
PERSONAL_KINDS = frozenset({Kind.REMINDER, Kind.DIGEST})
WEBHOOK_KINDS = [kind for kind in Kind if kind not in PERSONAL_KINDS]


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


# The channels a person chooses between; webhooks are the organisation's.
PERSONAL_CHANNELS = [Channel.EMAIL]


class PreferenceQuerySet(models.QuerySet["Preference"]):
    def opted_out(self, kind: str, channel: str, people: Iterable[Person]) -> set[int]:
        """The ids of these people who turned this kind off on this channel."""
        rows = self.filter(
            kind=kind, channel=channel, enabled=False, person__in=[p.pk for p in people]
        )
        return set(rows.values_list("person_id", flat=True))


class Preference(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    enabled = models.BooleanField(default=True)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="preference_unique_per_kind_channel"
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.person} · {self.get_kind_display()} by {self.channel}: {state}"

    @classmethod
    def set(cls, person: Person, kind: str, channel: str, enabled: bool) -> None:
        if enabled:  # the default: no row needed
            cls.objects.filter(person=person, kind=kind, channel=channel).delete()
        else:
            cls.objects.update_or_create(
                person=person, kind=kind, channel=channel, defaults={"enabled": False}
            )

    @classmethod
    def enabled_for(cls, person: Person) -> dict[tuple[str, str], bool]:
        """Every (kind, channel) a person chooses, with the default filled in."""
        stored = {(p.kind, p.channel): p.enabled for p in cls.objects.filter(person=person)}
        return {
            (kind, channel): stored.get((kind, channel), True)
            for kind in Kind.values
            for channel in PERSONAL_CHANNELS
        }


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookTargetQuerySet(models.QuerySet["WebhookTarget"]):
    def subscribed(self, kind: str) -> list[WebhookTarget]:
        # `kinds` is a JSON list; filtering in Python keeps this portable across databases.
        return [target for target in self.filter(active=True) if kind in target.kinds]


class WebhookTarget(models.Model):
    """An outgoing webhook: a Slack or Teams channel, or any service that takes JSON."""

    class Format(models.TextChoices):
        SLACK = "slack", "Slack incoming webhook"
        TEAMS = "teams", "Microsoft Teams workflow (Adaptive Card)"
        JSON = "json", "Plain JSON"

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, validators=[URLValidator(schemes=["http", "https"])])
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.JSON)
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="Signs every request (X-Northstar-Signature); give it to the receiver.",
    )
    kinds = models.JSONField(
        default=list,
        blank=True,
        help_text=f"Kinds to post: any of {', '.join(WEBHOOK_KINDS)}.",
    )
    active = models.BooleanField(default=True)

    objects = WebhookTargetQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.kinds, list) or any(k not in WEBHOOK_KINDS for k in self.kinds):
            raise ValidationError(
                {
                    "kinds": f"Use a list of: {', '.join(WEBHOOK_KINDS)} (reminders and digests "
                    "are personal and never posted to a channel)."
                }
            )


class Delivery(models.Model):
    """One message to one person (email) or one webhook target, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Retrying"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target = models.ForeignKey(
        WebhookTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The objective the message names, checked again when it is sent: a retry hours later
    # must not reveal an objective that has become private meanwhile.
    objective_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True) | models.Q(target__isnull=True),
                name="delivery_to_person_or_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.addressee} ({self.status})"

    @property
    def addressee(self) -> str:
        if self.target_id:
            return f"webhook {self.target.name}"
        if self.recipient_id:
            return self.recipient.email or self.recipient.name
        return "nobody"

    @property
    def title(self) -> str:
        return self.payload.get("title", "")


class RoundSent(models.Model):
    """A reminder or digest already sent to a person on an organisation-local day, so that
    a second run of the same day's round sends nothing new."""

    kind = models.CharField(max_length=30, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "person", "day"], name="round_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.person} on {self.day}"
