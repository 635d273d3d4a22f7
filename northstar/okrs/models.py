"""Cycles, objectives, key results, check-ins and initiatives.

The math lives in `progress.py` (pure); these models adapt their fields to it and cache the
results (`progress`, `last_check_in_on`) so that pages read a cascade without extra queries.
Writes that touch several rows (check-ins, re-alignment, roll-ups) go through `actions.py`.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from northstar.okrs import progress as math
from northstar.people.models import Organisation, Person, Unit


class Cycle(models.Model):
    """A named period with calendar dates in the organisation's time zone, or an undated
    backlog."""

    class Kind(models.TextChoices):
        YEAR = "year", "Year"
        QUARTER = "quarter", "Quarter"
        CUSTOM = "custom", "Custom"
        BACKLOG = "backlog", "Backlog"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.QUARTER)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    check_in_cadence_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the organisation's check-in cadence."
    )

    class Meta:
        ordering = [models.F("start").asc(nulls_last=True), "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gte=models.F("start")),
                name="cycle_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValidationError("A cycle has both a start and an end date, or neither.")
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date comes before the start date."})
        if self.kind == self.Kind.BACKLOG and self.start:
            raise ValidationError("A backlog has no dates.")

    @property
    def is_dated(self) -> bool:
        return self.start is not None

    def contains(self, day: date) -> bool:
        return self.start is None or self.start <= day <= self.end

    def expected_progress(self, today: date) -> float | None:
        if not self.is_dated:
            return None
        return math.expected_progress(self.start, self.end, today)

    def cadence_days(self, org: Organisation) -> int:
        return self.check_in_cadence_days or org.check_in_cadence_days


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Level(models.TextChoices):
    COMPANY = "company", "Company"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"
    INDIVIDUAL = "individual", "Individual"


class HealthMixin:
    """Health is derived, not stored: it depends on today's date as much as on the data."""

    progress: float | None
    last_check_in_on: date | None

    def takes_check_ins(self) -> bool:
        """Whether missing check-ins make it stale; see KeyResult's."""
        return True

    def health(self, org: Organisation, today: date | None = None) -> math.Health:
        today = today or org.today()
        cycle = self.get_cycle()
        return math.health(
            self.progress,
            cycle.expected_progress(today),
            last_check_in=self.last_check_in_on,
            today=today,
            cadence_days=cycle.cadence_days(org),
            thresholds=math.Thresholds(org.behind_threshold, org.at_risk_threshold),
            started=cycle.start,
            checked_in=self.takes_check_ins(),
        )


class ObjectiveQuerySet(models.QuerySet["Objective"]):
    def counted(self) -> ObjectiveQuerySet:
        """Objectives that take part in roll-ups: archived ones keep history but leave them."""
        return self.exclude(state=State.ARCHIVED)

    def for_cycle(self, cycle: Cycle) -> ObjectiveQuerySet:
        return self.filter(cycle=cycle)

    def roots(self) -> ObjectiveQuerySet:
        return self.filter(parent_objective__isnull=True, parent_key_result__isnull=True)

    def with_people(self) -> ObjectiveQuerySet:
        return self.select_related("owner", "unit", "cycle")


class Objective(HealthMixin, models.Model):
    title = models.TextField()
    description = models.TextField(blank=True, default="")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        help_text="Leave empty for a personal objective.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, editable=False)
    parent_objective = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aligned_objectives",
    )
    parent_key_result = models.ForeignKey(
        "KeyResult",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aligned_objectives",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    weight = models.FloatField(default=1.0, help_text="Weight in the parent's roll-up.")
    include_children = models.BooleanField(
        default=True,
        help_text="Count the objectives aligned under this one in its progress.",
    )
    is_private = models.BooleanField(
        default=False,
        help_text="Visible only to its owner, its key results' owners and contributors, the "
        "leads of its unit and the units above, and admins.",
    )
    progress = models.FloatField(null=True, blank=True, editable=False)
    last_check_in_on = models.DateField(null=True, blank=True, editable=False)
    reported_score = models.FloatField(
        null=True, blank=True, help_text="A score written in an imported document."
    )
    reported_text = models.TextField(blank=True, default="")
    external_ref = models.CharField(max_length=200, blank=True, default="", db_index=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent_objective__isnull=False, parent_key_result__isnull=False),
                name="objective_has_one_parent",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="objective_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.level = self.derive_level()
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return self.external_ref or f"O-{self.pk}"

    @property
    def parent(self) -> Objective | KeyResult | None:
        return self.parent_objective or self.parent_key_result

    def get_cycle(self) -> Cycle:
        return self.cycle

    def derive_level(self) -> str:
        return self.unit.kind if self.unit_id else Level.INDIVIDUAL

    def clean(self) -> None:
        if self.parent_objective_id and self.parent_key_result_id:
            raise ValidationError(
                "An objective aligns to one parent: an objective or a key result."
            )
        if self.pk and self.pk in {o.pk for o in self.alignment_chain()}:
            raise ValidationError("This alignment would put the objective under itself.")
        if self.outcome and self.state != State.CLOSED:
            raise ValidationError({"outcome": "Only a closed objective has an outcome."})

    def alignment_chain(self) -> list[Objective]:
        """Objectives above this one, nearest first. Stops on a loop rather than spinning."""
        chain: list[Objective] = []
        seen: set[int] = set()
        node = self.parent_objective or (
            self.parent_key_result.objective if self.parent_key_result_id else None
        )
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent_objective or (
                node.parent_key_result.objective if node.parent_key_result_id else None
            )
        return chain

    def compute_progress(self) -> float | None:
        key_results = [
            (kr.progress_value(), kr.weight)
            for kr in self.key_results.all()
            if kr.state == KeyResult.State.ACTIVE
        ]
        children = []
        if self.include_children:
            children = [
                (child.progress, child.weight) for child in self.aligned_objectives.counted()
            ]
        return math.objective_progress(key_results, children)

    @property
    def is_counted(self) -> bool:
        return self.state != State.ARCHIVED


class KeyResultQuerySet(models.QuerySet["KeyResult"]):
    def active(self) -> KeyResultQuerySet:
        return self.filter(state=KeyResult.State.ACTIVE)

    def by_reference(self, reference: str) -> KeyResult:
        """Find a key result by its external ID, else by Northstar's own `KR-<id>`."""
        reference = reference.strip()
        if not reference:
            # Most key results have no external ID, so '' would "match" all of them and
            # read as an ambiguous ID rather than a missing argument.
            raise KeyResult.DoesNotExist("Give the key result's reference (its ID or KR-<id>).")
        # An exact match first; IDs typed by hand ("bl-wat") may differ in case.
        found = list(self.filter(external_ref=reference)[:2]) or list(
            self.filter(external_ref__iexact=reference)[:2]
        )
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise KeyResult.MultipleObjectsReturned(f"Several key results have ID {reference!r}.")
        own = reference.upper().removeprefix("KR-")
        found_own = self.filter(pk=int(own)).first() if own.isdigit() else None
        if found_own is not None:
            return found_own
        # The message is complete, so that callers can show it as it is.
        raise KeyResult.DoesNotExist(
            f"No key result has the reference {reference!r} (an external ID, or KR-<id>)."
        )


class KeyResult(HealthMixin, models.Model):
    Kind = models.TextChoices(
        "Kind",
        [
            ("CHANGE", ("change", "Increase or decrease")),
            ("AT_LEAST", ("at_least", "Stay at or above")),
            ("AT_MOST", ("at_most", "Stay at or below")),
            ("WITHIN", ("within", "Stay within a band")),
            ("MILESTONE", ("milestone", "Milestone")),
            ("LEVELS", ("levels", "Levels")),
        ],
    )

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    class Source(models.TextChoices):
        OWN = "own", "Its own check-ins"
        ALIGNED = "aligned", "The objectives aligned under it"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.TextField()
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="key_results"
    )
    contributors = models.ManyToManyField(
        Person,
        blank=True,
        related_name="contributed_key_results",
        help_text="People besides the owner who may check in.",
    )
    weight = models.FloatField(default=1.0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default="change")
    start = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True, help_text="Target, or the threshold to hold.")
    low = models.FloatField(null=True, blank=True, help_text="Lower edge of the band.")
    high = models.FloatField(null=True, blank=True, help_text="Upper edge of the band.")
    relative = models.FloatField(
        null=True,
        blank=True,
        help_text="A relative change such as -0.3 for 'cut by 30%'; the first check-in is the "
        "baseline.",
    )
    unit = models.CharField(max_length=40, blank=True, default="")
    levels = models.JSONField(
        default=list, blank=True, help_text="Ordered outcomes: [{name, score, description}]."
    )
    progress_source = models.CharField(max_length=10, choices=Source.choices, default=Source.OWN)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    progress_raw = models.FloatField(null=True, blank=True, editable=False)
    progress = models.FloatField(null=True, blank=True, editable=False)
    current_check_in = models.ForeignKey(
        "CheckIn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_check_in_on = models.DateField(null=True, blank=True, editable=False)
    needs_review = models.BooleanField(default=False)
    review_reason = models.TextField(blank=True, default="")
    external_ref = models.CharField(max_length=200, blank=True, default="", db_index=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KeyResultQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="key_result_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return self.external_ref or f"KR-{self.pk}"

    def get_cycle(self) -> Cycle:
        return self.objective.cycle

    def clean(self) -> None:
        errors = measure_errors(self)
        if errors:
            raise ValidationError(errors)

    def level_choices(self) -> tuple[math.Level, ...]:
        if not self.levels:
            return math.DEFAULT_LEVELS
        return tuple(math.Level(item["name"], float(item["score"])) for item in self.levels)

    def measure(self) -> math.Measure:
        return math.Measure(
            kind=math.Kind(self.kind),
            start=self.start,
            target=self.target,
            low=self.low,
            high=self.high,
            levels=self.level_choices(),
        )

    @property
    def direction(self) -> str:
        """'increase' or 'decrease' for a change; follows from start and target."""
        if self.kind != "change" or self.start is None or self.target is None:
            return ""
        return "decrease" if self.target < self.start else "increase"

    @property
    def awaits_baseline(self) -> bool:
        return self.relative is not None and self.start is None

    def progress_value(self) -> math.Progress:
        return math.Progress(self.progress_raw)

    def takes_check_ins(self) -> bool:
        """One whose progress comes from the objectives aligned under it refuses check-ins,
        so it never has a last check-in: its health follows its pace, never "stale"."""
        return self.progress_source != KeyResult.Source.ALIGNED


def measure_errors(kr: KeyResult) -> dict[str, str]:
    """What is wrong with a key result's measure, by field. Typed input is refused here;
    imports decide separately what to do with a degenerate measure."""
    errors: dict[str, str] = {}
    if kr.weight is None or kr.weight <= 0:
        errors["weight"] = "The weight must be greater than 0."
    if kr.kind == "change" and kr.relative is None:
        if kr.start is None:
            errors["start"] = "An increase or decrease needs a start value."
        if kr.target is None:
            errors["target"] = "An increase or decrease needs a target value."
        if kr.start is not None and kr.start == kr.target:
            errors["target"] = "The target must differ from the start."
    if kr.kind in {"at_least", "at_most"} and kr.target is None:
        errors["target"] = "A threshold key result needs a threshold."
    if kr.kind == "within":
        if kr.low is None or kr.high is None:
            errors["low"] = "A band needs a lower and an upper edge."
        elif kr.high < kr.low:
            errors["high"] = "The upper edge is below the lower edge."
    return errors


# The one limit on a check-in note: `actions.record_check_in` enforces it for every front
# door and the web form uses it for its own field, so the CLI cannot accept more than the web.
CHECK_IN_NOTE_MAX_LENGTH = 5000


class CheckIn(models.Model):
    """An append-only measurement of a key result.

    The current value of a key result is the check-in with the latest *measured* date (ties
    broken by the time written). Each check-in keeps the start and target it was measured
    against, so a later change of target never rewrites what it meant.
    """

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    value = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=100, blank=True, default="")
    done = models.BooleanField(null=True, blank=True)
    measured_on = models.DateField()
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="check_ins"
    )
    created_at = models.DateTimeField(default=timezone.now)
    start_then = models.FloatField(null=True, blank=True, editable=False)
    target_then = models.FloatField(null=True, blank=True, editable=False)
    progress_then = models.FloatField(null=True, blank=True, editable=False)
    outside_cycle = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["measured_on", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__lte=10),
                name="check_in_confidence_0_10",
            ),
        ]
        indexes = [models.Index(fields=["key_result", "measured_on", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result} on {self.measured_on}: {self.display_value}"

    @property
    def reading(self) -> float | str | bool | None:
        """The measurement in the shape progress.py expects for this kind."""
        kind = self.key_result.kind
        if kind == "milestone":
            return self.done
        if kind == "levels":
            return self.level or None
        return self.value

    @property
    def display_value(self) -> str:
        if self.done is not None:
            return "done" if self.done else "not done"
        if self.level:
            return self.level
        return format_number(self.value)


class Initiative(models.Model):
    """An action taken to move a key result."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="initiatives")
    title = models.TextField()
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


def format_number(value: float | None) -> str:
    """Compact display: 4.5, 125000, 0.25 — never '4.500000001' or 'nan'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.4g}".replace(",", "\u202f") if abs(value) >= 1000 else f"{value:.4g}"
