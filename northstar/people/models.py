"""Org units, people and the organisation's own settings."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"Unknown time zone {value!r}.")


class Organisation(models.Model):
    """The organisation's settings. One database holds one organisation: a single row."""

    class WeekStart(models.IntegerChoices):
        MONDAY = 0, "Monday"
        SUNDAY = 6, "Sunday"

    class Weekday(models.IntegerChoices):
        # date.weekday() numbering, so a day compares with it directly.
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    name = models.CharField(max_length=200, default="My organisation")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    week_start = models.PositiveSmallIntegerField(
        choices=WeekStart.choices, default=WeekStart.MONDAY
    )
    check_in_cadence_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="A key result without a check-in for longer than this is stale.",
    )
    behind_threshold = models.FloatField(
        default=0.85,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Progress below this share of the expected progress is 'behind'.",
    )
    at_risk_threshold = models.FloatField(
        default=0.6,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Progress below this share of the expected progress is 'at risk'.",
    )
    reminder_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text="The day `northstar remind` sends check-in reminders (organisation's time).",
    )
    digest_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.FRIDAY,
        help_text="The day `northstar digest` sends the leads' weekly digest.",
    )
    is_demo = models.BooleanField(
        default=False, editable=False, help_text="Set by `northstar demo`; protects real data."
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.at_risk_threshold > self.behind_threshold:
            raise ValidationError("The at-risk threshold must not exceed the behind threshold.")

    @classmethod
    def get(cls) -> Organisation:
        org = cls.objects.order_by("pk").first()
        return org or cls.objects.create()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> date:
        """Today's calendar date in the organisation's time zone."""
        return timezone.now().astimezone(self.zone).date()

    def local_date(self, moment: datetime) -> date:
        """The organisation's calendar date of an instant (naive instants count as UTC)."""
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
        return moment.astimezone(self.zone).date()


class UnitQuerySet(models.QuerySet["Unit"]):
    def roots(self) -> UnitQuerySet:
        return self.filter(parent__isnull=True)


class Unit(models.Model):
    """A node of the organisation tree: the company, a department, a team. Any depth."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leads = models.ManyToManyField("Person", blank=True, related_name="led_units")
    external_ref = models.CharField(max_length=200, blank=True, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="unit_name_unique_under_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"parent": "A unit cannot sit under itself."})
            node = node.parent

    def ancestors(self) -> list[Unit]:
        """Parents from the nearest up to the root."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> PersonQuerySet:
        return self.filter(is_active=True)


class Person(models.Model):
    """Someone who owns OKRs. May have a sign-in account (user) or not yet (imported owners).

    Leading a unit is not a role here: it is `Unit.leads`, and reaches the units below.
    """

    class Role(models.TextChoices):
        ADMIN = "admin", "Organisation admin"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer (read only)"

    name = models.CharField(max_length=200)
    email = models.EmailField(null=True, blank=True, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    job_title = models.CharField(max_length=200, blank=True, default="")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    @property
    def holds_admin_role(self) -> bool:
        """An organisation admin by role, or through a superuser account; active or not
        (whether they may act now is the access module's question)."""
        if self.role == self.Role.ADMIN:
            return True
        return self.user_id is not None and self.user.is_superuser

    def clean(self) -> None:
        node = self.manager
        while node is not None:
            if node.pk == self.pk:
                raise ValidationError({"manager": "A person cannot manage themselves."})
            node = node.manager


class Invitation(models.Model):
    """An invitation to join, sent by email. Only a hash of the token is stored, so the link
    in the email is the only copy of the secret (a database dump cannot be used to join)."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Organisation admin"
        LEAD = "lead", "Lead of the unit"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer (read only)"

    VALID_FOR = timedelta(days=14)

    email = models.EmailField()
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the installation's operator invited from the terminal.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and not self.is_expired


class SignInFailure(models.Model):
    """One failed sign-in, kept in the database (not a cache) so that the throttle holds
    across every process serving the site. See `throttle.py`."""

    email = models.CharField(max_length=254, blank=True, default="", db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.email or '-'} from {self.ip or '-'}"
