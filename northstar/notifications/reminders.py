"""Check-in reminders: who owns (or contributes to) a stale key result today.

Stale is `progress.health`'s rule, through `HealthMixin.health`: no check-in for longer than
the cycle's cadence (else the organisation's), counted in the organisation's calendar days.
Only key results that take their progress from their own check-ins, under active objectives
of a cycle running today, are considered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from northstar.lib.urls import absolute_url
from northstar.notifications.models import Channel, Kind, Preference
from northstar.notifications.notice import Item, Section
from northstar.okrs import progress as math
from northstar.okrs.access import can_read_objective, standing
from northstar.okrs.models import Cycle, KeyResult, KeyResultQuerySet, State
from northstar.people.models import Organisation, Person

TITLE_CHARS = 40


def shorten(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def running_key_results(today: date, key_results: KeyResultQuerySet | None = None):
    """Key results people check in on, in every dated cycle that runs today."""
    cycles = Cycle.objects.filter(start__lte=today, end__gte=today)
    key_results = KeyResult.objects.all() if key_results is None else key_results
    return (
        key_results.active()
        .filter(
            objective__cycle__in=cycles,
            objective__state=State.ACTIVE,
            progress_source=KeyResult.Source.OWN,
        )
        .select_related("owner__user", "objective__cycle", "objective__owner__user")
        .prefetch_related("contributors")
        .order_by(
            "objective__cycle__start", "objective__position", "objective_id", "position", "pk"
        )
    )


def responsible(key_result: KeyResult) -> list[Person]:
    """The owner (the objective's owner when the key result names none) and contributors."""
    owner = key_result.owner or key_result.objective.owner
    people = [owner] if owner else []
    return people + list(key_result.contributors.all())


@dataclass(frozen=True)
class Reminder:
    person: Person
    key_results: tuple[KeyResult, ...]

    @property
    def line(self) -> str:
        count = len(self.key_results)
        noun = "stale key result" if count == 1 else "stale key results"
        titles = ", ".join(shorten(kr.title) for kr in self.key_results)
        return f"{self.person.email}: {count} {noun} ({titles})"

    def context(self) -> dict:
        items = tuple(
            Item(
                f"{kr.title} — {last_check_in(kr)}",
                absolute_url(reverse("key-result", args=[kr.pk])),
            )
            for kr in self.key_results
        )
        count = len(self.key_results)
        return {
            "headline": f"Time for a check-in: {count} key result{'s' if count > 1 else ''} "
            "waiting for an update",
            "text": "These have gone longer than their check-in cadence without an update. "
            "A minute now keeps everyone's picture current.",
            "sections": [Section("Waiting for a check-in", items)],
            "url": absolute_url(reverse("me")),
        }


def last_check_in(key_result: KeyResult) -> str:
    if key_result.last_check_in_on is None:
        return "no check-in yet"
    return f"last check-in {key_result.last_check_in_on:%-d %b}"


def build_reminders(org: Organisation, today: date) -> list[Reminder]:
    """One reminder per person with stale key results, respecting opt-outs, by email."""
    stale: dict[int, list[KeyResult]] = {}
    people: dict[int, Person] = {}
    for kr in running_key_results(today):
        if kr.health(org, today) != math.Health.STALE:
            continue
        for person in responsible(kr):
            if person.is_active and person.email:
                people[person.pk] = person
                stale.setdefault(person.pk, []).append(kr)
    opted_out = Preference.objects.opted_out(Kind.REMINDER, Channel.EMAIL, people.values())
    reminders = []
    for pk, key_results in stale.items():
        person = people[pk]
        if pk in opted_out:
            continue
        # Owners and contributors read their objectives by rule; this keeps it so if the rule
        # changes.
        who = standing(person)
        readable = [kr for kr in key_results if can_read_objective(who, kr.objective)]
        if readable:
            reminders.append(Reminder(person, tuple(readable)))
    return sorted(reminders, key=lambda r: r.person.email.lower())
