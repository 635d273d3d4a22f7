"""Comments, mentions, kudos and celebrations: the social side of the weekly rhythm.

Everything here hangs off an objective, one of its key results, or one of their check-ins.
Each row stores the objective it belongs to even when its subject is a key result or a
check-in, so that privacy (which is decided per objective) and a unit's activity feed are
one indexed condition rather than a join through the subject.

Writes go through `actions.py`, which also resolves mentions and publishes notifications.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Person

type Subject = Objective | KeyResult | CheckIn

COMMENT_MAX_LENGTH = 5000
KUDOS_MAX_LENGTH = 280


class OnSubject(models.Model):
    """An objective, optionally narrowed to one of its key results and one of its check-ins.

    The subject is the narrowest of the three that is set."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True

    @property
    def subject(self) -> Subject:
        return self.check_in or self.key_result or self.objective

    @property
    def subject_kind(self) -> str:
        """ "objective", "key_result" or "check_in": what templates and payloads switch on."""
        if self.check_in_id:
            return "check_in"
        if self.key_result_id:
            return "key_result"
        return "objective"


def anchor(subject: Subject) -> dict[str, Objective | KeyResult | CheckIn | None]:
    """The objective / key result / check-in fields for a subject, from its own relations."""
    if isinstance(subject, CheckIn):
        return {
            "objective": subject.key_result.objective,
            "key_result": subject.key_result,
            "check_in": subject,
        }
    if isinstance(subject, KeyResult):
        return {"objective": subject.objective, "key_result": subject, "check_in": None}
    if isinstance(subject, Objective):
        return {"objective": subject, "key_result": None, "check_in": None}
    raise TypeError(f"Feedback is given on objectives, key results and check-ins, not {subject!r}")


def _subject_is_consistent() -> Q:
    # A check-in always comes with its key result.
    return Q(check_in__isnull=True) | Q(key_result__isnull=False)


class Comment(OnSubject):
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=COMMENT_MAX_LENGTH, help_text="Markdown.")

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_subject_is_consistent(), name="comment_check_in_has_key_result"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.subject}: {self.body[:40]}"


class Mention(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="mention_once_per_comment"),
        ]

    def __str__(self) -> str:
        return f"@{self.person} in comment {self.comment_id}"


class Kudos(OnSubject):
    giver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kudos_given")
    receiver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kudos_received")
    message = models.CharField(max_length=KUDOS_MAX_LENGTH)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name_plural = "kudos"
        constraints = [
            models.CheckConstraint(
                condition=_subject_is_consistent(), name="kudos_check_in_has_key_result"
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="kudos_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver}: {self.message[:40]}"

    def clean(self) -> None:
        if self.giver_id and self.giver_id == self.receiver_id:
            raise ValidationError("Kudos go to someone else.")


class Celebration(models.Model):
    """A key result reaching its target, or an objective completing. Written by
    `actions.celebrate_if_landed`; the unique constraints make it fire once per subject."""

    class Kind(models.TextChoices):
        KEY_RESULT = "key_result", "Key result reached its target"
        OBJECTIVE = "objective", "Objective completed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The check-in that made it land; kept if history is ever pruned.
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When it landed: the check-in's own time, so a backfilled history celebrates in place.
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="key_result", key_result__isnull=False)
                | Q(kind="objective", key_result__isnull=True),
                name="celebration_kind_matches_subject",
            ),
            models.UniqueConstraint(
                fields=["key_result"],
                condition=Q(kind="key_result"),
                name="celebration_once_per_key_result",
            ),
            models.UniqueConstraint(
                fields=["objective"],
                condition=Q(kind="objective"),
                name="celebration_once_per_objective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def subject(self) -> Objective | KeyResult:
        return self.key_result if self.kind == self.Kind.KEY_RESULT else self.objective

    @property
    def subject_kind(self) -> str:
        return str(self.kind)
